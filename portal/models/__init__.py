"""The database tables (SQLModel)."""
