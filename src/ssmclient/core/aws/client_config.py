"""The botocore client settings: retries and timeouts, so a dead network fails in seconds.

Tests and scripts may shorten the timeouts through environment variables;
everything else about the client (endpoints, proxies, CA bundle) comes from
botocore's own settings, never from a profile file.
"""

import os
from dataclasses import dataclass
from typing import Literal

from botocore.config import Config

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
    max_pool_connections: int = 10

    def botocore_config(self) -> Config:
        return Config(
            connect_timeout=self.connect_timeout,
            read_timeout=self.read_timeout,
            retries={"mode": self.retry_mode, "total_max_attempts": self.max_attempts},
            max_pool_connections=self.max_pool_connections,
        )


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
