"""Synthetic, deterministic demo data."""
