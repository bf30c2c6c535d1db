"""invitations: adding someone to a selection records an invitation they accept

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06 05:00:00

Security issue 17: the add form no longer creates accounts or memberships (and no
longer hands out set-password links); it records an invitation, accepted by the person
or confirmed by an instance admin.
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "invitations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("selection_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("invited_by_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("confirmed_by_id", sa.Integer(), nullable=True),
        sa.Column("declined_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["selection_id"], ["selections.id"],
            name=op.f("fk_invitations_selection_id_selections"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["invited_by_id"], ["accounts.id"],
            name=op.f("fk_invitations_invited_by_id_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["confirmed_by_id"], ["accounts.id"],
            name=op.f("fk_invitations_confirmed_by_id_accounts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitations")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_invitations_token_hash")),
    )
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_invitations_selection_id"), ["selection_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_invitations_invited_by_id"), ["invited_by_id"], unique=False
        )
        batch_op.create_index(
            "ix_invitations_selection_email", ["selection_id", "email"], unique=False
        )


def downgrade() -> None:
    op.drop_table("invitations")
