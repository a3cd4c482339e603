"""The weekly fleet digest's settings: read with the others, and resolved against the matrices.

`TANDEM_FLEET_CHANNEL` turns the digest on; `TANDEM_FLEET_DAY`, `TANDEM_FLEET_TIME` and
`TANDEM_FLEET_TIMEZONE` say when (Monday 08:30 UTC by default). Installed by OAuth, Tandem
must also know which workspace's token posts it: `TANDEM_FLEET_TEAM`, or else the one
workspace every matrix names as the provider's (`sides.provider.teams`). Each value that
cannot work is one sentence naming its variable, at start-up rather than at 08:30 on Monday.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.calendar import DAY_NAMES
from bot.digests.fleet import FleetSchedule, provider_workspace
from bot.errors import SettingsError
from bot.ports import UnitOfWork

DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
WHEN = ("TANDEM_FLEET_DAY", "TANDEM_FLEET_TIME", "TANDEM_FLEET_TIMEZONE", "TANDEM_FLEET_TEAM")


@dataclass(frozen=True)
class FleetSettings:
    channel: str | None = None  # None: no fleet digest
    weekday: int = 0
    at: time = time(8, 30)
    timezone: str = "UTC"
    team: str | None = None  # None: derived from the matrices when installed by OAuth


def read_fleet(get: Callable[[str], str | None]) -> FleetSettings:
    """The TANDEM_FLEET_* variables, or a SettingsError naming the first one that is wrong."""
    channel = get("TANDEM_FLEET_CHANNEL")
    if channel is None:
        given = [name for name in WHEN if get(name)]
        if given:
            raise SettingsError(
                f"{given[0]} is set but TANDEM_FLEET_CHANNEL is not: set it to the channel id (C…) in your own "
                "workspace where the weekly fleet digest goes, or unset the TANDEM_FLEET_* variables."
            )
        return FleetSettings()
    if not re.fullmatch(r"[CG][A-Z0-9]{2,}", channel):
        raise SettingsError(
            "TANDEM_FLEET_CHANNEL must be a channel id such as C0FLEET001 (in Slack: the channel's name → "
            f"About → Channel ID), not {channel!r}."
        )
    day = (get("TANDEM_FLEET_DAY") or "monday").lower()
    names = [i for i, (full, short) in enumerate(zip(DAYS, DAY_NAMES, strict=True)) if day in (full, short)]
    if not names:
        raise SettingsError(
            f"TANDEM_FLEET_DAY must be a day of the week such as monday or mon (default monday), not {day!r}."
        )
    at = get("TANDEM_FLEET_TIME") or "08:30"
    clock = re.fullmatch(r"([01]?\d|2[0-3]):([0-5]\d)", at)
    if not clock:
        raise SettingsError(
            f"TANDEM_FLEET_TIME must be a time of day as HH:MM, such as 08:30 (the default), not {at!r}."
        )
    zone = get("TANDEM_FLEET_TIMEZONE") or "UTC"
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingsError(
            f"TANDEM_FLEET_TIMEZONE must be an IANA time zone such as Europe/London or America/New_York "
            f"(default UTC), not {zone!r}."
        ) from None
    team = get("TANDEM_FLEET_TEAM")
    if team is not None and not re.fullmatch(r"[TE][A-Z0-9]{2,}", team):
        raise SettingsError(
            f"TANDEM_FLEET_TEAM must be your own workspace's team id (T…, or an Enterprise Grid org's E…), not {team!r}."
        )
    return FleetSettings(channel, names[0], time(int(clock[1]), int(clock[2])), zone, team)


def fleet_schedule(fleet: FleetSettings, oauth: bool, units: UnitOfWork) -> FleetSchedule | None:
    """The digest's schedule, its workspace resolved (from the matrices, when installed by OAuth
    and TANDEM_FLEET_TEAM is not set: checked now, and read again at each digest); None when no
    fleet channel is set."""
    if fleet.channel is None:
        return None
    derived = oauth and not fleet.team
    team = _provider_team(units, fleet.channel) if derived else fleet.team
    return FleetSchedule(fleet.channel, team, fleet.weekday, fleet.at, fleet.timezone, derived)


def _provider_team(units: UnitOfWork, channel: str) -> str:
    """The one workspace every matrix names for its provider side, or a SettingsError saying why not."""
    with units(read_only=True) as store:
        team, why = provider_workspace(store.provider_teams())
    if team is None:
        raise SettingsError(
            f"TANDEM_FLEET_TEAM is not set and {why}: set TANDEM_FLEET_TEAM to the team id (T…) of your own "
            f"workspace, where {channel} (TANDEM_FLEET_CHANNEL) lives and whose installation posts the weekly "
            "fleet digest."
        )
    return team
