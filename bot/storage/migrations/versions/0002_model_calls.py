"""model usage: one row per provider call (tokens, latency, outcome)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 15:01:04.806019
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "model_calls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("session_id", sa.String(length=32), nullable=True),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("model", sa.String(length=128), nullable=False),
        sa.Column("prompt_tokens", sa.Integer(), nullable=False),
        sa.Column("completion_tokens", sa.Integer(), nullable=False),
        sa.Column("cached_tokens", sa.Integer(), nullable=False),
        sa.Column("latency_ms", sa.Integer(), nullable=False),
        sa.Column("calls", sa.Integer(), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("error", sa.String(length=64), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_model_calls")),
    )
    with op.batch_alter_table("model_calls", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_model_calls_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_model_calls_session_id"), ["session_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_model_calls_team_id"), ["team_id"], unique=False)
        batch_op.create_index("ix_model_calls_user_at", ["user_id", "at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("model_calls", schema=None) as batch_op:
        batch_op.drop_index("ix_model_calls_user_at")
        batch_op.drop_index(batch_op.f("ix_model_calls_team_id"))
        batch_op.drop_index(batch_op.f("ix_model_calls_session_id"))
        batch_op.drop_index(batch_op.f("ix_model_calls_at"))

    op.drop_table("model_calls")
