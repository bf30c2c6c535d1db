"""prices sealed until scoring closes: the setting that showed costs early is gone

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 06:40:00

decisions.md: prices stay sealed from scorers until scoring closes (a *prijskluis*), "with
no setting that opens them early". `selections.prices_visible_to_scorers` was that
setting. SQLite (3.35 and later) drops the column in place: a batch rebuild of
`selections` would drop its guard trigger (migration 0005).
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE selections DROP COLUMN prices_visible_to_scorers")


def downgrade() -> None:
    op.add_column("selections", sa.Column("prices_visible_to_scorers", sa.Boolean(),
                                          nullable=False, server_default=sa.false()))
