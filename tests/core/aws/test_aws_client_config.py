"""Client settings: retries and short timeouts, shortened further by the environment in tests."""

from typing import Any

import pytest

from ssmclient.core.aws.client_config import (
    CONNECT_TIMEOUT_ENV,
    MAX_ATTEMPTS_ENV,
    READ_TIMEOUT_ENV,
    ClientSettings,
    settings_from_env,
)


def test_defaults_fail_a_dead_network_in_seconds() -> None:
    config: Any = ClientSettings().botocore_config()
    assert config.connect_timeout <= 5
    assert config.read_timeout <= 15
    assert config.retries == {"mode": "standard", "total_max_attempts": 5}


def test_environment_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CONNECT_TIMEOUT_ENV, "0.5")
    monkeypatch.setenv(READ_TIMEOUT_ENV, "1")
    monkeypatch.setenv(MAX_ATTEMPTS_ENV, "2")
    settings = settings_from_env()
    assert (settings.connect_timeout, settings.read_timeout, settings.max_attempts) == (0.5, 1, 2)


def test_nonsense_in_the_environment_is_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(READ_TIMEOUT_ENV, "soon")
    monkeypatch.setenv(CONNECT_TIMEOUT_ENV, "-3")
    settings = settings_from_env()
    assert settings.read_timeout == ClientSettings().read_timeout
    assert settings.connect_timeout == ClientSettings().connect_timeout


def test_adaptive_mode_is_kept() -> None:
    settings = settings_from_env(ClientSettings(retry_mode="adaptive"))
    config: Any = settings.botocore_config()
    assert config.retries["mode"] == "adaptive"
