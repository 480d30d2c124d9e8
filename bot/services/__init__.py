"""Use cases shared by every adapter: practice, grading, users."""
