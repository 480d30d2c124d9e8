"""Spoken turns (file id, seconds, transcript), seconds of audio per model call, /voice on.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 18:40:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("turns", schema=None) as batch_op:
        batch_op.add_column(sa.Column("voice_file_id", sa.String(length=256), nullable=True))
        batch_op.add_column(sa.Column("voice_seconds", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("voice_transcript", sa.Text(), nullable=True))
    with op.batch_alter_table("model_calls", schema=None) as batch_op:
        batch_op.add_column(sa.Column("audio_seconds", sa.Float(), nullable=True))
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("voice_replies", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("voice_replies")
    with op.batch_alter_table("model_calls", schema=None) as batch_op:
        batch_op.drop_column("audio_seconds")
    with op.batch_alter_table("turns", schema=None) as batch_op:
        batch_op.drop_column("voice_transcript")
        batch_op.drop_column("voice_seconds")
        batch_op.drop_column("voice_file_id")
