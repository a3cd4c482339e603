"""The `tandem` command line (also `python -m bot`).

Exit status: 0 success, 1 a problem the user can fix (invalid matrix, gaps found by
`audit`), 2 wrong usage. Each command imports what it needs when it runs, so `tandem --help`
loads neither the database layer nor Slack's.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from importlib.metadata import version
from typing import TYPE_CHECKING

import click

from bot.app.logs import as_json as logs_as_json
from bot.app.settings import Settings
from bot.clock import Clock, FixedClock, SystemClock
from bot.errors import Problem, TandemError

if TYPE_CHECKING:
    from bot.matrix.model import Matrix
    from bot.ports import Store
    from storage.db import Database

log = logging.getLogger("tandem")
VERSION = version("tandem")


def _instant(at: str) -> datetime:
    try:
        moment = datetime.fromisoformat(at.replace("Z", "+00:00"))
    except ValueError as exc:
        raise click.BadParameter(f"{at!r} is not an ISO-8601 time such as 2026-12-01T09:00:00+00:00") from exc
    if moment.tzinfo is None:
        raise click.BadParameter(f"{at!r} has no offset: add one, e.g. {at}+00:00 or {at}Z")
    return moment


def _clock(at: str | None) -> Clock:
    return FixedClock(_instant(at)) if at else SystemClock()


def _warn(warning: Problem) -> None:
    """A matrix file loaded, but something in it needs a look: one line on stderr."""
    click.echo(f"Warning: {warning}", err=True)


def _summary(changes: list[str]) -> str:
    if not changes:
        return "already up to date."
    return changes[0] + "." if len(changes) == 1 else f"{len(changes)} changes (see the audit log)."


class _Group(click.Group):
    """Turns user-fixable errors into a message and exit status 1, instead of a traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except TandemError as error:
            if logs_as_json():  # a log collector reads every line as JSON
                log.error(str(error))
            else:
                click.echo(str(error), err=True)
            sys.exit(1)


@click.group(cls=_Group)
def main() -> None:
    """Tandem: the co-managed IT responsibility matrix, handoffs and reminders, in Slack."""


@main.command()
@click.option("--as", "as_user", metavar="SLACK_ID", help="Act as this person (default: the first internal admin).")
@click.option(
    "--matrix", "matrix_file", type=click.Path(exists=True, dir_okay=False), help="Import this matrix file first."
)
@click.option("--at", help="Pretend it is this time (ISO-8601 with offset).")
@click.option("--org", "organisation", help="Organisation key (needed when several are loaded).")
def console(as_user: str | None, matrix_file: str | None, at: str | None, organisation: str | None) -> None:
    """The whole bot in a terminal; reads a script from stdin when it is not a terminal."""
    from bot.app.bootstrap import import_file, open_database
    from bot.app.console.session import ConsoleClock, ConsoleSession

    settings = Settings.from_env()
    clock = ConsoleClock(_instant(at) if at else None)
    db = open_database(settings)
    path = matrix_file or settings.matrix_file
    if path:
        imported, changes = import_file(db, path, "console", clock, _warn)
        click.echo(f"Loaded {path}: " + _summary(changes), err=True)
        organisation = organisation or imported
    session = ConsoleSession(settings, db, clock, as_user, sys.stdout, organisation)
    if not session.people:
        raise TandemError("No matrix is loaded. Start with: tandem console --matrix examples/matrix.yml")
    interactive = sys.stdin.isatty()
    lines = _prompted(session) if interactive else sys.stdin
    session.run(lines, interactive)


def _prompted(session):
    while True:
        try:
            yield input(f"{session.who()}> ")
        except EOFError:
            return


