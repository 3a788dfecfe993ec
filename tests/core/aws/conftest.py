"""The engine tests never see the developer's AWS settings (fixtures: tests/aws_fixtures.py)."""

import pytest


@pytest.fixture(autouse=True)
def _no_aws_settings(no_aws_settings: None) -> None:
    """Applied to every test here, including those that never touch the sandbox."""
