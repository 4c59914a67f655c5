"""The start page and site-wide actions (language switch)."""
