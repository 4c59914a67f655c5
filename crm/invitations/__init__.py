"""Invitations to events (#18): campaigns, recipients, personal links, unsubscribe."""
