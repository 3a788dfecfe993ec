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


def _client_retries(tmp_path: Any, monkeypatch: pytest.MonkeyPatch, config_text: str) -> Any:
    """The retry settings a client really gets: botocore's merge of ours and the user's."""
    import botocore.session

    config_file = tmp_path / "aws-config"
    config_file.write_text(config_text)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config_file))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    session = botocore.session.Session(profile="partner")
    client = session.create_client(
        "sts",
        region_name="us-east-1",
        config=ClientSettings().botocore_config(session),
        aws_access_key_id="AKIAEXAMPLE",
        aws_secret_access_key="example",
    )
    return client.meta.config.retries


@pytest.mark.parametrize(
    ("env", "config_text", "expected"),
    [
        ({}, "[profile partner]\n", {"mode": "standard", "total_max_attempts": 5}),
        (
            {"AWS_MAX_ATTEMPTS": "2"},
            "[profile partner]\n",
            {"mode": "standard", "total_max_attempts": 2},
        ),
        (
            {"AWS_RETRY_MODE": "legacy"},
            "[profile partner]\n",
            {"mode": "legacy", "total_max_attempts": 5},
        ),
        (
            {},
            "[profile partner]\nmax_attempts = 9\nretry_mode = adaptive\n",
            {"mode": "adaptive", "total_max_attempts": 9},
        ),
    ],
)
def test_the_users_own_retry_settings_win_over_ours(
    tmp_path: Any,
    monkeypatch: pytest.MonkeyPatch,
    env: dict[str, str],
    config_text: str,
    expected: dict[str, Any],
) -> None:
    for name in ("AWS_MAX_ATTEMPTS", "AWS_RETRY_MODE", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert _client_retries(tmp_path, monkeypatch, config_text) == expected