@main.command("run")
def run_bot() -> None:
    """The Slack bot: Socket Mode when SLACK_APP_TOKEN is set, else HTTP on PORT."""
    from bot.app import logs

    settings = Settings.from_env()  # before gunicorn is imported: it reads WEB_CONCURRENCY itself
    logs.configure(settings.log_level, settings.log_format)
    settings.require_slack()

    from bot.app.bootstrap import import_file, open_database
    from bot.app.guard import RequestGuard
    from bot.app.heartbeat import start_heartbeat
    from bot.app.preflight import check_bot_token, check_port
    from bot.app.server import http_stack, serve_http, serve_socket_mode
    from bot.app.slack import create_app, create_client, slack_container, start_resuming
    from storage.db import HEAD, Database

    if not settings.app_token:
        check_port(settings.port)
    if settings.oauth:  # each workspace's token is checked by Bolt as its requests come
        slack = "installed by OAuth (install page /slack/install)"
    else:
        slack = check_bot_token(create_client(settings, quiet=True), settings)
    clock = SystemClock()
    db = open_database(settings)
    matrix = ""
    if settings.matrix_file:
        _, changes = import_file(
            db, settings.matrix_file, "startup", clock, lambda w: log.warning("Matrix warning: %s", w)
        )
        matrix = f"; matrix {settings.matrix_file}: {_summary(changes)}"
    ticking = (
        f"ticking every {settings.tick_seconds} s" if settings.tick_seconds else "no ticking (cron runs tandem tick)"
    )
    matrix += _fleet_line(settings, db)
    database = db.engine.url.render_as_string(hide_password=True)
    if db.upgraded_from:
        database += f" (schema upgraded from {db.upgraded_from} to {HEAD})"

    def started(how: str) -> Callable[[], None]:
        return lambda: log.info(
            "Tandem %s started: %s; Slack %s; database %s; %s%s", VERSION, how, slack, database, ticking, matrix
        )

    if settings.app_token:
        client = create_client(settings, db=db)
        container = slack_container(settings, db, clock, client)
        app = create_app(container, client)
        start_heartbeat(container)
        start_resuming(app, container)
        serve_socket_mode(app, settings, started("Socket Mode"))
        return
    db.dispose()

    def build() -> RequestGuard:  # in each gunicorn worker, after the fork
        worker_db = Database(settings.database_url)
        client = create_client(settings, db=worker_db)
        container = slack_container(settings, worker_db, SystemClock(), client)
        app = create_app(container, client)
        start_heartbeat(container)
        start_resuming(app, container)
        return http_stack(app, container)

    workers = f"{settings.web_concurrency} worker{'s' if settings.web_concurrency > 1 else ''}"
    how = f"HTTP on port {settings.port} ({workers} × {settings.threads} threads)"
    serve_http(build, settings.port, settings.web_concurrency, settings.threads, started(how))


def _fleet_line(settings: Settings, db: Database) -> str:
    """The start line's word on the weekly fleet digest; a setting that cannot work stops the
    start here, in one sentence, before any worker is forked."""
    from bot.app.fleet import fleet_schedule
    from bot.calendar import DAY_NAMES
    from storage.store import Units

    fleet = fleet_schedule(settings.fleet, settings.oauth, Units(db))
    if fleet is None:
        return ""
    where = f" of workspace {fleet.team}" if fleet.team else ""
    day = DAY_NAMES[fleet.weekday].capitalize()
    return f"; fleet digest {day} {fleet.at:%H:%M} {fleet.timezone} in {fleet.channel}{where}"


@main.command()
@click.option("--at", help="Run as if it were this time (ISO-8601 with offset); default now.")
def tick(at: str | None) -> None:
    """Run every due job once (SLA alerts, review reminders, digests) and exit; safe to run concurrently."""
    from bot.app.bootstrap import open_database
    from bot.app.slack import slack_container
    from bot.services.schedule import tick as run_tick
    from storage.heartbeats import record_beat

    settings = Settings.from_env()
    settings.require_slack(receiving=False)
    container = slack_container(settings, open_database(settings), _clock(at))
    with container.db.deferring():  # the replicas see the tick's changes once, not after each step
        report = run_tick(container.deps)
    if not at:  # a tick at a pretend time says nothing about the scheduler's health
        record_beat(container.db, "tick", container.deps.clock.now())
    click.echo(
        f"planned {report.planned}, posted {report.posted}, already posted {report.skipped}, failed {report.failed}, "
        f"updated {report.updated}"
    )
    if report.failed:
        sys.exit(1)


