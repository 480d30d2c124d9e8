"""Presentation shared by the terminal and Telegram: briefs, scorecards, hints as text."""
