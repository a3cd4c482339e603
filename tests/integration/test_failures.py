"""When Tandem itself fails (here: its database is gone), the person still gets a sentence."""

from __future__ import annotations

import json

import pytest
from slack_bolt.request import BoltRequest

from bot.app.bootstrap import import_file
from bot.app.settings import Settings
from bot.app.slack import create_app, create_client, slack_container
from bot.clock import SystemClock
from handlers.errors import SORRY
from storage.db import Database
from tests.conftest import EXAMPLE
from tests.support import slack_requests as sr


@pytest.fixture
def broken_app(standin, tmp_path):
    standin.reset()
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'gone.db'}",
        bot_token=standin.token,
        signing_secret=sr.SIGNING_SECRET,
        api_url=standin.base_url,
    )
    db = Database(settings.database_url)
    db.upgrade()
    import_file(db, EXAMPLE, "test", SystemClock())
    client = create_client(settings)
    app = create_app(slack_container(settings, db, SystemClock(), client), client)
    with db.engine.begin() as connection:  # the database loses its tables under the running bot
        for table in ("leave", "organisations"):
            connection.exec_driver_sql(f"DROP TABLE {table}")
    yield app
    db.dispose()


def dispatch(app, request):
    body, headers = request
    return app.dispatch(BoltRequest(body=body.decode(), headers={k.lower(): [v] for k, v in headers.items()}))


def test_a_failing_read_is_answered_in_the_acknowledgement(broken_app, standin):
    response = dispatch(
        broken_app,
        sr.slash_command(
            "/owner", "backups", user_id="U0ALICE01", channel_id="C0SHARED01", response_url=standin.response_url()
        ),
    )
    assert response.status == 200 and json.loads(response.body) == {"response_type": "ephemeral", "text": SORRY}


def test_failing_work_after_the_acknowledgement_is_reported(broken_app, standin):
    response = dispatch(
        broken_app,
        sr.slash_command(
            "/handoff",
            "provider: rotate certificates",
            user_id="U0ALICE01",
            channel_id="C0SHARED01",
            response_url=standin.response_url("later"),
        ),
    )
    assert response.status == 200
    [sorry] = standin.wait_for_response("later")
    assert sorry.body["text"] == SORRY and sorry.body["response_type"] == "ephemeral"


def test_a_failing_button_tells_the_person_who_clicked(broken_app, standin):
    dispatch(
        broken_app,
        sr.block_actions(
            "handoff_take",
            "1",
            user_id="U0SAM0001",
            channel_id="C0SHARED01",
            message_ts="1700000000.000100",
            response_url=standin.response_url("btn"),
        ),
    )
    [sorry] = standin.wait_for_response("btn")
    assert sorry.body["text"] == SORRY
