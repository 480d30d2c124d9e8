"""The inbox keeps the message id of the reply Telegram accepted for a message, so a replayed
or re-sent message does not show its answer twice.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 19:15:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("telegram_updates", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source", sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column("reply_message_id", sa.BigInteger(), nullable=True))
        batch_op.create_index(batch_op.f("ix_telegram_updates_source"), ["source"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("telegram_updates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_telegram_updates_source"))
        batch_op.drop_column("reply_message_id")
        batch_op.drop_column("source")