@main.group()
def matrix() -> None:
    """Import, export and audit the responsibility matrix."""


@matrix.command("init")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--org", "organisation", default="my-org", show_default=True, help="Organisation key.")
@click.option("--name", default="My Organisation", show_default=True, help="Organisation name.")
@click.option("--timezone", help="IANA time zone.  [default: the template's, else Europe/London]")
@click.option("--channel", help="The shared channel's id (C…).")
@click.option("--team", help="The team id (T…) of the workspace the channel lives in.")
@click.option(
    "--from",
    "template",
    type=click.Path(dir_okay=False),
    help="A matrix to start from, such as the provider's standard split: its side, areas, SLA and reviews.",
)
def matrix_init(
    file: str,
    organisation: str,
    name: str,
    timezone: str | None,
    channel: str | None,
    team: str | None,
    template: str | None,
) -> None:
    """Write a matrix FILE for a new client: the starter (the usual areas and the default
    review library, CIS/NIST), or a copy of TEMPLATE under the client's name and channel."""
    from pathlib import Path

    from bot.matrix.loader import load_file
    from bot.matrix.starter import client_text

    path = Path(file)
    if path.exists():
        raise TandemError(f"{file} already exists; choose another name or remove it first.")
    base = load_file(template) if template else None
    zone = timezone or (base.timezone if base else "Europe/London")
    path.write_text(client_text(organisation, name, zone, channel, team, base), encoding="utf-8")
    people = "the template's internal people with the client's" if base else "the placeholder people"
    click.echo(f"Wrote {file}. Replace {people}, then: tandem matrix import {file}")


@matrix.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--announce", is_flag=True, help="Post what changed in the organisation's shared channel.")
def matrix_import(file: str, announce: bool) -> None:
    """Validate FILE and load it; nothing is loaded if anything is wrong."""
    from bot.app.bootstrap import import_file, open_database
    from storage.store import Units

    settings = Settings.from_env()
    db = open_database(settings)
    org, changes = import_file(db, file, "cli", SystemClock(), _warn)
    if not changes:
        click.echo(f"{org}: the matrix is already up to date; nothing changed.")
        return
    click.echo(f"{org}: matrix loaded, {len(changes)} change(s):")
    for line in changes:
        click.echo(f"  {line}")
    if announce:
        from bot.app.slack import slack_container

        with Units(db)() as store:
            loaded = store.load_matrix(org)
        if loaded is None or not loaded.channel:
            raise TandemError("Not announced: the matrix names no shared channel ('channel:').")
        settings.require_slack(receiving=False)
        from bot.errors import plain
        from bot.outbox import NotInstalled, not_posted

        try:
            slack_container(settings, db, SystemClock()).deps.notifier.matrix_changed(
                loaded, changes, "tandem matrix import"
            )
        except NotInstalled as missing:
            raise TandemError("Not announced: " + plain(not_posted(missing))) from None
        click.echo(f"Announced in {loaded.channel}.")


@contextmanager
def _store() -> Iterator[Store]:
    """One unit of work on the configured database, for the commands that read it."""
    from bot.app.bootstrap import open_database
    from storage.store import Units

    with Units(open_database(Settings.from_env(), writable=False))() as store:
        yield store


def _matrix(store: Store, org: str | None) -> Matrix:
    """The organisation named with --org, or the only one loaded."""
    keys = store.organisation_keys()
    if org and org not in keys:
        raise TandemError(f"No organisation '{org}'. Loaded: {', '.join(keys) or 'none'}.")
    if not org and len(keys) != 1:
        raise TandemError(
            "Name the organisation with --org: "
            + (", ".join(keys) if keys else "none is loaded yet (tandem matrix import FILE).")
        )
    matrix = store.load_matrix(org or keys[0])
    if matrix is None:  # removed between the two reads
        raise TandemError(f"No organisation '{org or keys[0]}' any more: load it again with tandem matrix import FILE.")
    return matrix


