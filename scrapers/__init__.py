"""Collectors and parsers for the public procurement registers (no Flask, no portal)."""
