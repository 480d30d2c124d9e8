"""Request keys make trainer actions idempotent: a replayed Telegram update finds what it did.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 17:03:54.239149
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("request_key", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_assignments_request_key"), ["request_key"])

    with op.batch_alter_table("score_overrides", schema=None) as batch_op:
        batch_op.add_column(sa.Column("request_key", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_score_overrides_request_key"), ["request_key"]
        )

    with op.batch_alter_table("session_comments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("request_key", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_session_comments_request_key"), ["request_key"]
        )


def downgrade() -> None:
    with op.batch_alter_table("session_comments", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_session_comments_request_key"), type_="unique")
        batch_op.drop_column("request_key")

    with op.batch_alter_table("score_overrides", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_score_overrides_request_key"), type_="unique")
        batch_op.drop_column("request_key")

    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_assignments_request_key"), type_="unique")
        batch_op.drop_column("request_key")
