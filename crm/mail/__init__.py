"""Outgoing mail: an outbox table, an SMTP sender command and a staff page of queued mails."""
