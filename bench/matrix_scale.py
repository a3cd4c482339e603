"""A 10,000-area matrix: import time, resolution latency and accuracy, `/owner` end to end.

    .venv/bin/python -m bench.matrix_scale [--areas 10000] [--queries 2000] [--seed 7] [--keep DIR] [--postgres URL]

Builds, in a temporary directory, a matrix file with the sides, SLA and calendar of
`examples/matrix.yml` and N generated areas named "{site} {system} {function}" (three
aliases each, unique after `bot.matrix.names.normalize`, checked by the real loader), then:

* imports it into a fresh SQLite database (or, with `--postgres URL`, a new PostgreSQL one) (`bootstrap.open_database` + `import_file`),
  and re-imports it unchanged (and, with --with-change, with one alias changed);
* resolves ~2,000 queries with `AreaIndex.resolve` (exact keys, aliases, typos, sentences,
  word-order swaps, unknown phrases) and reports latency and how often the intended area won;
* answers the same queries as `/owner` through `Runtime.answer` on that database.

Targets: import < 5 s; resolution p99 < 5 ms. Prints a table; always exits 0. Takes about
two minutes on a 2-core machine, most of it parsing YAML (the file is parsed three times).
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import random
import re
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.common import EXAMPLE, machine_busy_seconds, percentile, table, verdict
from bench.databases import add_postgres_argument, bench_database

IMPORT_TARGET_S = 5.0
RESOLVE_P99_TARGET_MS = 5.0

# (name, short code) — the code is how people abbreviate the site in tickets.
SITES = [
    ("London", "LON"),
    ("Leeds", "LDS"),
    ("Bristol", "BRS"),
    ("Manchester", "MAN"),
    ("Glasgow", "GLA"),
    ("Cardiff", "CWL"),
    ("Belfast", "BFS"),
    ("Dublin", "DUB"),
    ("Edinburgh", "EDI"),
    ("York", "YRK"),
    ("Oxford", "OXF"),
    ("Cambridge", "CBG"),
    ("Brighton", "BTN"),
    ("Norwich", "NWI"),
    ("Exeter", "EXT"),
    ("Plymouth", "PLY"),
    ("Bath", "BTH"),
    ("Derby", "DBY"),
    ("Leicester", "LCS"),
    ("Nottingham", "NTG"),
    ("Sheffield", "SHF"),
    ("Liverpool", "LPL"),
    ("Newcastle", "NCL"),
    ("Aberdeen", "ABZ"),
    ("Reading", "RDG"),
    ("Swindon", "SWI"),
    ("Head Office", "HQ"),
    ("Warehouse", "WHS"),
    ("Dental Lab", "LAB"),
    ("Training Centre", "TRC"),
]
# (name, alias)
SYSTEMS = [
    ("firewall", "fw"),
    ("VPN", "remote access"),
    ("Wi-Fi", "wireless"),
    ("switches", "lan switches"),
    ("printers", "print queue"),
    ("laptops", "notebooks"),
    ("desktops", "workstations"),
    ("servers", "server room"),
    ("backups", "backup jobs"),
    ("file shares", "shared drives"),
    ("email", "mailboxes"),
    ("phones", "VoIP"),
    ("mobile devices", "MDM"),
    ("CCTV", "cameras"),
    ("door access", "badge readers"),
    ("UPS", "battery backup"),
    ("NAS", "storage array"),
    ("SQL database", "database server"),
    ("ERP", "finance system"),
    ("CRM", "sales system"),
    ("payroll", "payroll system"),
    ("Active Directory", "AD"),
    ("DNS", "name servers"),
    ("DHCP", "IP leases"),
    ("certificates", "SSL certs"),
    ("antivirus", "endpoint protection"),
    ("web filter", "content filtering"),
    ("intranet", "staff portal"),
    ("website", "public site"),
    ("domain names", "domains"),
    ("scanners", "document scanners"),
    ("projectors", "meeting room AV"),
    ("tablets", "iPads"),
    ("kiosks", "check-in screens"),
    ("label printers", "Zebra printers"),
    ("patient records", "PMS"),
    ("x-ray imaging", "radiography"),
    ("card terminals", "PDQ machines"),
    ("SharePoint", "document library"),
    ("Teams rooms", "video conferencing"),
]
FUNCTIONS = [
    ("monitoring", "alerts"),
    ("patching", "updates"),
    ("configuration", "config changes"),
    ("licensing", "licences"),
    ("hardware repair", "repairs"),
    ("user access", "permissions"),
    ("capacity planning", "capacity"),
    ("procurement", "purchasing"),
    ("documentation", "runbooks"),
    ("support", "helpdesk tickets"),
]
UNKNOWN = [
    "coffee machine descaling",
    "office plants watering",
    "canteen menu",
    "parking permits",
    "fire drill rota",
    "christmas party budget",
    "window cleaning",
    "car park barrier",
    "stationery order",
    "lost property",
    "kitchen dishwasher",
    "fridge clear out",
    "bike shed keys",
    "reception flowers",
    "cleaning contract",
    "sandwich order",
    "team photo",
    "desk booking etiquette",
    "holiday calendar colours",
    "birthday cards",
]
SENTENCES = [
    "who owns the {} ?",
    "who looks after {} please",
    "{} is broken again",
    "who is responsible for {}?",
    "can you handle the {} issue",
    "problem with {} since monday",
    "owner of {} at the moment",
    "our {} looks wrong",
    "who handles {} tonight",
]

SLUG = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class GenArea:
    key: str
    name: str
    aliases: tuple[str, ...]
    site: str
    code: str
    system: str
    function: str


def slug(text: str) -> str:
    return SLUG.sub("-", text.lower()).strip("-")


def generate_areas(count: int, rng: random.Random) -> list[GenArea]:
    from bot.matrix.names import normalize

    combos = [(s, sy, f) for s in SITES for sy in SYSTEMS for f in FUNCTIONS]
    if count > len(combos):
        raise SystemExit(f"at most {len(combos)} areas can be generated from this vocabulary")
    rng.shuffle(combos)
    used: set[str] = set()
    areas = []
    for (site, code), (system, system_alias), (function, function_alias) in combos[:count]:
        name = f"{site} {system} {function}"
        key = slug(name)
        labels = [normalize(key.replace("-", " ")), normalize(name)]
        if any(n in used for n in labels):  # cannot happen with this vocabulary, but be sure
            continue
        used.update(labels)
        aliases = []
        for alias in (
            f"{code} {system} {function}",
            f"{site} {system_alias} {function}",
            f"{site} {system} {function_alias}",
        ):
            norm = normalize(alias)
            if norm not in used:
                used.add(norm)
                aliases.append(alias)
        areas.append(GenArea(key, name, tuple(aliases), site, code, system, function))
    return areas


# -- the matrix file -------------------------------------------------------------------
INTERNAL = ["U0ALICE01", "U0BEN0001", "U0CARA001"]
PROVIDER = ["U0PRIYA01", "U0SAM0001", "U0TOM0001", "U0NOC0001"]
PARTIES = ["internal", "provider", "provider.soc", "provider.helpdesk"]


def _flow(values: list[str]) -> str:
    return "[" + ", ".join(json.dumps(v) for v in values) + "]"


def area_yaml(area: GenArea, rng: random.Random) -> str:
    lines = [f"  - key: {area.key}", f"    name: {json.dumps(area.name)}", f"    aliases: {_flow(list(area.aliases))}"]
    roll = rng.random()
    if roll < 0.10:
        responsible, lead = "shared", rng.choice(["internal", "provider"])
    elif roll < 0.25:
        responsible, lead = rng.choice(INTERNAL + PROVIDER), None
    else:
        responsible, lead = rng.choice(PARTIES), None
    lines.append(f"    responsible: {responsible}")
    if lead:
        lines.append(f"    lead: {lead}")
    lines.append(f"    accountable: {rng.choice(['U0ALICE01', 'U0PRIYA01', 'U0BEN0001'])}")
    if rng.random() < 0.6:
        lines.append(f"    consulted: {_flow(rng.sample(PARTIES[:2] + INTERNAL[:1] + PROVIDER[:1], 1))}")
    if rng.random() < 0.4:
        lines.append(f"    informed: {_flow(rng.sample(['internal', 'provider', 'U0ALICE01'], 1))}")
    coverage_24x7 = rng.random() < 0.15
    if coverage_24x7 or rng.random() < 0.4:
        lines.append(f"    after_hours: {rng.choice(['provider', 'provider.soc', 'provider.helpdesk'])}")
    if coverage_24x7:
        lines.append("    coverage: 24x7")
    if rng.random() < 0.2:
        lines.append(f"    priority: {rng.choice(['P1', 'P2', 'P3', 'P4'])}")
    if rng.random() < 0.7:
        lines.append(f"    escalation: {_flow(rng.sample(['U0PRIYA01', 'U0ALICE01', 'U0TOM0001'], rng.randint(1, 2)))}")
    return "\n".join(lines)


def matrix_text(areas: list[GenArea], rng: random.Random) -> str:
    """The example file with its areas replaced by the generated ones (reviews re-pointed)."""
    example = EXAMPLE.read_text(encoding="utf-8")
    head, rest = example.split("\nareas:\n", 1)
    _, reviews = rest.split("\nreviews:\n", 1)
    review_areas = iter(rng.sample([a.key for a in areas], 10))
    reviews = re.sub(r"(\n    area: )\S+", lambda m: m.group(1) + next(review_areas), "\n" + reviews)
    body = "\n\n".join(area_yaml(a, rng) for a in areas)
    return f"{head}\nareas:\n{body}\n\nreviews:{reviews}"


# -- queries ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Query:
    kind: str
    text: str
    intended: str | None  # the area key a person meant; None for unknown phrases


def typo(word: str, rng: random.Random) -> str:
    if rng.random() < 0.5:  # swap two adjacent letters (not the first)
        i = rng.randrange(1, len(word) - 1)
        if word[i] != word[i + 1]:
            return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    i = rng.randrange(1, len(word))  # drop one letter (not the first)
    return word[:i] + word[i + 1 :]


def make_queries(areas: list[GenArea], total: int, rng: random.Random) -> list[Query]:
    from bot.matrix.names import normalize

    share = {"key": 0.15, "alias": 0.15, "typo": 0.25, "sentence": 0.15, "swap": 0.15, "unknown": 0.15}
    counts = {k: int(total * v) for k, v in share.items()}
    counts["typo"] += total - sum(counts.values())
    exact = {normalize(label) for a in areas for label in (a.key, a.name, *a.aliases)}
    queries: list[Query] = []
    for _ in range(counts["key"]):
        a = rng.choice(areas)
        queries.append(Query("key", a.key, a.key))
    for _ in range(counts["alias"]):
        a = rng.choice(areas)
        queries.append(Query("alias", rng.choice(a.aliases), a.key))
    made = 0
    while made < counts["typo"]:
        a = rng.choice(areas)
        words = a.name.split()
        long_words = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
        if not long_words:
            continue
        i = rng.choice(long_words)
        words[i] = typo(words[i], rng)
        text = " ".join(words)
        if normalize(text) in exact or normalize(text) == normalize(a.name):
            continue
        queries.append(Query("typo", text.lower(), a.key))
        made += 1
    for _ in range(counts["sentence"]):
        a = rng.choice(areas)
        label = rng.choice((a.name, *a.aliases))
        queries.append(Query("sentence", rng.choice(SENTENCES).format(label.lower()), a.key))
    for _ in range(counts["swap"]):
        a = rng.choice(areas)
        parts = [a.site, a.system, a.function]
        rng.shuffle(parts)
        if parts == [a.site, a.system, a.function]:
            parts.reverse()
        queries.append(Query("swap", " ".join(parts).lower(), a.key))
    for _ in range(counts["unknown"]):
        queries.append(Query("unknown", rng.choice(UNKNOWN), None))
    rng.shuffle(queries)
    return queries


# -- measuring -------------------------------------------------------------------------
def timed(fn, *args):
    start = time.perf_counter()
    result = fn(*args)
    return result, time.perf_counter() - start


def ms_stats(samples: list[float]) -> tuple[float, float, float]:
    ordered = sorted(samples)
    return percentile(ordered, 50) * 1000, percentile(ordered, 99) * 1000, ordered[-1] * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.matrix_scale", description=__doc__.split("\n")[0])
    parser.add_argument("--areas", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--rounds", type=int, default=3, help="times each resolution query is timed (default 3)")
    parser.add_argument(
        "--with-change", action="store_true", help="also time an import with one alias changed (+~35 s)"
    )
    parser.add_argument("--keep", metavar="DIR", help="write the matrix and database here and keep them")
    add_postgres_argument(parser)
    args = parser.parse_args(argv)

    from bot.app.bootstrap import import_file, open_database
    from bot.app.settings import Settings
    from bot.clock import SystemClock
    from bot.matrix.loader import load_file
    from bot.ownership.resolve import AreaIndex

    busy0, own0, wall0 = machine_busy_seconds(), time.process_time(), time.perf_counter()
    rng = random.Random(args.seed)
    tmp = tempfile.TemporaryDirectory(prefix="tandem-bench-") if not args.keep else None
    cleanup = contextlib.ExitStack()
    workdir = Path(args.keep or tmp.name)
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        areas = generate_areas(args.areas, rng)
        path = workdir / f"matrix-{args.areas}.yml"
        text = matrix_text(areas, rng)
        path.write_text(text, encoding="utf-8")
        print(
            f"matrix: {len(areas)} areas, {sum(len(a.aliases) for a in areas)} aliases, "
            f"{len(text.splitlines())} lines, {path.stat().st_size / 1e6:.1f} MB -> {path}",
            flush=True,
        )

        matrix, parse_s = timed(load_file, path)  # also proves the generator against the loader
        assert len(matrix.areas) == len(areas)

        # SQLite in the work directory, or with --postgres a new database on that server (dropped after)
        settings = Settings(database_url=cleanup.enter_context(bench_database(args.postgres, workdir)))
        clock = SystemClock()
        db, open_s = timed(open_database, settings)
        (org, changes), import_s = timed(import_file, db, path, "bench", clock)
        (_, changes2), reimport_s = timed(import_file, db, path, "bench", clock)
        change_row = "not run (--with-change)"
        if args.with_change:
            changed = workdir / f"matrix-{args.areas}-changed.yml"
            changed.write_text(
                text.replace(json.dumps(areas[0].aliases[0]), json.dumps("bench changed alias"), 1), encoding="utf-8"
            )
            (_, changes3), change_s = timed(import_file, db, changed, "bench", clock)
            change_row = f"{change_s:.2f} s ({len(changes3)} change line(s))"
        print(f"imported {org}: {len(changes)} change line(s); re-import unchanged: {len(changes2)}", flush=True)

        # -- resolution -----------------------------------------------------------------
        gc.collect()
        index, build_s = timed(AreaIndex, matrix.areas)
        queries = make_queries(areas, args.queries, rng)
        per_query: list[list[float]] = [[] for _ in queries]
        outcome: list[tuple[str, str | None]] = []
        for round_ in range(args.rounds):
            for i, q in enumerate(queries):
                start = time.perf_counter()
                res = index.resolve(q.text)
                per_query[i].append(time.perf_counter() - start)
                if round_ == 0:
                    outcome.append((res.status, res.area.key if res.area else None))
        latencies = [e for samples in per_query for e in samples]
        p50, p99, worst = ms_stats(latencies)
        best_p99 = ms_stats([min(samples) for samples in per_query])[1]

        # -- /owner end to end ----------------------------------------------------------
        if True:  # one block, as the other sections
            from bench.common import silent_notifier
            from bot.app.container import build
            from bot.grammar import parse_command
            from tests.support.in_process import InProcess

            runtime = InProcess(build(settings, db, clock, silent_notifier()))
            user, channel = "U0ALICE01", "C0SHARED01"
            first = parse_command("/owner", queries[0].text)
            _, cold_s = timed(runtime.answer, first, user, channel)
            e2e = []
            for q in queries:
                start = time.perf_counter()
                runtime.answer(parse_command("/owner", q.text), user, channel)
                e2e.append(time.perf_counter() - start)
            e50, e99, emax = ms_stats(e2e)
            e2e_row = f"{e50:.2f} / {e99:.2f} / {emax:.2f} ms"
            cold_row = f"{cold_s * 1000:.0f} ms"

        # -- report ---------------------------------------------------------------------
        print()
        print(
            table(
                [
                    ["load_file (parse + validate only)", f"{parse_s:.2f} s", "", ""],
                    ["open_database (create + migrate)", f"{open_s:.2f} s", "", ""],
                    [
                        "matrix import, fresh DB",
                        f"{import_s:.2f} s",
                        f"< {IMPORT_TARGET_S:.0f} s",
                        verdict(import_s < IMPORT_TARGET_S),
                    ],
                    ["matrix re-import, no change", f"{reimport_s:.2f} s", "", ""],
                    ["  of which not parsing (DB write)", f"{import_s - parse_s:.2f} s", "", ""],
                    ["matrix re-import, one alias changed", change_row, "", ""],
                    ["AreaIndex build", f"{build_s * 1000:.0f} ms", "", ""],
                    [
                        f"resolve p50 / p99 / max ({len(queries)} q x {args.rounds})",
                        f"{p50:.2f} / {p99:.2f} / {worst:.2f} ms",
                        f"p99 < {RESOLVE_P99_TARGET_MS:.0f} ms",
                        verdict(p99 < RESOLVE_P99_TARGET_MS),
                    ],
                    ["resolve p99 of each query's fastest round", f"{best_p99:.2f} ms", "", ""],
                    ["/owner Runtime.answer, cold cache", cold_row, "", ""],
                    ["/owner Runtime.answer p50 / p99 / max", e2e_row, "", ""],
                ],
                ["measure", "value", "target", "result"],
            )
        )
        print()
        rows = []
        for kind in ("key", "alias", "sentence", "typo", "swap", "unknown"):
            picked = [i for i, q in enumerate(queries) if q.kind == kind]
            if not picked:
                continue
            items = [outcome[i] for i in picked]
            lat = sorted(e for i in picked for e in per_query[i])
            right = sum(1 for i in picked if outcome[i][1] is not None and outcome[i][1] == queries[i].intended)
            found = sum(1 for s, _ in items if s == "found")
            amb = sum(1 for s, _ in items if s == "ambiguous")
            unk = sum(1 for s, _ in items if s == "unknown")
            wrong = found - right
            accuracy = (unk / len(items)) if kind == "unknown" else (right / len(items))
            rows.append(
                [
                    kind,
                    len(items),
                    f"{percentile(lat, 50) * 1000:.2f}",
                    f"{percentile(lat, 99) * 1000:.2f}",
                    f"{lat[-1] * 1000:.2f}",
                    f"{accuracy:.1%}",
                    found,
                    wrong,
                    amb,
                    unk,
                ]
            )
        print(
            table(
                rows,
                [
                    "query kind",
                    "n",
                    "p50 ms",
                    "p99 ms",
                    "max ms",
                    "accuracy*",
                    "found",
                    "wrong",
                    "ambiguous",
                    "unknown",
                ],
            )
        )
        print("* accuracy: share resolved to the intended area (for 'unknown': share answered 'unknown')")
        worst_queries = sorted(((max(per_query[i]), q) for i, q in enumerate(queries)), key=lambda x: -x[0])[:5]
        print("\nslowest queries: " + "; ".join(f"{q.text!r} ({q.kind}) {e * 1000:.1f} ms" for e, q in worst_queries))
        db.dispose()
        wall = time.perf_counter() - wall0
        other = (machine_busy_seconds() - busy0 - (time.process_time() - own0)) / wall
        print(
            f"\nwall {wall:.0f} s; other processes used {max(other, 0):.2f} of {os.cpu_count()} cores meanwhile"
            + (" -- the machine was busy, numbers are disturbed" if other > 0.2 else "")
        )
    finally:
        cleanup.close()
        if tmp:
            tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
