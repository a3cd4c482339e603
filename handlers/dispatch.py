"""From a parsed `Command` to a `Reply`: the one place every surface goes through.

Slack listeners, the console and tests all call `run()`, so `/owner backups`,
`@tandem who owns backups?` and a console line give the same answer. Each entry is a few
lines: call one service, pick one view. Typed user errors become a sentence here.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.contract.hours import parse_period
from bot.contract.model import parse_hours
from bot.contract.signoff import area_signoff, area_signoffs
from bot.digests.fleet import FleetSchedule
from bot.errors import TandemError
from bot.grammar import LOG_USAGE, Command
from bot.outbox import not_posted, root_key
from bot.ports import Notifier, Store, Through
from bot.services import audit_log, evidence, fleet
from bot.services import cover as cover_service
from bot.services import digests as digest_service
from bot.services import handoffs as handoff_service
from bot.services import hours as hours_service
from bot.services import matrices as matrix_service
from bot.services import overflow as overflow_service
from bot.services import owner as owner_service
from bot.services import person as person_service
from bot.services import report as report_service
from bot.services import reviews as review_service
from bot.services import rotas as rota_service
from bot.services import signoff as signoff_service
from bot.services.answers import AnswerCache, Held
from bot.services.cover import parse_since
from bot.services.deps import Deps
from bot.services.matrices import LoadedMatrix, MatrixCache
from bot.services.schedule import claimed, deliver_claimed
from handlers.views.approval import asked_reply
from handlers.views.blocks import Reply, section, with_problem
from handlers.views.fleet import fleet_reply
from handlers.views.handoff import opened_reply, sla_reply, status_reply
from handlers.views.hours import hours_reply, logged_reply
from handlers.views.leave import cover_end_reply, cover_list_reply, cover_reply
from handlers.views.markup import escape
from handlers.views.matrix import (
    area_reply,
    audit_reply,
    error_reply,
    hello_reply,
    help_reply,
    matrix_reply,
    owner_help_reply,
    thanks_reply,
)
from handlers.views.owner import owner_reply
from handlers.views.person import person_reply
from handlers.views.reminders import done_reply, reviews_reply
from handlers.views.rota import rota_reply
from handlers.views.signoff import confirm_reply, signoff_line, signoff_mark

log = logging.getLogger(__name__)


@dataclass
class Request:
    """Who is asking, where, and when; with the unit of work that serves them."""

    store: Store
    matrices: MatrixCache
    notifier: Notifier
    user: str
    channel: str | None
    now: datetime
    answers: AnswerCache
    team: str | None = None  # the installation's workspace: which organisations it may reach
    render_review: report_service.Render | None = None
    fleet: FleetSchedule | None = None  # where and when the fleet digest goes; None: nowhere
    posts: list[str] = field(default_factory=list)  # outbox keys claimed in the unit, sent once it commits

    def loaded(self) -> LoadedMatrix:
        return self.matrices.for_request(self.store, self.channel, self.user, self.team)

    def cached(self, loaded: LoadedMatrix, cmd: Command, make: Callable[[], Reply]) -> Reply:
        """`make()`, or the same answer made earlier from the same data: for the `kept`
        commands and `/tandem hours`, whose answers depend on nothing but `answer_key`."""
        return self.answers.get(self.answer_key(loaded, cmd), make)

    def answer_key(self, loaded: LoadedMatrix, cmd: Command) -> Hashable | None:
        """All a kept answer depends on: the words, the organisation, the versions of its data
        (matrix, leave, sign-off), the minute and the asker's side (who a handoff would ping);
        for `/tandem sla` the handoffs' versions (and the leave's: who decides the overflow held
        for approval), for `/tandem hours` the hours' and the day.
        None when the versions were not read by this read-only unit (a unit that writes): not kept."""
        org = loaded.matrix.organisation
        if cmd.name == "sla":  # kept as `Held`: it changes at instants of its own, not at a minute
            listed, duty = self.store.read_handoff_versions(org), self.store.read_versions(org)
            only = handoff_service.sla_filter(cmd.text, self.user, self.now)
            return None if not listed else (cmd.name, cmd.text, org, listed, duty, only and only.person)
        if cmd.name == "hours":  # the same to everyone all day, until the matrix or the hours move on
            logged = self.store.read_hours_versions(org)
            return None if not logged else (cmd.name, cmd.text, org, logged, _today(loaded, self.now))
        versions = self.store.read_versions(org)
        if not versions:
            return None
        minute = self.now.replace(second=0, microsecond=0)
        return cmd.name, cmd.text, org, versions, minute, loaded.matrix.side_of(self.user)

    def held(self, loaded: LoadedMatrix, cmd: Command) -> Reply | None:
        """The kept answer to `cmd`, if one was made and still holds now; nothing is made here."""
        found = self.answers.peek(self.answer_key(loaded, cmd))
        reply: Reply | None = found.at(self.now) if isinstance(found, Held) else found
        return reply


def kept(cmd: Command) -> bool:
    """The commands whose answer is kept: `/owner <words>`, the whole matrix and `/tandem
    hours` (by `Request.cached`), and `/tandem sla` (by `sla`, as `Held`)."""
    return cmd.name in ("owner", "sla", "hours") or (cmd.name == "matrix" and not cmd.text.strip())


def owner(req: Request, cmd: Command) -> Reply:
    loaded = req.loaded()

    def make() -> Reply:
        result = owner_service.ask(req.store, loaded, cmd.text, req.now, req.user)
        signed = None
        if result.answer:
            changes = req.store.change_sets(loaded.matrix.organisation)
            signed = area_signoff(loaded.matrix, changes, result.answer.area.key, req.now)
        return owner_reply(loaded.matrix, result, cmd.text, signoff_line(loaded.matrix, signed, req.now))

    return req.cached(loaded, cmd, make)


def person(req: Request, cmd: Command) -> Reply:
    matrix = req.loaded().matrix
    return person_reply(matrix, person_service.duties(req.store, matrix, cmd.target or "", req.now))


def show_help(req: Request, cmd: Command) -> Reply:
    return owner_help_reply() if cmd.text == "owner" else help_reply()


def thanks(req: Request, cmd: Command) -> Reply:
    return thanks_reply()


def hello(req: Request, cmd: Command) -> Reply:
    return hello_reply()


def not_understood(req: Request, cmd: Command) -> Reply:
    return help_reply(cmd.text or None)


def _no_words(cmd: Command, usage: str, does: str) -> None:
    """A command that takes nothing after it says so, rather than quietly ignoring what was typed."""
    if cmd.text.strip():
        raise TandemError(f"{usage} takes nothing after it ({does}), so I did not act on '{cmd.text.strip()}'.")


def matrix(req: Request, cmd: Command) -> Reply:
    loaded = req.loaded()
    changes = req.store.change_sets(loaded.matrix.organisation)
    if kept(cmd):

        def make() -> Reply:
            marks = {key: signoff_mark(state) for key, state in area_signoffs(loaded.matrix, changes, req.now).items()}
            return matrix_reply(loaded.matrix, marks)

        return req.cached(loaded, cmd, make)
    area = matrix_service.area_named(loaded, cmd.text)
    signed = area_signoff(loaded.matrix, changes, area.key, req.now)
    return area_reply(loaded.matrix, area, signoff_line(loaded.matrix, signed, req.now))


def gaps(req: Request, cmd: Command) -> Reply:
    _no_words(cmd, "`/tandem gaps`", "it lists every gap in the matrix")
    matrix = req.loaded().matrix
    return audit_reply(matrix, signoff_service.gaps(req.store, matrix, req.now))


def confirm(req: Request, cmd: Command) -> Reply:
    _no_words(cmd, "`/tandem confirm`", "it confirms the whole matrix as it stands for your side")
    matrix = req.loaded().matrix
    done = signoff_service.confirm_now(req.store, matrix, req.user, req.now, req.notifier)
    return confirm_reply(matrix, done, req.user)


def cover(req: Request, cmd: Command) -> Reply:
    matrix = req.loaded().matrix
    period = cover_service.set_cover(
        req.store, matrix, req.user, cmd.person or "", cmd.until or "", cmd.by, req.now, cmd.start
    )
    return cover_reply(matrix, period, req.now)


def cover_list(req: Request, cmd: Command) -> Reply:
    matrix = req.loaded().matrix
    return cover_list_reply(matrix, cover_service.booked(req.store, matrix, req.now), req.now)


def cover_end(req: Request, cmd: Command) -> Reply:
    matrix = req.loaded().matrix
    return cover_end_reply(
        matrix, cover_service.end_cover(req.store, matrix, req.user, cmd.person or "", req.now), req.now
    )


def rota(req: Request, cmd: Command) -> Reply:
    matrix = req.loaded().matrix
    return rota_reply(matrix, rota_service.show(req.store, matrix, cmd.text, req.now), req.now)


def handoff(req: Request, cmd: Command) -> Reply:
    loaded = req.loaded()
    opened, ping = handoff_service.open_handoff(req.store, loaded, req.user, cmd, req.now)
    req.posts.append(root_key(opened.number))
    named = handoff_service.area_it_names(loaded, opened) if cmd.target is None else None
    return opened_reply(loaded.matrix, opened, ping, named)


def ask_overflow(req: Request, cmd: Command) -> Reply:
    loaded = req.loaded()
    asked = overflow_service.ask(req.store, loaded, req.user, cmd, req.now)
    req.posts += [root_key(asked.handoff.number)] if isinstance(asked, overflow_service.Opened) else asked.posts
    return asked_reply(loaded.matrix, asked)


def sla(req: Request, cmd: Command) -> Reply:
    """Kept while the handoffs are unchanged, for the instants until a count or a listed
    clock would read differently (`handoff_service.sla_holds_until`)."""
    loaded = req.loaded()
    only = handoff_service.sla_filter(cmd.text, req.user, req.now)
    held = req.held(loaded, cmd)
    if held is not None:
        return held
    overview = handoff_service.sla_overview(req.store, loaded, req.now, only=only)
    reply = sla_reply(loaded.matrix, overview, req.now)
    key = req.answer_key(loaded, cmd)
    if key is not None:
        until = handoff_service.sla_holds_until(req.store, loaded, overview, req.now)
        if until is None or until > req.now:
            req.answers.put(key, Held(reply, req.now, until))
    return reply


def status(req: Request, cmd: Command) -> Reply:
    number = cmd.text.strip().lstrip("#")
    if not re.fullmatch(r"[0-9]{1,9}", number):
        raise TandemError("Say which handoff: status <number>, e.g. @tandem status 42")
    loaded = req.loaded()
    return status_reply(loaded.matrix, handoff_service.find(req.store, loaded, int(number)), req.now)


def export(req: Request, cmd: Command) -> Reply:
    matrix = req.loaded().matrix
    since = parse_since(cmd.text, req.now, matrix.timezone)
    comment = escape(evidence.share_handoffs(req.store, matrix, req.user, since, req.channel, req.now, req.notifier))
    return Reply(comment, [section(f":page_facing_up: {comment} The file is in this conversation.")])


def share_evidence(req: Request, cmd: Command) -> Reply:
    loaded = req.loaded()
    comment = audit_log.share_evidence(
        req.store, loaded.matrix, loaded.index, req.user, cmd.text, req.channel, req.now, req.notifier
    )
    return Reply(escape(comment), [section(f":page_facing_up: {escape(comment)} The file is in this conversation.")])


def log_hours(req: Request, cmd: Command) -> Reply:
    loaded = req.loaded()
    try:
        minutes = parse_hours(cmd.amount or "", allow_negative=True)
    except ValueError as error:
        raise TandemError(f"{error}. {LOG_USAGE}") from error
    logged = hours_service.log_hours(req.store, loaded, req.user, int(cmd.target or 0), minutes, cmd.text, req.now)
    req.posts.extend(hours_service.logged_posts(logged))
    return logged_reply(logged)


def _today(loaded: LoadedMatrix, now: datetime) -> date:
    return now.astimezone(ZoneInfo(loaded.matrix.timezone)).date()


def hours(req: Request, cmd: Command) -> Reply:
    """Kept by `Request.cached` under the matrix and hours versions and the day: the handoffs
    it names are ones hours were logged on, and what it shows of them (number, kind, priority,
    summary) is fixed once they are opened, so a handoff's steps change nothing in it."""
    loaded = req.loaded()
    matrix = loaded.matrix

    def make() -> Reply:
        per = matrix.contract.hours.per if matrix.contract and matrix.contract.hours else "month"
        report = hours_service.report(req.store, matrix, parse_period(cmd.text, _today(loaded, req.now), per), req.now)
        handoffs = {n: h for n, _ in report.by_handoff[:10] if (h := req.store.get_handoff(matrix.organisation, n))}
        return hours_reply(matrix, report, handoffs)

    return req.cached(loaded, cmd, make)


