"""price methods, the recommendation and the sponsor's decision

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 08:00:00

Method 1.1 (section 5): the price method, its parameters and the quality threshold are
settings of a selection. The facilitator's recommendation names a vendor (and, when that
is not the first-ranked one, why); sponsors record their decision on it; a sealed report
keeps the fingerprint of the content it was made from, so that it is marked superseded
when that changes. Columns are added in place: a batch rebuild of `selections` on SQLite
would drop its guard trigger (migration 0005).
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

PRICE_METHODS = "'lowest_ratio', 'linear_bids', 'linear_fixed', 'log', 'value'"
SELECTION_COLUMNS = (
    sa.Column("price_method", sa.String(20), nullable=False, server_default="lowest_ratio"),
    sa.Column("price_full", sa.Float(), nullable=True),
    sa.Column("price_zero", sa.Float(), nullable=True),
    sa.Column("log_factor", sa.Float(), nullable=True),
    sa.Column("quality_value", sa.Float(), nullable=True),
    sa.Column("quality_threshold", sa.Float(), nullable=False, server_default="0"),
    sa.Column("recommended_vendor_id", sa.Integer(), nullable=True),
    sa.Column("recommendation_reason", sa.Text(), nullable=False, server_default=""),
    # Accounts are deactivated, never deleted: no reference (which SQLite cannot add in
    # place under the names of the naming convention).
    sa.Column("recommendation_by_id", sa.Integer(), nullable=True),
    sa.Column("recommendation_at", sa.DateTime(timezone=True), nullable=True),
)


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for column in SELECTION_COLUMNS:
        op.add_column("selections", column)
    if not sqlite:  # SQLite keeps the column checks in the models and the services
        op.create_check_constraint(
            op.f("ck_selections_price_method"), "selections", f"price_method IN ({PRICE_METHODS})")
        op.create_check_constraint(
            op.f("ck_selections_quality_threshold"), "selections",
            "quality_threshold >= 0 AND quality_threshold <= 100")
    op.add_column("final_reports", sa.Column("content_sha256", sa.String(64), nullable=True))
    op.add_column("final_reports",
                  sa.Column("seal_reason", sa.Text(), nullable=False, server_default=""))
    op.create_table(
        "sponsor_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("selection_id", sa.Integer(),
                  sa.ForeignKey("selections.id", ondelete="CASCADE"), nullable=False),
        sa.Column("verdict", sa.String(20), nullable=False),
        sa.Column("vendor_id", sa.Integer(),
                  sa.ForeignKey("vendors.id", ondelete="SET NULL"), nullable=True),
        sa.Column("by_account_id", sa.Integer(),
                  sa.ForeignKey("accounts.id", ondelete="SET NULL"), nullable=True),
        sa.Column("by_email", sa.String(254), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("verdict IN ('approved', 'rejected', 'more_information')",
                           name=op.f("ck_sponsor_decisions_verdict")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sponsor_decisions")),
    )
    op.create_index("ix_sponsor_decisions_selection_id", "sponsor_decisions", ["selection_id"])


def downgrade() -> None:
    op.drop_index("ix_sponsor_decisions_selection_id", "sponsor_decisions")
    op.drop_table("sponsor_decisions")
    op.execute("ALTER TABLE final_reports DROP COLUMN seal_reason")
    op.execute("ALTER TABLE final_reports DROP COLUMN content_sha256")
    sqlite = op.get_bind().dialect.name == "sqlite"
    if not sqlite:
        op.drop_constraint(op.f("ck_selections_quality_threshold"), "selections", type_="check")
        op.drop_constraint(op.f("ck_selections_price_method"), "selections", type_="check")
    for column in reversed(SELECTION_COLUMNS):
        op.execute(f"ALTER TABLE selections DROP COLUMN {column.name}")
