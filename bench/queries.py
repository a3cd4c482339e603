"""Watching the SQL a code path sends: capture it, count and time it, and print its query plans.

A latency number alone does not say whether a path will hold at ten times the data; a plan
that scans a whole table does, so the data benchmarks print the plan of every SELECT they
saw and flag full scans.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def captured_sql(engine) -> Iterator[list[tuple[str, object]]]:
    """Every statement the engine sends while the block runs, with its parameters."""
    from sqlalchemy import event

    seen: list[tuple[str, object]] = []

    def listener(conn, cursor, statement, parameters, context, executemany):
        seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", listener)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", listener)


def explain(engine, statement: str, parameters) -> list[str]:
    """The plan of one captured statement; PostgreSQL runs it (ANALYZE) in a transaction rolled back."""
    with engine.connect() as connection:
        try:
            if engine.dialect.name == "postgresql":
                rows = connection.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters).all()
                return [r[0] for r in rows]
            rows = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
            depth: dict[int, int] = {0: -1}
            out = []
            for node, parent, _, detail in rows:
                depth[node] = depth.get(parent, -1) + 1
                out.append("  " * depth[node] + detail)
            return out
        finally:
            connection.rollback()


def scan_problems(plan: list[str], dialect: str, tables: tuple[str, ...] = ("handoffs",)) -> list[str]:
    """Lines showing a full scan of one of `tables` (a seq scan, or a SQLite SCAN without an index)."""
    problems = []
    for line in plan:
        text = line.strip()
        for name in tables:
            if dialect == "postgresql":
                if re.search(rf"\bSeq Scan on {name}\b", text):
                    problems.append(text)
            elif re.match(rf"SCAN {name}\b", text) and "INDEX" not in text:
                problems.append(text)
            elif re.match(rf"SCAN {name} USING (COVERING )?INDEX", text):
                problems.append(text + "  (walks the whole index)")
    return problems


def short_sql(statement: str, width: int = 150) -> str:
    """One line of at most `width` characters, the column list elided first: a heading, not the statement."""
    text = re.sub(r"\s+", " ", statement).strip()
    text = re.sub(r"SELECT .*? FROM", "SELECT … FROM", text, count=1) if len(text) > width else text
    return text if len(text) <= width else text[: width - 1] + "…"


def print_plans(engine, captured: dict[str, list[tuple[str, object]]], tables: tuple[str, ...] = ("handoffs",)) -> int:
    """Print each distinct statement touching `tables` with its plan; return how many fully scan one."""
    dialect = engine.dialect.name
    pattern = re.compile(r"\b(" + "|".join(tables) + r")\b")
    done: set[str] = set()
    full_scans = 0
    for label, statements in captured.items():
        for statement, parameters in statements:
            if (
                statement in done
                or not pattern.search(statement)
                or not statement.lstrip().upper().startswith("SELECT")
            ):
                continue
            done.add(statement)
            plan = explain(engine, statement, parameters)
            problems = scan_problems(plan, dialect, tables)
            full_scans += bool(problems)
            print(f"\n[{label}] {short_sql(statement)}")
            for line in plan:
                print(f"    {line}")
            notes = ["FULL SCAN: " + "; ".join(problems)] if problems else ["no full scan"]
            if any("TEMP B-TREE" in line or re.search(r"\bSort\b", line) for line in plan):
                notes.append("sorts every matching row before the LIMIT")
            print("    => " + "; ".join(notes))
    return full_scans


@contextmanager
def db_meter(engine) -> Iterator[dict[str, float]]:
    """Statements sent and the time spent inside the driver's execute, commits and pool checkouts."""
    from sqlalchemy import event

    stats = {"statements": 0, "db_s": 0.0, "commits": 0, "checkouts": 0}
    started: list[float] = []

    def before(*_):
        started.append(time.perf_counter())

    def after(*_):
        stats["db_s"] += time.perf_counter() - started.pop()
        stats["statements"] += 1

    def commit(*_):
        stats["commits"] += 1

    def checkout(*_):
        stats["checkouts"] += 1

    hooks = [
        (engine, "before_cursor_execute", before),
        (engine, "after_cursor_execute", after),
        (engine, "commit", commit),
        (engine.pool, "checkout", checkout),
    ]
    for target, name, fn in hooks:
        event.listen(target, name, fn)
    try:
        yield stats
    finally:
        for target, name, fn in hooks:
            event.remove(target, name, fn)
