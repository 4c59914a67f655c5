"""Data-subject rights (GDPR): access, erasure, restriction, objection and retention."""
