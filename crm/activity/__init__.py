"""Interactions (calls, meetings, e-mails, visits, notes) and follow-ups (Wiedervorlagen)."""
