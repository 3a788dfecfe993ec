"""Shared by every test: the sandbox's fixtures, and no support log carried between tests."""

from collections.abc import Iterator

import pytest

pytest_plugins = ["ssmclient.sandbox.pytest_plugin"]


@pytest.fixture(autouse=True)
def _no_support_log_left_behind() -> Iterator[None]:
    """A CLI run in this process starts the support log; the next test starts without it."""
    yield
    from ssmclient.core import diagnostic_log

    diagnostic_log.stop()
