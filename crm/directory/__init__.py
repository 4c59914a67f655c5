"""The directory: initiatives, organisations and persons."""
