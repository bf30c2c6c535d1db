"""second-factor secrets sealed at rest (issue 17, item 11)

Revision ID: 0007
Revises: 0006

`accounts.totp_secret` grows from 64 to 255 characters for the sealed form
(`v1.<key id>.<nonce+ciphertext>`, ~92 characters; see selector.services.totp). Secrets
stored plain are sealed here when the key is at hand (SECRET_KEY, else the instance's
`secret_key` file); without one they stay plain and are sealed at their next right code.
The downgrade opens them again (it needs the same key) so they fit the old column.
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

accounts = sa.table("accounts", sa.column("id", sa.Integer), sa.column("totp_secret", sa.String))


def _secrets(connection) -> list[tuple[int, str]]:
    return [tuple(row) for row in connection.execute(
        sa.select(accounts.c.id, accounts.c.totp_secret)
        .where(accounts.c.totp_secret.is_not(None)))]


def upgrade() -> None:
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.alter_column("totp_secret", existing_type=sa.String(length=64),
                              type_=sa.String(length=255), existing_nullable=True)
    from selector.services import totp

    connection = op.get_bind()
    plain = [(i, s) for i, s in _secrets(connection) if not totp.is_sealed(s)]
    key = totp.key_at_hand() if plain else None
    if not key:
        return
    for account_id, secret in plain:
        connection.execute(sa.update(accounts).where(accounts.c.id == account_id)
                           .values(totp_secret=totp.seal(secret, account_id, key)))


def downgrade() -> None:
    from selector.services import totp

    connection = op.get_bind()
    sealed = [(i, s) for i, s in _secrets(connection) if totp.is_sealed(s)]
    if sealed:
        key = totp.key_at_hand()
        if not key:
            raise RuntimeError("sealed second-factor secrets need SECRET_KEY to be opened "
                               "for the older schema; set it and run the downgrade again")
        for account_id, stored in sealed:  # SecretKeyChanged stops a wrong key here
            connection.execute(sa.update(accounts).where(accounts.c.id == account_id)
                               .values(totp_secret=totp.reveal(stored, account_id, key)))
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.alter_column("totp_secret", existing_type=sa.String(length=255),
                              type_=sa.String(length=64), existing_nullable=True)
