"""ProfileSession's listing against the sandbox: its back-pressure on the window.

While the window has a page to insert and paint, the listing's threads parse
no answer (they would take the GIL from the paint); the wait is bounded, so a
window that never paints (hidden, closed) does not stop the listing.
"""

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from ssmclient.core.aws import inventory
from ssmclient.core.aws.instance import Instance
from ssmclient.core.profile_model import ProfileRecord
from ssmclient.gui.controllers import profile_session
from ssmclient.gui.controllers.mfa import MfaAsker
from ssmclient.gui.controllers.profile_session import Listing, ProfileSession
from ssmclient.gui.workers import Failure
from ssmclient.sandbox.client import Sandbox

SHOWN_AFTER = 0.3  # how long the "window" below takes to show each page


@dataclass
class Calls:
    """When the listing entered and left the window's hooks, as the core calls them."""

    gate: list[tuple[float, float]] = field(default_factory=list)  # before_parse
    pages: list[float] = field(default_factory=list)  # when each on_page returned
    lock: threading.Lock = field(default_factory=threading.Lock)


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> Calls:
    seen = Calls()
    listed = inventory.list_instances

    def listing(
        *args: Any,
        before_parse: Callable[[], None] | None = None,
        on_page: Callable[[list[Instance]], None] | None = None,
        **kwargs: Any,
    ) -> Any:
        assert before_parse is not None
        assert on_page is not None
        gate, page_done = before_parse, on_page

        def timed_gate() -> None:
            entered = time.monotonic()
            gate()
            with seen.lock:
                seen.gate.append((entered, time.monotonic()))

        def timed_page(page: list[Instance]) -> None:
            page_done(page)
            with seen.lock:
                seen.pages.append(time.monotonic())

        return listed(*args, before_parse=timed_gate, on_page=timed_page, **kwargs)

    monkeypatch.setattr(inventory, "list_instances", listing)
    return seen


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
    calls: Calls,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(profile_session, "PAGE_SHOWN_WAIT", 30.0)
    # One region's answer comes while the other's page waits to be shown.
    alice.inject_fault("DescribeInstances", "latency", count=1, seconds=0.1)
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
    # An answer that came while the last page sent was not yet shown was parsed
    # only once that page was shown.
    held = 0
    for entered, left in calls.gate:
        before = [(sent, shown) for sent, shown in waiting if sent <= entered]
        if before:
            _sent, shown = max(before)
            if entered < shown:
                held += 1
                assert left >= shown, "an answer was parsed while a page waited to be shown"
    assert held >= 1
    # And the thread that sent a page went on only once it was shown.
    assert len(calls.pages) == len(waiting)
    assert all(
        returned >= shown
        for returned, shown in zip(sorted(calls.pages), sorted(s for _, s in waiting), strict=True)
    )
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