def reviews(req: Request, cmd: Command) -> Reply:
    _no_words(cmd, "`/tandem reviews`", "it lists every review overdue or due in the next 7 days")
    matrix = req.loaded().matrix
    return reviews_reply(matrix, review_service.statuses(req.store, matrix, req.now))


def done(req: Request, cmd: Command) -> Reply:
    matrix = req.loaded().matrix
    done = review_service.complete(req.store, matrix, cmd.target or "", req.user, cmd.text, req.now)
    return done_reply(done, matrix, req.user, cmd.text)


def digest(req: Request, cmd: Command) -> Reply:
    if cmd.text.strip().lower() == "fleet":
        return fleet_digest(req)
    matrix = req.loaded().matrix
    kind = digest_service.kind_named(cmd.text)
    channel, key = digest_service.post_now(req.store, matrix, req.user, kind, req.now)
    req.posts.append(key)
    return Reply(f"Posted the digest in <#{channel}>.", [section(f":newspaper: Posted the digest in <#{channel}>.")])


def fleet_digest(req: Request) -> Reply:
    channel, key = fleet.post_now(req.store, req.matrices, req.fleet, req.user, req.now)
    if key is None:
        said = f"The fleet digest was asked for a moment ago: it is posted once, in <#{channel}>."
    else:
        req.posts.append(key)
        said = f"Posted the fleet digest in <#{channel}>."
    return Reply(said, [section(f":newspaper: {said}")], private=True)


