"""Global search over initiatives, organisations and persons (one box in the header)."""
