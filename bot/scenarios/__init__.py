"""Scenario files: the strict loader and the library of shipped scenarios."""