def show_fleet(req: Request, cmd: Command) -> Reply:
    _no_words(cmd, "`/tandem fleet`", "it lists every client you are a provider admin for")
    return fleet_reply(fleet.clients(req.store, req.matrices, req.user, req.now))


def report(req: Request, cmd: Command) -> Reply:
    if req.render_review is None:
        raise TandemError("The service review is not drawn here: make it with tandem report on the server.")
    matrix = req.loaded().matrix
    shared = report_service.share_review(
        req.store, matrix, req.user, cmd.text, req.channel, req.now, req.notifier, req.render_review
    )
    return Reply(escape(shared), [section(f":bar_chart: {escape(shared)} The page is in this conversation.")])


ROUTES: dict[str, Callable[[Request, Command], Reply]] = {
    "owner": owner,
    "person": person,
    "help": show_help,
    "matrix": matrix,
    "gaps": gaps,
    "confirm": confirm,
    "cover": cover,
    "cover_list": cover_list,
    "cover_end": cover_end,
    "rota": rota,
    "handoff": handoff,
    "overflow": ask_overflow,
    "sla": sla,
    "status": status,
    "export": export,
    "evidence": share_evidence,
    "log": log_hours,
    "hours": hours,
    "report": report,
    "reviews": reviews,
    "done": done,
    "digest": digest,
    "fleet": show_fleet,
    "thanks": thanks,
    "hello": hello,
    "unknown": not_understood,
}
# Commands that only read: Slack gets their answer in the acknowledgement itself.
READ_ONLY = frozenset(
    {
        "owner",
        "person",
        "help",
        "thanks",
        "hello",
        "matrix",
        "gaps",
        "unknown",
        "sla",
        "status",
        "reviews",
        "hours",
        "cover_list",
        "rota",
    }
)


