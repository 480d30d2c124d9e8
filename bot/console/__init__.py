"""The terminal adapter."""
