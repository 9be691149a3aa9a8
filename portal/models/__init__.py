"""The database tables (SQLModel): notices (tables), email alerts (alerts), buyer accounts (accounts), planned work
buyers publish (publishing)."""

from portal.models import accounts, alerts, publishing, tables  # noqa: F401  (registers every table on SQLModel.metadata)
