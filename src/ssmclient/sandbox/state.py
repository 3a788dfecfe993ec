"""Everything the layer keeps besides moto's store, in one object per server."""

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from ssmclient.sandbox.faults import FaultPlan
from ssmclient.sandbox.identities import CredentialRegistry
from ssmclient.sandbox.request_log import RequestLog
from ssmclient.sandbox.scenario import Scenario
from ssmclient.sandbox.wire import AwsRequest, Reply

# Hands a request to moto, in the given account's store.
Forward = Callable[[AwsRequest, str], Reply]


@dataclass
class SsmSession:
    session_id: str
    account: str
    region: str
    target: str
    owner_arn: str
    owner_key: str
    document: str
    reason: str | None
    token: str
    run_as: str | None
    started: float
    ended: float | None = None
    # Its aws:ssmmessages:session-id tag: the starter's aws:userid (None: not tagged).
    owner_tag: str | None = None

    @property
    def active(self) -> bool:
        return self.ended is None


@dataclass
class SandboxState:
    credentials: CredentialRegistry = field(default_factory=CredentialRegistry)
    faults: FaultPlan = field(default_factory=FaultPlan)
    log: RequestLog = field(default_factory=RequestLog)
    sessions: dict[str, SsmSession] = field(default_factory=dict)
    sessions_lock: threading.Lock = field(default_factory=threading.Lock)
    scenario: Scenario | None = None
    # The sandbox keyring's entries ((service, username) -> secret), in memory only.
    keyring: dict[tuple[str, str], str] = field(default_factory=dict)
    keyring_lock: threading.Lock = field(default_factory=threading.Lock)
    # Set when a request may have changed moto's store (anything but reads).
    mutated: bool = False
