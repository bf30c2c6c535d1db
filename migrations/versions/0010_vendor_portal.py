"""the vendors' side: portal links, answers with evidence, questions, proposed verdicts

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 08:00:00

Issue 20: vendors answer the requirements through a personal portal link (only the
token's SHA-256 is stored) or a returned questionnaire; their answers may carry evidence
documents (attachments, as verdicts' are); they ask questions that the facilitator
answers to all; a "no" or a structured answer that falls short proposes a knock-out
verdict. A selection gets a deadline for the answers and the setting that hides them
until then; a vendor the moment it submitted. Those columns are added in place: a batch
rebuild of `selections` on SQLite would drop its guard trigger (migration 0005).
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

COMPLIANCES = "'yes', 'partly', 'no', 'planned', 'third_party'"
PROPOSAL_STATES = "'proposed', 'confirmed', 'overridden', 'withdrawn'"


def _id() -> sa.Column:
    return sa.Column("id", sa.Integer(), nullable=False)


def _at(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _key(table: str, column: str, target: str, ondelete: str | None = None,
         nullable: bool = False) -> tuple[sa.Column, sa.ForeignKeyConstraint]:
    referred = target.split(".", 1)[0]
    return (sa.Column(column, sa.Integer(), nullable=nullable),
            sa.ForeignKeyConstraint([column], [target], ondelete=ondelete,
                                    name=op.f(f"fk_{table}_{column}_{referred}")))


def _table(name: str, *parts, keys: tuple = (), indexes: tuple[str, ...] = ()) -> None:
    columns = [_id()]
    constraints = []
    for column, constraint in keys:
        columns.append(column)
        constraints.append(constraint)
    op.create_table(name, *columns, *parts, *constraints,
                    sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{name}")))
    for column in indexes:
        op.create_index(op.f(f"ix_{name}_{column}"), name, [column])


def upgrade() -> None:
    op.add_column("selections", _at("answers_deadline", nullable=True))
    op.add_column("selections", sa.Column("answers_hidden", sa.Boolean(), nullable=False,
                                          server_default=sa.false()))
    op.add_column("vendors", _at("answers_submitted_at", nullable=True))

    _table(
        "portal_links",
        sa.Column("token_hash", sa.String(64), nullable=False),
        _at("created_at"), _at("expires_at"), _at("ended_at", True),
        _at("first_used_at", True), _at("last_used_at", True),
        sa.UniqueConstraint("token_hash", name=op.f("uq_portal_links_token_hash")),
        keys=(_key("portal_links", "selection_id", "selections.id", "CASCADE"),
              _key("portal_links", "vendor_id", "vendors.id", "CASCADE"),
              _key("portal_links", "created_by_id", "accounts.id", "SET NULL", True)),
        indexes=("selection_id", "vendor_id"),
    )
    _table(
        "vendor_answers",
        sa.Column("compliance", sa.String(12), nullable=False),
        sa.Column("planned_on", sa.Date(), nullable=True),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("structured", sa.Text(), nullable=True),
        _at("updated_at"),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(f"compliance IN ({COMPLIANCES})",
                           name=op.f("ck_vendor_answers_compliance")),
        sa.UniqueConstraint("vendor_id", "requirement_id",
                            name=op.f("uq_vendor_answers_vendor_id_requirement_id")),
        keys=(_key("vendor_answers", "selection_id", "selections.id", "CASCADE"),
              _key("vendor_answers", "vendor_id", "vendors.id", "CASCADE"),
              _key("vendor_answers", "requirement_id", "requirements.id", "CASCADE")),
        indexes=("selection_id", "requirement_id"),
    )
    _table(
        "answer_documents",
        sa.UniqueConstraint("attachment_id", name=op.f("uq_answer_documents_attachment_id")),
        keys=(_key("answer_documents", "answer_id", "vendor_answers.id", "CASCADE"),
              _key("answer_documents", "attachment_id", "attachments.id", "CASCADE")),
        indexes=("answer_id",),
    )
    _table(
        "vendor_questions",
        sa.Column("question", sa.Text(), nullable=False),
        _at("asked_at"),
        sa.Column("answer", sa.Text(), nullable=False),
        _at("published_at", True),
        keys=(_key("vendor_questions", "selection_id", "selections.id", "CASCADE"),
              _key("vendor_questions", "vendor_id", "vendors.id", "SET NULL", True),
              _key("vendor_questions", "answered_by_id", "accounts.id", "SET NULL", True)),
        indexes=("selection_id",),
    )
    _table(
        "verdict_proposals",
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("state", sa.String(12), nullable=False),
        _at("proposed_at"), _at("decided_at", True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.CheckConstraint(f"state IN ({PROPOSAL_STATES})",
                           name=op.f("ck_verdict_proposals_state")),
        sa.UniqueConstraint("vendor_id", "requirement_id",
                            name=op.f("uq_verdict_proposals_vendor_id_requirement_id")),
        keys=(_key("verdict_proposals", "selection_id", "selections.id", "CASCADE"),
              _key("verdict_proposals", "vendor_id", "vendors.id", "CASCADE"),
              _key("verdict_proposals", "requirement_id", "requirements.id", "CASCADE"),
              _key("verdict_proposals", "decided_by_id", "accounts.id", "SET NULL", True)),
        indexes=("selection_id", "requirement_id"),
    )


def downgrade() -> None:
    for table in ("verdict_proposals", "vendor_questions", "answer_documents",
                  "vendor_answers", "portal_links"):
        op.drop_table(table)
    op.execute("ALTER TABLE vendors DROP COLUMN answers_submitted_at")
    op.execute("ALTER TABLE selections DROP COLUMN answers_hidden")
    op.execute("ALTER TABLE selections DROP COLUMN answers_deadline")
