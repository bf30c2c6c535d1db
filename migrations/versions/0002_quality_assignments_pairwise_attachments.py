"""requirements quality, assignments, pairwise, attachments

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 18:38:27.637923
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("membership_id", sa.Integer(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column("assigned", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["categories.id"],
            name=op.f("fk_assignments_category_id_categories"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["membership_id"],
            ["memberships.id"],
            name=op.f("fk_assignments_membership_id_memberships"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignments")),
        sa.UniqueConstraint(
            "membership_id", "category_id", name=op.f("uq_assignments_membership_id_category_id")
        ),
    )
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_assignments_category_id"), ["category_id"], unique=False
        )

    op.create_table(
        "pairwise_judgements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("membership_id", sa.Integer(), nullable=False),
        sa.Column("domain", sa.String(length=10), nullable=False),
        sa.Column("comparisons", sa.Text(), nullable=False),
        sa.Column("consistency_ratio", sa.Float(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "domain IN ('business', 'it')", name=op.f("ck_pairwise_judgements_domain")
        ),
        sa.ForeignKeyConstraint(
            ["membership_id"],
            ["memberships.id"],
            name=op.f("fk_pairwise_judgements_membership_id_memberships"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pairwise_judgements")),
        sa.UniqueConstraint(
            "membership_id", "domain", name=op.f("uq_pairwise_judgements_membership_id_domain")
        ),
    )
    op.create_table(
        "attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("selection_id", sa.Integer(), nullable=False),
        sa.Column("verdict_id", sa.Integer(), nullable=True),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=40), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "content_type IN ('application/pdf', 'image/png', 'image/jpeg')",
            name=op.f("ck_attachments_content_type"),
        ),
        sa.ForeignKeyConstraint(
            ["selection_id"],
            ["selections.id"],
            name=op.f("fk_attachments_selection_id_selections"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"],
            ["accounts.id"],
            name=op.f("fk_attachments_uploaded_by_id_accounts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["verdict_id"],
            ["verdicts.id"],
            name=op.f("fk_attachments_verdict_id_verdicts"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attachments")),
    )
    with op.batch_alter_table("attachments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_attachments_selection_id"), ["selection_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_attachments_verdict_id"), ["verdict_id"], unique=False)

    with op.batch_alter_table("requirements", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("weight_reason", sa.Text(), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("quality_flags", sa.Text(), nullable=False, server_default="[]")
        )
        batch_op.add_column(sa.Column("structured", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("library_id", sa.String(length=64), nullable=True))

    with op.batch_alter_table("selections", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "owner_groups_decide", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("selections", schema=None) as batch_op:
        batch_op.drop_column("owner_groups_decide")

    with op.batch_alter_table("requirements", schema=None) as batch_op:
        batch_op.drop_column("library_id")
        batch_op.drop_column("structured")
        batch_op.drop_column("quality_flags")
        batch_op.drop_column("weight_reason")

    with op.batch_alter_table("attachments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attachments_verdict_id"))
        batch_op.drop_index(batch_op.f("ix_attachments_selection_id"))

    op.drop_table("attachments")
    op.drop_table("pairwise_judgements")
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assignments_category_id"))

    op.drop_table("assignments")
