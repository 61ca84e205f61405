"""Adapters: SQLAlchemy tables and repositories, the task queue and the event bus."""
