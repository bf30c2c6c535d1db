"""database guards: an append-only audit trail, scores within the selection's scale,
and the moments members were shown each other's scores

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 06:00:00

Security issue 17, item 15: the ORM refused to change audit rows, but a plain SQL
`UPDATE` or `DELETE` rewrote the trail; and the database took any score from 0 to 100
whatever the selection's scale. Both are now the database's own rules (triggers on
SQLite and PostgreSQL):

* `audit_entries`: every UPDATE and DELETE is refused. (TRUNCATE on PostgreSQL fires no
  row trigger; the tests empty their database with it.) A consequence: an account that
  has audit entries can no longer be deleted (its `account_id` would be set to NULL).
* `scores` and `consensus`: a score above the selection's `scale_max` is refused on
  insert and update; `selections`: `scale_max` cannot be lowered below a stored score.

Item 13: `score_disclosures` records when a member was first shown other members'
scores for a vendor.

For later migrations on SQLite: batch mode rebuilds a table by copy, drop and rename,
which drops the table's triggers. A migration that rebuilds `audit_entries`, `scores`,
`consensus` or `selections` must create that table's triggers here again
(`create_guards` / `drop_guards` take the table names). The test suite checks them at
the head (tests/db/test_database_guards.py).
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

APPEND_ONLY = "the audit trail is append-only"
ABOVE_SCALE = "a score above the selection''s scale"
SCALE_BELOW_SCORES = "the scale cannot be lowered below a stored score"

# SQLite: per table, (trigger name, CREATE TRIGGER statement).
SQLITE = {
    "audit_entries": [
        ("audit_entries_no_update",
         "CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries "
         f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END"),
        ("audit_entries_no_delete",
         "CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries "
         f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END"),
    ],
    **{
        table: [
            (f"{table}_within_scale_insert",
             f"CREATE TRIGGER {table}_within_scale_insert BEFORE INSERT ON {table} "
             "WHEN NEW.score > (SELECT scale_max FROM selections WHERE id = NEW.selection_id) "
             f"BEGIN SELECT RAISE(ABORT, '{ABOVE_SCALE}'); END"),
            (f"{table}_within_scale_update",
             f"CREATE TRIGGER {table}_within_scale_update "
             f"BEFORE UPDATE OF score, selection_id ON {table} "
             "WHEN NEW.score > (SELECT scale_max FROM selections WHERE id = NEW.selection_id) "
             f"BEGIN SELECT RAISE(ABORT, '{ABOVE_SCALE}'); END"),
        ]
        for table in ("scores", "consensus")
    },
    "selections": [
        ("selections_scale_covers_scores",
         "CREATE TRIGGER selections_scale_covers_scores BEFORE UPDATE OF scale_max ON selections "
         "WHEN EXISTS (SELECT 1 FROM scores WHERE selection_id = NEW.id "
         "AND score > NEW.scale_max) OR EXISTS (SELECT 1 FROM consensus "
         "WHERE selection_id = NEW.id AND score > NEW.scale_max) "
         f"BEGIN SELECT RAISE(ABORT, '{SCALE_BELOW_SCORES}'); END"),
    ],
}

# PostgreSQL: trigger functions (made once) and per table its triggers.
POSTGRES_FUNCTIONS = {
    "selector_append_only": f"""
        CREATE FUNCTION selector_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '{APPEND_ONLY}' USING ERRCODE = 'restrict_violation';
        END $$""",
    "selector_within_scale": f"""
        CREATE FUNCTION selector_within_scale() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF NEW.score > (SELECT scale_max FROM selections WHERE id = NEW.selection_id)
            THEN
                RAISE EXCEPTION '{ABOVE_SCALE}' USING ERRCODE = 'check_violation';
            END IF;
            RETURN NEW;
        END $$""",
    "selector_scale_covers_scores": f"""
        CREATE FUNCTION selector_scale_covers_scores() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF EXISTS (SELECT 1 FROM scores WHERE selection_id = NEW.id
                       AND score > NEW.scale_max)
               OR EXISTS (SELECT 1 FROM consensus WHERE selection_id = NEW.id
                          AND score > NEW.scale_max)
            THEN
                RAISE EXCEPTION '{SCALE_BELOW_SCORES}' USING ERRCODE = 'check_violation';
            END IF;
            RETURN NEW;
        END $$""",
}
POSTGRES = {
    "audit_entries": [
        ("audit_entries_append_only",
         "CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE ON audit_entries "
         "FOR EACH ROW EXECUTE FUNCTION selector_append_only()"),
    ],
    **{
        table: [
            (f"{table}_within_scale",
             f"CREATE TRIGGER {table}_within_scale "
             f"BEFORE INSERT OR UPDATE OF score, selection_id ON {table} "
             "FOR EACH ROW EXECUTE FUNCTION selector_within_scale()"),
        ]
        for table in ("scores", "consensus")
    },
    "selections": [
        ("selections_scale_covers_scores",
         "CREATE TRIGGER selections_scale_covers_scores BEFORE UPDATE OF scale_max "
         "ON selections FOR EACH ROW EXECUTE FUNCTION selector_scale_covers_scores()"),
    ],
}
GUARDED = tuple(SQLITE)


def _postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def create_guards(tables=GUARDED) -> None:
    """Create the triggers of `tables` (and on PostgreSQL the functions, once)."""
    if _postgres():
        for name, statement in POSTGRES_FUNCTIONS.items():
            op.execute(f"DROP FUNCTION IF EXISTS {name}() CASCADE")
            op.execute(statement)
        for table in tables:
            for _name, statement in POSTGRES[table]:
                op.execute(statement)
        return
    for table in tables:
        for _name, statement in SQLITE[table]:
            op.execute(statement)


def drop_guards(tables=GUARDED) -> None:
    if _postgres():
        for table in tables:
            for name, _statement in POSTGRES[table]:
                op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        if tables == GUARDED:
            for name in POSTGRES_FUNCTIONS:
                op.execute(f"DROP FUNCTION IF EXISTS {name}()")
        return
    for table in tables:
        for name, _statement in SQLITE[table]:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")


def upgrade() -> None:
    op.create_table(
        "score_disclosures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("membership_id", sa.Integer(), nullable=False),
        sa.Column("vendor_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["membership_id"], ["memberships.id"],
            name=op.f("fk_score_disclosures_membership_id_memberships"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["vendor_id"], ["vendors.id"],
            name=op.f("fk_score_disclosures_vendor_id_vendors"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_score_disclosures")),
        sa.UniqueConstraint("membership_id", "vendor_id",
                            name=op.f("uq_score_disclosures_membership_id_vendor_id")),
    )
    with op.batch_alter_table("score_disclosures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_score_disclosures_vendor_id"), ["vendor_id"],
                              unique=False)
    create_guards()


def downgrade() -> None:
    drop_guards()
    with op.batch_alter_table("score_disclosures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_score_disclosures_vendor_id"))
    op.drop_table("score_disclosures")
