"""The public directory (no login): listed initiatives, their map and upcoming events."""
