"""Accounts: login, logout, sessions, passwords and the user CLI."""
