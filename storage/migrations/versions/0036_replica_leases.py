"""replica_leases, version_marks and the version-change notifications (PostgreSQL only)

On PostgreSQL each serving process keeps the organisation a request belongs to, with its
versions, in memory instead of reading them on every request (`storage.replicas`). What
makes that exact:
* every statement that changes a table the locating query reads (`storage.quick.LOCATE_SQL`)
  notifies channel `tandem_versions` from a statement trigger; PostgreSQL delivers it when the
  transaction commits, and every listening process forgets what it holds;
* a writer, before it tells anyone (Slack's acknowledgement, a post, the command line's
  answer), takes a number from `version_marks` and notifies it; notifications arrive in
  commit order, so a process that has seen that number has seen the writer's change;
* each listening process holds a lease here that says which number it has seen (`acked`)
  and until when it may answer from memory (`expires_at`); the writer waits until every
  unexpired lease has seen its number. A process stops answering from memory before its
  lease runs out unrenewed, so one that died or lost its connection holds a writer up for
  at most one lease.

UNLOGGED: leases describe running processes, so nothing of them needs to survive a crash of
the server, and renewing one costs no WAL flush. SQLite has one process and none of this.

Revision ID: 0036
Revises: 0035
Create Date: 2026-12-06 21:30:00
"""

from alembic import op

revision = "0036"
down_revision = "0035"
branch_labels = None
depends_on = None

# the tables LOCATE_SQL reads, slack_bots, which its installation check reads, and the hours
# version `/tandem hours` reads beside it
WATCHED = (
    "organisations",
    "people",
    "organisation_teams",
    "handoff_versions",
    "review_versions",
    "slack_bots",
    "hours_versions",
)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        "CREATE UNLOGGED TABLE replica_leases ("
        " id VARCHAR(36) PRIMARY KEY, acked BIGINT NOT NULL, expires_at TIMESTAMPTZ NOT NULL)"
    )
    op.execute("CREATE SEQUENCE version_marks")
    op.execute(
        "CREATE FUNCTION tandem_versions_changed() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN PERFORM pg_notify('tandem_versions', ''); RETURN NULL; END $$"
    )
    for table in WATCHED:
        op.execute(
            f"CREATE TRIGGER {table}_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION tandem_versions_changed()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in WATCHED:
        op.execute(f"DROP TRIGGER {table}_changed ON {table}")
    op.execute("DROP FUNCTION tandem_versions_changed()")
    op.execute("DROP SEQUENCE version_marks")
    op.execute("DROP TABLE replica_leases")
