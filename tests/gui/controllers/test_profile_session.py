"""ProfileSession's listing against the sandbox: its back-pressure on the window.

While the window has a page to insert and paint, the listing's threads parse
no answer (they would take the GIL from the paint); the wait is bounded, so a
window that never paints (hidden, closed) does not stop the listing.
"""

import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import botocore.parsers
import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from ssmclient.core.profile_model import ProfileRecord
from ssmclient.gui.controllers import profile_session
from ssmclient.gui.controllers.mfa import MfaAsker
from ssmclient.gui.controllers.profile_session import Listing, ProfileSession
from ssmclient.gui.workers import Failure
from ssmclient.sandbox.client import Sandbox

SHOWN_AFTER = 0.3  # how long the "window" below takes to show each page


@pytest.fixture
def parse_times(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """When each AWS answer began to be parsed (after botocore's before-parse event)."""
    times: list[float] = []
    parse = botocore.parsers.ResponseParser.parse

    def timed(self: Any, response: Any, shape: Any) -> Any:
        times.append(time.monotonic())
        return parse(self, response, shape)

    monkeypatch.setattr(botocore.parsers.ResponseParser, "parse", timed)
    return times


@pytest.fixture
def session(alice: Sandbox, record: ProfileRecord) -> Iterator[ProfileSession]:
    # Both of the party's regions: a page each.
    both = replace(record, profile=replace(record.profile, regions=(alice.scenario.second_region,)))
    made = ProfileSession(both, MfaAsker(lambda _serial, answer: answer(None)))
    yield made
    made.close()


def run_listing(qtbot: QtBot, session: ProfileSession) -> Listing:
    results: list[Listing | Failure] = []
    session.list_instances(1, results.append, results.append)
    qtbot.waitUntil(lambda: bool(results), timeout=20_000)
    [result] = results
    assert isinstance(result, Listing), result
    return result


def test_no_answer_is_parsed_while_a_page_waits_to_be_shown(
    qtbot: QtBot,
    alice: Sandbox,
    session: ProfileSession,
    parse_times: list[float],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(profile_session, "PAGE_SHOWN_WAIT", 30.0)
    waiting: list[tuple[float, float]] = []  # (page sent, page shown)
    lock = threading.Lock()

    def window_shows(token: int, rows: object, on_screen: object) -> None:
        # Runs on the listing's thread (a direct connection): shows the page later.
        assert isinstance(on_screen, threading.Event)
        sent = time.monotonic()

        def shown() -> None:
            with lock:
                waiting.append((sent, time.monotonic()))
            on_screen.set()

        threading.Timer(SHOWN_AFTER, shown).start()

    session.page_arrived.connect(window_shows, Qt.ConnectionType.DirectConnection)
    began = time.monotonic()
    listing = run_listing(qtbot, session)

    scenario = alice.scenario
    assert {i.instance_id for i in listing.inventory.instances} == set(scenario.instances_a) | set(
        scenario.instances_a_second_region
    )
    assert len(waiting) >= 2  # a page per region
    for sent, shown in waiting:
        assert not [t for t in parse_times if sent < t < shown], "parsed while a page waited"
    # Each wait ended when the page was shown, not at the 30 s bound.
    assert time.monotonic() - began < 10


def test_a_window_that_never_shows_its_pages_does_not_stop_the_listing(
    qtbot: QtBot, alice: Sandbox, session: ProfileSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(profile_session, "PAGE_SHOWN_WAIT", 0.5)
    pages: list[float] = []
    session.page_arrived.connect(
        lambda _token, _rows, _event: pages.append(time.monotonic()),
        Qt.ConnectionType.DirectConnection,
    )
    listing = run_listing(qtbot, session)
    assert len(listing.inventory.instances) == len(alice.scenario.instances_a) + len(
        alice.scenario.instances_a_second_region
    )
    assert len(pages) >= 2
