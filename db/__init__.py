"""Persistence: SQLAlchemy models, repositories and the unit of work behind core's ports."""
