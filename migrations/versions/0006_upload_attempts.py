"""upload attempts: the per-account upload rate limit, kept across workers

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 06:00:00

Security issue 17, item 2: spreadsheet uploads are limited per account per minute; the
record lives in the database so that the limit holds across gunicorn workers.
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "upload_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"],
            name=op.f("fk_upload_attempts_account_id_accounts"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_upload_attempts")),
    )
    with op.batch_alter_table("upload_attempts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_upload_attempts_account_at", ["account_id", "at"], unique=False
        )


def downgrade() -> None:
    op.drop_table("upload_attempts")
