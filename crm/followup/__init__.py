"""The follow-up of an event (#18): materials, the follow-up mail, feedback, attendance."""