# Commands that only read but take too long for the acknowledgement: answered after it, in a
# unit that waits for no writer and holds none up.
READ_LATER = frozenset({"report", "export", "evidence"})


def kept_answer(
    deps: Deps,
    command: Command,
    user: str,
    channel: str | None,
    team: str | None,
    actor_team: str | None,
    through: Through | None = None,
) -> Reply | None:
    """What `answer()` would reply, when that is an answer made before and kept under the
    same `Request.answer_key`; None when it would have to be made, or would be a sentence
    about a mistake: then `answer()` runs. It reads the one locating query and no more.

    `actor_team`: the workspace the asker acts from when it is another than the installation's
    (and not known to be one of its org's): answered only if the matrix lists them, as the
    strangers' middleware admits them (`matrices.admit`); else that middleware decides.
    `through`: the OAuth installation the request came through, which the locating query
    finds there (`UnitOfWork`), or nothing is located and Bolt looks it up."""
    if not kept(command):
        return None
    try:
        with deps.units(read_only=True, through=through) as store:
            request = Request(store, deps.matrices, deps.notifier, user, channel, deps.clock.now(), deps.answers, team)
            loaded = request.loaded()
            matrix_service.admit(loaded.matrix, user, actor_team, team)
            return request.held(loaded, command)
    except TandemError:
        return None


def answer(deps: Deps, parse: Callable[[], Command], user: str, channel: str | None, team: str | None = None) -> Reply:
    """Parse the words, run the command in one unit of work and render its reply.

    This is where a `TandemError` from any command becomes the user's sentence."""
    try:
        command = parse()
        with deps.units(read_only=command.name in READ_ONLY | READ_LATER) as store:
            request = Request(
                store,
                deps.matrices,
                deps.notifier,
                user,
                channel,
                deps.clock.now(),
                deps.answers,
                team,
                deps.render_review,
                deps.fleet,
            )
            reply = ROUTES.get(command.name, not_understood)(request, command)
            posts = claimed(store, request.posts, request.now)
    except TandemError as error:
        return error_reply(error)
    problems = deliver_claimed(deps, posts)
    return with_problem(reply, not_posted(problems[0])) if problems else reply
