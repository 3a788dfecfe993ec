"""Fixtures for the sandbox's own tests (helpers live in sandbox_helpers)."""

import pytest
from sandbox_helpers import hop2

from ssmclient.sandbox.client import Sandbox


@pytest.fixture
def host_a(aws_sandbox: Sandbox) -> dict[str, str]:
    """Hop-2 credentials of the host A role."""
    return hop2(aws_sandbox)
