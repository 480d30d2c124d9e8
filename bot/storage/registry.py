"""Imports every table module so `Base.metadata` is complete (for Alembic and drift checks).

Each area keeps its tables in its own module (`models.py` for the practice core); add new
modules here.
"""

from __future__ import annotations

from bot.storage import board_posts, drafts, heartbeats, models, teams, telegram, usage
from bot.storage.models import Base

__all__ = ["Base", "board_posts", "drafts", "heartbeats", "models", "teams", "telegram", "usage"]
