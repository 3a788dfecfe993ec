"""One party profile's live work: sign-in (the role chain), listing, shells and port forwards.

Everything that touches the profile's RoleChain runs on its own serial
runner (one thread): botocore sessions are not thread-safe. Results come back
to the GUI thread through the callbacks; the window drops those that belong
to a listing it no longer shows.
"""

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal

from ssmclient.core.app_settings import AppSettings
from ssmclient.core.aws.instance import Instance, Inventory
from ssmclient.core.paths import config_dir
from ssmclient.core.profile_model import ProfileRecord
from ssmclient.core.profile_store import ProfileStore
from ssmclient.gui.controllers.mfa import MfaAsker
from ssmclient.gui.gc_pause import collector_paused
from ssmclient.gui.models.instance_table import Row, prepare_rows
from ssmclient.gui.workers import Failure, TaskRunner, serial_runner

if TYPE_CHECKING:
    from ssmclient.core.aws.role_chain import HopResult, RoleChain
    from ssmclient.core.sessions.connector import SessionConnector, ShellOutcome
    from ssmclient.core.sessions.port_forward import PortForward


@dataclass(frozen=True)
class Listing:
    token: int
    inventory: Inventory
    rows: list[Row]  # the inventory's instances, prepared for the table
    signed_in: "HopResult"


@dataclass(frozen=True)
class Opened:
    outcome: "ShellOutcome"
    signed_in: "HopResult | None"


@dataclass(frozen=True)
class Forwarding:
    forward: "PortForward"
    instance: Instance
    remote_port: int
    remote_host: str | None
    signed_in: "HopResult | None"


# How long the listing waits for the window to show a page before it parses the
# next answer (see list_instances below); a window that is hidden never paints.
PAGE_SHOWN_WAIT = 0.25


class _ShownGate:
    """Where the listing's threads wait while the window shows the last page sent."""

    def __init__(self) -> None:
        self._last = threading.Event()
        self._last.set()

    def page_sent(self) -> threading.Event:
        """A page goes to the window: the threads wait until it sets the event returned."""
        self._last = threading.Event()
        return self._last

    def wait(self) -> None:
        self._last.wait(PAGE_SHOWN_WAIT)


