"""The running bot, built whole: settings, database and the core's dependencies.

`build` is the one place that chooses the adapters: the SQLAlchemy store behind the unit of
work, and the notifier of the surface the process serves (Slack or the console), handed in
by the caller. Nothing is patched in afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.app.fleet import fleet_schedule
from bot.app.settings import Settings
from bot.clock import Clock
from bot.ports import Notifier
from bot.report.figures import ServiceReview
from bot.services.deps import Deps
from bot.services.matrices import MatrixCache
from bot.services.pacing import Pacing
from handlers.middleware.org_teams import OrgWorkspaces
from storage.db import Database
from storage.store import Units

if TYPE_CHECKING:
    from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
    from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore

    from bot.app.installations import WorkspaceClients


@dataclass(frozen=True)
class Installs:
    """Installed by OAuth: where installations and install states are kept, and each workspace's client."""

    installations: SQLAlchemyInstallationStore
    states: SQLAlchemyOAuthStateStore
    clients: WorkspaceClients


@dataclass(frozen=True)
class Container:
    settings: Settings
    db: Database
    deps: Deps
    installs: Installs | None = None  # None with one SLACK_BOT_TOKEN
    # the workspaces of each Grid org, asked of Slack by Bolt's middleware, read before Bolt too
    orgs: OrgWorkspaces = field(default_factory=OrgWorkspaces)

    def refresh(self) -> None:
        """Reload the matrices this process holds whose version moved on (another replica's
        import), all versions read in one query, so no user's request waits for the reload."""
        with self.deps.units(read_only=True) as store:
            self.deps.matrices.refresh(store)


def build(
    settings: Settings, db: Database, clock: Clock, notifier: Notifier, installs: Installs | None = None
) -> Container:
    pacing = Pacing(spacing=settings.post_spacing)
    units = Units(db)
    fleet = fleet_schedule(settings.fleet, settings.oauth, units)
    deps = Deps(units, clock, notifier, MatrixCache(), _render_review, pacing=pacing, fleet=fleet)
    return Container(settings, db, deps, installs)


def _render_review(review: ServiceReview) -> str:
    """The review page, drawing library loaded on first use rather than at every start."""
    from bot.app.report.page import render

    return render(review)
