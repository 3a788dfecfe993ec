"""The botocore client settings: retries and timeouts, so a dead network fails in seconds.

Tests and scripts may shorten the timeouts through environment variables;
everything else about the client (endpoints, proxies, CA bundle) comes from
botocore's own settings, never from a profile file.
"""

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, cast

from botocore.config import Config
from botocore.exceptions import BotoCoreError

if TYPE_CHECKING:
    import botocore.session
    from botocore.config import _RetryDict

CONNECT_TIMEOUT_ENV = "SSMCLIENT_AWS_CONNECT_TIMEOUT"
READ_TIMEOUT_ENV = "SSMCLIENT_AWS_READ_TIMEOUT"
MAX_ATTEMPTS_ENV = "SSMCLIENT_AWS_MAX_ATTEMPTS"

RetryMode = Literal["standard", "adaptive"]


@dataclass(frozen=True)
class ClientSettings:
    # A few seconds: long enough for a slow VPN, short enough that a dead
    # network is reported before the user gives up (botocore's default is 60 s).
    connect_timeout: float = 3.0
    read_timeout: float = 10.0
    # Total attempts, the first included: rides out throttling and 5xx bursts.
    max_attempts: int = 5
    retry_mode: RetryMode = "standard"
    # One connection for each of the listing's concurrent calls to a client
    # (inventory.PING_WORKERS ping batches and the first, tag-filtered one): with
    # fewer, urllib3 drops the extra connections and every call makes a new one.
    max_pool_connections: int = 24

    def botocore_config(self, session: "botocore.session.Session | None" = None) -> Config:
        """Our settings, except retries the user set for `session` (env or AWS config).

        A retries value passed to a client overrides the user's own
        AWS_MAX_ATTEMPTS / AWS_RETRY_MODE and the profile's max_attempts /
        retry_mode; botocore merges a partial one with theirs, so only the keys
        the user left unset are given. SSMCLIENT_AWS_MAX_ATTEMPTS, ours, still wins.
        """
        retries: dict[str, Any] = {}
        if os.environ.get(MAX_ATTEMPTS_ENV) or not _user_sets(session, "max_attempts"):
            retries["total_max_attempts"] = self.max_attempts
        if not _user_sets(session, "retry_mode"):
            retries["mode"] = self.retry_mode
        return Config(
            connect_timeout=self.connect_timeout,
            read_timeout=self.read_timeout,
            retries=cast("_RetryDict", retries) if retries else None,
            max_pool_connections=self.max_pool_connections,
        )


_USER_SETTING_ENV = {"max_attempts": "AWS_MAX_ATTEMPTS", "retry_mode": "AWS_RETRY_MODE"}


def _user_sets(session: "botocore.session.Session | None", name: str) -> bool:
    if os.environ.get(_USER_SETTING_ENV[name]):
        return True
    if session is None:
        return False
    try:
        return name in session.get_scoped_config()
    except BotoCoreError:
        return False  # an unknown profile or a broken file is reported where it is used


def _positive_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        return default
    return value if 0 < value <= 600 else default


def settings_from_env(base: ClientSettings | None = None) -> ClientSettings:
    """`base` (or the defaults) with any timeout/attempt override from the environment."""
    base = base or ClientSettings()
    attempts = int(_positive_float(MAX_ATTEMPTS_ENV, base.max_attempts))
    return ClientSettings(
        connect_timeout=_positive_float(CONNECT_TIMEOUT_ENV, base.connect_timeout),
        read_timeout=_positive_float(READ_TIMEOUT_ENV, base.read_timeout),
        max_attempts=max(1, min(attempts, 20)),
        retry_mode=base.retry_mode,
        max_pool_connections=base.max_pool_connections,
    )
