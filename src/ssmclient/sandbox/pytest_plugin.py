"""The `aws_sandbox` fixture: one sandbox server per pytest session, reset for each test.

Enable with `pytest_plugins = ["ssmclient.sandbox.pytest_plugin"]` in a conftest.
"""

from collections.abc import Iterator

import pytest

from ssmclient.sandbox.client import Sandbox
from ssmclient.sandbox.server import SandboxServer


@pytest.fixture(scope="session")
def aws_sandbox_server() -> Iterator[SandboxServer]:
    server = SandboxServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def aws_sandbox(aws_sandbox_server: SandboxServer) -> Sandbox:
    """The sandbox, freshly seeded: default size, no faults, empty log, normal lifetimes."""
    sandbox = Sandbox(
        aws_sandbox_server.endpoint_url,
        aws_sandbox_server.control_token,
        files_dir=aws_sandbox_server.state_dir,
    )
    sandbox.reset()
    return sandbox
