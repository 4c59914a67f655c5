"""The web side of the network module: graph from the database, suggestions, analytics."""
