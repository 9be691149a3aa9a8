"""Buyer accounts: passwordless sign-in by emailed link, organisations and their members, the audit log."""
