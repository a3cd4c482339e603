"""One command grammar for slash commands, @-mentions and the console.

`parse_command("/handoff", "P2 provider: firewall rule")` and
`parse_mention("<@W111> handoff P2 provider: firewall rule")` give the same `Command`,
so every surface behaves alike. Parsing is pure: dates stay text until the service
reads them against the organisation's calendar.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.errors import TandemError
from bot.text import clean

PRIORITY = re.compile(r"^[Pp]([0-9]+)$")
USER = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$|^@([UW][A-Z0-9]{2,})$")
MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")  # a mention Slack made, not typed text
SIDE_OR_GROUP = re.compile(r"^(?:internal|provider)(?:\.[a-z0-9][a-z0-9_-]*)?$")
LEADING_MENTION = re.compile(r"^\s*<@[UW][A-Z0-9]+(?:\|[^>]*)?>[\s,:]*")
TANDEM_SUBCOMMANDS = (
    "help",
    "sla",
    "reviews",
    "done",
    "cover",
    "rota",
    "rotas",
    "matrix",
    "gaps",
    "audit",
    "digest",
    "export",
    "evidence",
    "status",
    "log",
    "hours",
    "fleet",
    "report",
    "confirm",
)
# Other words for the same subcommand: `/tandem audit` was the gap audit's first name.
ALIASES = {"audit": "gaps", "rotas": "rota"}
# "who owns", "who's on call for", "whos responsible for", "who is on duty for" … (straight or curly ')
OWNER_PHRASES = re.compile(
    r"^(?:who(?:['’]?s|\s+is)?\s+(?:owns?|responsible\s+for|handles|looks\s+after|covers?"
    r"|on[\s-]+(?:call|duty)(?:\s+for)?|is\s+on)|owner\s+(?:of|for)|owner|owns?)\b\s*",
    re.IGNORECASE,
)
# A word of thanks or a greeting gets a line back, not the whole help.
THANKS = re.compile(
    r"^(?:many\s+)?(?:thanks|thank\s+you|thx|ty|cheers|ta)\b(?:\s+(?:so\s+much|a\s+lot|very\s+much|again|tandem|mate|all))*"
    r"[\s!.,:)]*$",
    re.IGNORECASE,
)
GREETING = re.compile(
    r"^(?:hi|hello|hey|hiya|morning|good\s+(?:morning|afternoon|evening))(?:\s+tandem)?[\s!.,]*$", re.I
)


class GrammarError(TandemError):
    """The words were understood but something in them is wrong (a bad priority, no date)."""


@dataclass(frozen=True)
class Command:
    name: str  # owner, person (/owner @someone), handoff, overflow, a /tandem subcommand (aliases resolved),
    # cover_list, cover_end, thanks, hello, or unknown
    text: str = ""  # the query, summary or evidence
    priority: str | None = None
    target: str | None = None  # a Slack id, a side or side.group, or (from the modal) an area key
    person: str | None = None  # cover: who is away
    start: str | None = None  # cover: when the leave starts, as typed (None: now)
    until: str | None = None  # cover: when it ends, as typed
    by: str | None = None  # cover: who covers
    amount: str | None = None  # log: the hours as typed


def user_id(token: str) -> str | None:
    match = USER.match(token)
    return (match.group(1) or match.group(2)) if match else None


def _priority(tokens: list[str]) -> tuple[str | None, list[str]]:
    if tokens and (match := PRIORITY.match(tokens[0])):
        number = int(match.group(1))
        if not 1 <= number <= 4:
            raise GrammarError(
                f"{tokens[0]} is not a priority: use P1 (critical) to P4 (low), or leave it out for the default."
            )
        return f"P{number}", tokens[1:]
    return None, tokens


def _handoff(name: str, rest: str) -> Command:
    """A handoff's priority and target, the rest its summary.

    Only a real mention, a side or a side's group is read as the target here; a word before a
    colon may still name an area (`backups: …`), which only the matrix can tell, so it stays in
    the summary for the service to read (`URGENT: …` is a summary, not a target)."""
    priority, tokens = _priority(rest.split())
    target = None
    if name == "handoff" and tokens:
        first = tokens[0].rstrip(":,")
        if (match := MENTION.match(first)) is not None:
            target, tokens = match.group(1), tokens[1:]
        elif SIDE_OR_GROUP.match(first.lower()):
            target, tokens = first.lower(), tokens[1:]
        if priority is None and target is not None:
            priority, tokens = _priority(tokens)
    if priority is None:
        priority, tokens = _late_priority(tokens)
    return Command(name, " ".join(tokens).strip(), priority=priority, target=target)


def _late_priority(tokens: list[str]) -> tuple[str | None, list[str]]:
    """A priority written after the first word or after an `area:` head (`backups P1 …`,
    `file server: P2 …`), as people type it: read as the priority rather than left in the
    summary, where a P1 would silently open with the default clock. Only P1 to P4 counts
    there; a `P5` that late is more likely a model number than a typo, so it stays text."""
    head = next((i + 1 for i, token in enumerate(tokens[:4]) if token.endswith(":")), 1)
    for at in (1, head):
        match = PRIORITY.match(tokens[at]) if at < len(tokens) else None
        if match and 1 <= int(match.group(1)) <= 4:
            return f"P{int(match.group(1))}", tokens[:at] + tokens[at + 1 :]
    return None, tokens


def addressed(text: str) -> tuple[str, str] | None:
    """`("backups", "the job failed")` for "backups: the job failed": a short head before a
    colon that may name who the handoff is for; None when there is none (or it is a URL's)."""
    head, colon, tail = text.partition(":")
    if colon and 0 < len(head.split()) <= 4 and not tail.startswith("//"):
        return head.strip(), tail.strip()
    return None


COVER_USAGE = (
    "Write it as: /tandem cover @who [from WHEN] until WHEN [by @whom], e.g. "
    "/tandem cover @ben from monday until 2026-12-24 17:00 by @alice; "
    "or /tandem cover list, or /tandem cover end @who"
)
_COVER = re.compile(r"^(\S+)(?:\s+from\s+(.+?))?\s+until\s+(.+?)(?:\s+by\s+(\S+))?$", re.IGNORECASE)


def _cover(rest: str) -> Command:
    """`cover @who [from WHEN] until WHEN [by @whom]`, `cover list`, `cover end @who`."""
    rest = rest.strip()
    word, _, tail = rest.partition(" ")
    if word.lower() in ("list", "ls", "") and not tail:
        return Command("cover_list")
    if word.lower() in ("end", "cancel", "stop"):
        if len(tail.split()) != 1:
            raise GrammarError("Say whose leave ends: /tandem cover end @who, e.g. /tandem cover end @ben")
        return Command("cover_end", person=tail.strip())
    match = _COVER.match(rest)
    if not match:
        raise GrammarError(COVER_USAGE)
    who, start, until, by = match.groups()
    return Command("cover", person=who, start=start.strip() if start else None, until=until.strip(), by=by)


LOG_USAGE = "Write it as: /tandem log HOURS on NUMBER [what was done], e.g. /tandem log 1.5h on 42 imaged 6 laptops"
_LOG = re.compile(
    r"^\s*(\S+(?:\s+(?:h|hrs?|hours?|m|mins?|minutes?)\b)?)\s+(?:on\s+)?(?:#|handoff\s+#?|overflow\s+#?)?(\d+)\b[\s:,-]*(.*)$",
    re.IGNORECASE,
)


def _log(rest: str) -> Command:
    """`log 1.5h on 42 [note]`: the hours stay text until the service reads them."""
    match = _LOG.match(rest)
    if not match:
        raise GrammarError(LOG_USAGE)
    amount, number, note = match.groups()
    return Command("log", note.strip(), target=number, amount=amount)


def _tandem(rest: str) -> Command:
    word, _, tail = rest.strip().partition(" ")
    word = word.lower()
    tail = tail.strip()
    if word in ("", "help", "?"):
        return Command("help", tail)
    if word == "cover":
        return _cover(tail)
    if word == "log":
        return _log(tail)
    if word == "done":
        review, _, evidence = tail.partition(" ")
        if not review:
            raise GrammarError(
                "Say which review: /tandem done REVIEW-KEY [evidence], e.g. /tandem done restore-test restored 3 files OK"
            )
        return Command("done", evidence.strip(), target=review)
    if word in TANDEM_SUBCOMMANDS:
        return Command(ALIASES.get(word, word), tail)
    if word in ("owner", "who"):
        return parse_mention(rest)
    if word in ("handoff", "overflow"):
        return _handoff(word, tail)
    return Command("unknown", rest.strip())


def parse_command(command: str, text: str) -> Command:
    """A slash command and its text, as Slack sends them."""
    name = command.lstrip("/").lower()
    text = clean(text or "").strip()
    if name == "owner":
        return _owner(_question(text)) if text else Command("help", "owner")
    if name in ("handoff", "overflow"):
        return _handoff(name, text)
    if name == "tandem":
        return _tandem(text)
    return Command("unknown", f"{command} {text}".strip())


def _owner(query: str) -> Command:
    """`/owner backups` asks about an area; `/owner @priya` asks what Priya covers."""
    match = MENTION.match(query)
    return Command("person", target=match.group(1)) if match else Command("owner", query)


def _question(text: str) -> str:
    return text.strip().rstrip("?!. ").strip()


def parse_mention(text: str) -> Command:
    """The text of an @-mention: the bot's own mention removed, then the same grammar."""
    text = LEADING_MENTION.sub("", clean(text or "")).strip()
    first, _, rest = text.partition(" ")
    lowered = first.lower().rstrip(":,")
    if not text:
        return Command("help")
    if lowered in ("handoff", "overflow"):
        return _handoff(lowered, rest)
    if lowered in TANDEM_SUBCOMMANDS:
        return _tandem(text)
    if OWNER_PHRASES.match(text):
        query = _question(OWNER_PHRASES.sub("", text, count=1))
        return _owner(query) if query else Command("help", "owner")
    if THANKS.match(text):
        return Command("thanks")
    if GREETING.match(text):
        return Command("hello")
    return Command("unknown", text)


def parse_line(line: str) -> Command:
    """A console line: a slash command, or mention text (with or without `@tandem`)."""
    line = line.strip()
    if line.startswith("/"):
        command, _, text = line.partition(" ")
        return parse_command(command, text)
    return parse_mention(re.sub(r"^@tandem\b[\s,:]*", "", line, flags=re.IGNORECASE))
