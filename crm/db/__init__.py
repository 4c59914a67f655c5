"""Database operations: backup and restore (`backup.py`), SQLite → PostgreSQL (`copy.py`).

Plain functions that take an engine or the app's configuration and raise `DbOpsError`
with a German message a person can act on; `crm.db.cli` turns them into commands.
"""
