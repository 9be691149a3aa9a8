"""The database tables (SQLModel): notices (tables), email alerts (alerts), buyer accounts (accounts)."""

from portal.models import accounts, alerts, tables  # noqa: F401  (registers every table on SQLModel.metadata)
