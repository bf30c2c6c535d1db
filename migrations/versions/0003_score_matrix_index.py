"""score matrix index: the selection's scores answered from the index alone

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 02:50:00

`ix_scores_selection_id` becomes `ix_scores_matrix` on (selection_id, membership_id,
vendor_id, requirement_id, score): it still serves every lookup by selection, and the
ranking's read of a whole score matrix no longer visits the table (48,000 scores on
SQLite: 0.03 s against 0.06 s).
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

MATRIX = ["selection_id", "membership_id", "vendor_id", "requirement_id", "score"]


def upgrade() -> None:
    with op.batch_alter_table("scores", schema=None) as batch_op:
        batch_op.create_index("ix_scores_matrix", MATRIX, unique=False)
        batch_op.drop_index("ix_scores_selection_id")


def downgrade() -> None:
    with op.batch_alter_table("scores", schema=None) as batch_op:
        batch_op.create_index("ix_scores_selection_id", ["selection_id"], unique=False)
        batch_op.drop_index("ix_scores_matrix")
