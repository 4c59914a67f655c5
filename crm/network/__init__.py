"""The network module: pure networkx code that takes plain data and returns plain data.

It imports networkx and the standard library only, never Flask or SQLAlchemy, so it
can be tested and reused without the web application.
"""