class ProfileSession(QObject):
    # (token, rows of one page, a threading.Event the window sets once they are on
    # screen) and (HopResult): emitted from the worker thread.
    page_arrived = Signal(int, object, object)
    signed_in = Signal(object)

    def __init__(self, record: ProfileRecord, mfa: MfaAsker) -> None:
        super().__init__()
        self.record = record
        self.runner: TaskRunner = serial_runner()
        self._mfa = mfa
        # Touched only on the runner's thread:
        self._chain: RoleChain | None = None
        self._connector: SessionConnector | None = None
        self._connector_settings: AppSettings | None = None
        # The GUI thread's copy, for the status line:
        self.hop: HopResult | None = None
        self.signed_in.connect(self._remember, Qt.ConnectionType.QueuedConnection)

    def _remember(self, hop: object) -> None:
        self.hop = hop  # type: ignore[assignment]

    # -- on the worker thread ---------------------------------------------------
    def _chain_now(self) -> "RoleChain":
        if self._chain is None:
            from ssmclient.core.aws.role_chain import RoleChain

            store = ProfileStore(config_dir())
            self._chain = RoleChain.from_record(self.record, store, mfa_prompt=self._mfa)
        return self._chain

    def _signed_in_now(self) -> "HopResult":
        hop = self._chain_now().hop2()
        self.signed_in.emit(hop)
        return hop

    def _connector_now(self, settings: AppSettings) -> "SessionConnector":
        chain = self._chain_now()
        if self._connector is None or self._connector_settings != settings:
            from ssmclient.core.sessions.connector import SessionConnector
            from ssmclient.core.sessions.history import SessionHistory

            self._connector = SessionConnector(
                self.record,
                chain,
                SessionHistory(config_dir()),
                plugin_setting=settings.plugin_path,
                # The window runs as long as its shells and forwards: it keeps their
                # credentials fresh (a replaced connector keeps feeding its plugins).
                keep_plugins_fresh=True,
            )
            self._connector_settings = settings
        return self._connector

    def _fresh_hop(self) -> "HopResult | None":
        chain = self._chain
        hop = None if chain is None else chain.signed_in
        if hop is not None:
            self.signed_in.emit(hop)
        return hop

    # -- asked from the GUI thread ----------------------------------------------
    def list_instances(
        self, token: int, on_done: Callable[[Listing], None], on_failed: Callable[[Failure], None]
    ) -> None:
        profile = self.record.profile

        def work() -> Listing:
            from ssmclient.core.aws.inventory import list_instances, sign_in_with_clients

            # The clients are made while the sign-in waits on AWS, on a thread of
            # their own: this one signs in, and asks for an MFA code if it must.
            chain = self._chain_now()
            hop, clients = sign_in_with_clients(
                self._signed_in_now,
                chain.client,
                profile.all_regions,
                chain.sign_in_idle,
                host_contact=profile.host.contact,
            )
            # Rows are prepared here, on the worker: the GUI thread only inserts them.
            prepared: dict[str, Row] = {}
            # Back-pressure: while the window inserts and paints a page, the listing's
            # threads wait before they parse the next answer. Painting calls into
            # Python for every cell, and with the listing's threads parsing it loses
            # the GIL at each call: a paint of 6 ms took 75-190 ms (bench_gui.py
            # stall). Waiting costs the listing about one uncontended paint per page;
            # the requests already sent are answered meanwhile.
            gate = _ShownGate()

            def page_done(page: list[Instance]) -> None:
                rows = prepare_rows(page)
                prepared.update((row.instance.instance_id, row) for row in rows)
                on_screen = gate.page_sent()
                self.page_arrived.emit(token, rows, on_screen)
                on_screen.wait(PAGE_SHOWN_WAIT)

            with collector_paused():
                inventory = list_instances(
                    clients,
                    profile.instance_tag,
                    profile.all_regions,
                    host_contact=profile.host.contact,
                    on_page=page_done,
                    before_parse=gate.wait,
                )
                rows = [
                    prepared[i.instance_id].updated(i) if i.instance_id in prepared else Row(i)
                    for i in inventory.instances
                ]
            return Listing(token, inventory, rows, hop)

        self.runner.submit(work, on_done, on_failed)

    def open_shell(
        self,
        instance: Instance,
        settings: AppSettings,
        on_done: Callable[[Opened], None],
        on_failed: Callable[[Failure], None],
    ) -> None:
        def work() -> Opened:
            connector = self._connector_now(settings)
            outcome = connector.open_shell(
                instance.instance_id,
                terminal=settings.terminal,
                region=instance.region,
                instance_name=instance.name,
            )
            return Opened(outcome, self._fresh_hop())

        self.runner.submit(work, on_done, on_failed)

    def forward(
        self,
        instance: Instance,
        remote_port: int,
        local_port: int | None,
        remote_host: str | None,
        settings: AppSettings,
        on_done: Callable[[Forwarding], None],
        on_failed: Callable[[Failure], None],
    ) -> None:
        def work() -> Forwarding:
            connector = self._connector_now(settings)
            forward = connector.forward(
                instance.instance_id,
                remote_port,
                local_port=local_port,
                host=remote_host,
                region=instance.region,
                instance_name=instance.name,
            )
            return Forwarding(forward, instance, remote_port, remote_host, self._fresh_hop())

        self.runner.submit(work, on_done, on_failed)

    def sign_out(self) -> None:
        """Forget the chain (e.g. after the sign-in method changed); the next call signs in."""

        def work() -> None:
            self._chain = None
            self._connector = None

        self.hop = None
        self.runner.submit(work, lambda _none: None, lambda _failure: None)

    def seconds_left(self) -> float | None:
        if self.hop is None:
            return None
        from datetime import UTC, datetime

        return (self.hop.expiration - datetime.now(UTC)).total_seconds()

    def close(self, msecs: int = 2000) -> bool:
        return self.runner.wait(msecs)