def _write(text: str, output: str | None) -> None:
    if output:
        with open(output, "w", encoding="utf-8") as handle:
            handle.write(text)
    else:
        click.echo(text, nl=False)


@matrix.command("export")
@click.option("--org", help="Organisation key (needed when several are loaded).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["yaml", "csv", "markdown"]),
    default="yaml",
    show_default=True,
    help="yaml: the matrix file itself; csv or markdown: the customer responsibility matrix.",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to this file instead of stdout.")
def matrix_export(org: str | None, fmt: str, output: str | None) -> None:
    """Write the loaded matrix back as a file, or as the customer responsibility matrix."""
    from bot.matrix.export import export_text
    from bot.services.crm import responsibility_matrix
    from bot.services.signoff import confirmed_texts

    now = SystemClock().now()
    with _store() as store:
        matrix = _matrix(store, org)
        if fmt == "yaml":
            text = export_text(matrix, confirmed_texts(store, matrix, now, with_ids=False))
        else:
            text = responsibility_matrix(store, matrix, fmt, now)
    _write(text, output)


@matrix.command("audit")
@click.option("--org", help="Organisation key (needed when several are loaded).")
@click.option("--file", "file", type=click.Path(dir_okay=False), help="Audit this file instead of the loaded matrix.")
def matrix_audit(org: str | None, file: str | None) -> None:
    """List the gaps where work falls between the two sides (and, for the loaded matrix, changes
    both sides have not confirmed and stale areas); exit 1 when there are any."""
    from bot.matrix.audit import find_gaps
    from bot.matrix.loader import load_file
    from bot.services.signoff import gaps as signoff_gaps

    if file:
        loaded = load_file(file)
        gaps = find_gaps(loaded)
    else:
        with _store() as store:
            loaded = _matrix(store, org)
            gaps = signoff_gaps(store, loaded, SystemClock().now())
    for gap in gaps:
        click.echo(f"{gap.subject}: {gap.problem} — {gap.fix}")
    if gaps:
        click.echo(f"{len(gaps)} gap(s) in {loaded.organisation}.", err=True)
        sys.exit(1)
    click.echo(f"No gaps in {loaded.organisation}.")


@main.group("export")
def export_group() -> None:
    """Export evidence for auditors."""


@export_group.command("handoffs")
@click.option("--since", default="", help="YYYY-MM-DD or e.g. 30d (default: the last 90 days).")
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True)
@click.option("--org", help="Organisation key (needed when several are loaded).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to this file instead of stdout.")
def export_handoffs(since: str, fmt: str, org: str | None, output: str | None) -> None:
    """Every handoff since a date: who, what, when, and whether its SLA was met."""
    from bot.services.cover import parse_since
    from bot.services.evidence import export_handoffs as build

    now = SystemClock().now()
    with _store() as store:
        matrix = _matrix(store, org)
        text = build(store, matrix, parse_since(since, now, matrix.timezone), now, fmt)
    _write(text, output)


@main.command("report")
@click.option("--org", help="Organisation key (needed when several are loaded).")
@click.option("--period", default="", help="2026-11, 2026-Q4 or 2026-10-01..2026-12-31 (default: last month).")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False), help="Write the HTML page here.")
@click.option("--pdf", "pdf", type=click.Path(dir_okay=False), help="Also print it to this PDF (needs Chromium).")
@click.option("--at", help="Make the review as if it were this time (ISO-8601 with offset); default now.")
def report(org: str | None, period: str, out: str, pdf: str | None, at: str | None) -> None:
    """The service review: SLA, handoffs, reviews, hours and the weeks ahead, as a page and a PDF."""
    from pathlib import Path

    from bot.app.report.page import render
    from bot.app.report.pdf import print_pdf
    from bot.services.report import period_for, review

    now = _clock(at).now()
    with _store() as store:
        matrix = _matrix(store, org)
        figures = review(store, matrix, period_for(matrix, period, now), now)
    page = Path(out)
    try:
        page.write_text(render(figures), encoding="utf-8")
    except OSError as exc:
        raise TandemError(f"Could not write {out}: {exc.strerror}.") from exc
    click.echo(f"Wrote {out}: the service review of {matrix.name} for {figures.period.label}.")
    if pdf:
        print_pdf(page, Path(pdf))
        click.echo(f"Wrote {pdf}.")
    click.echo(figures.summary)


