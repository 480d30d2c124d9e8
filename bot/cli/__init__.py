"""The `trainer` command line."""
