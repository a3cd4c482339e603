"""Alembic environment: runs on the connection `storage.db.upgrade` hands in.

On PostgreSQL an advisory lock serialises replicas that start together, so only one
applies a migration and the others find it done.
"""

from alembic import context

from storage.models import Base

MIGRATION_LOCK = 7_301_997  # any constant shared by every replica


def run() -> None:
    connection = context.config.attributes["connection"]
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


run()
