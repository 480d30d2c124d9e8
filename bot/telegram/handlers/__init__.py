"""Handlers, one small module per flow; each has `register(application)`."""