@main.group("audit-log")
def audit_log() -> None:
    """The audit log: every matrix change, cover, handoff step, approval, hours and review, hash-chained."""


def _organisations(store: Store, org: str | None) -> list[str]:
    keys = store.organisation_keys()
    if org and org not in keys:
        raise TandemError(f"No organisation '{org}'. Loaded: {', '.join(keys) or 'none'}.")
    if not keys:
        raise TandemError("No matrix is loaded yet (tandem matrix import FILE), so there is no audit log.")
    return [org] if org else keys


@audit_log.command("export")
@click.option("--org", help="Organisation key (default: every organisation).")
@click.option("--since", default=None, help="YYYY-MM-DD or e.g. 30d (default: the whole log).")
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to this file instead of stdout.")
def audit_log_export(org: str | None, since: str | None, fmt: str, output: str | None) -> None:
    """Every audit event with its place in the hash chain (seq, previous hash, hash)."""
    from bot.services import audit_log as service
    from bot.services.cover import parse_since

    now = SystemClock().now()
    with _store() as store:
        keys = _organisations(store, org)
        start = None
        if since:
            zone = store.load_matrix(keys[0])
            start = parse_since(since, now, zone.timezone if zone else "UTC")
        text = service.export(store, keys, start, fmt, now)
    _write(text, output)


@audit_log.command("verify")
@click.option("--org", help="Organisation key (default: every organisation).")
def audit_log_verify(org: str | None) -> None:
    """Check the hash chain; exit 1 naming the first event that was changed, removed or reordered."""
    from bot.services import audit_log as service

    with _store() as store:
        verdicts = [service.check(store, key) for key in _organisations(store, org)]
    for verdict in verdicts:
        if verdict.broken is not None:
            click.echo(f"{verdict.organisation}: the audit log was tampered with: {verdict.broken.describe()}.")
        elif verdict.head is None:
            click.echo(f"{verdict.organisation}: no audit events yet.")
        else:
            click.echo(
                f"{verdict.organisation}: {verdict.events} events, chain intact; "
                f"head {verdict.head.seq} {verdict.head.hash} (keep this to check the log later)."
            )
    if any(not v.ok for v in verdicts):
        sys.exit(1)


@main.group()
def db() -> None:
    """Database maintenance."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply schema migrations."""
    from bot.app.bootstrap import open_database
    from storage.db import HEAD

    database = open_database(Settings.from_env())
    where = database.engine.url.render_as_string(hide_password=True)
    if database.upgraded_from:
        click.echo(f"Schema upgraded from {database.upgraded_from} to {HEAD} ({where}).")
    else:
        click.echo(f"Schema up to date at {HEAD} ({where}).")


@db.command("backup")
@click.argument("file", type=click.Path(dir_okay=False))
def db_backup(file: str) -> None:
    """Copy the SQLite database to FILE, consistently, while Tandem runs (PostgreSQL: use pg_dump)."""
    from pathlib import Path

    from storage.backup import backup_sqlite
    from storage.db import Database

    database = Database(
        Settings.from_env().database_url
    )  # not upgraded: a backup before an upgrade keeps the old schema
    version = backup_sqlite(database, Path(file).absolute())
    click.echo(f"Backed up {database.engine.url.render_as_string(hide_password=True)} to {file} (schema {version}).")
