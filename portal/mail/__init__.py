"""Outgoing email: one sender for alerts and buyer sign-in (SMTP, or `.eml` files in the outbox)."""
