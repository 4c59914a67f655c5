"""Bringing existing data in: CSV/XLSX/ODS files read, mapped, previewed, imported, undone.

readers (files → rows) · mapping (headers → fields) · values (cells → typed values) ·
matching (name folding, record matching; shared with crm.duplicates) · services (the
dry run and the import, one service behind the wizard and the command line) · undo.
"""
