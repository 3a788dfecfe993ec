"""The profiles of the user's own AWS config, for choosing hop 1's source in the window.

Read through botocore (AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE and
profile inheritance apply), never parsed by hand. Values are not returned:
only names and what kind of sign-in each profile uses.
"""

import shlex
from dataclasses import dataclass

from ssmclient.core.errors import SsmClientError

_SSO_KEYS = ("sso_start_url", "sso_session")


@dataclass(frozen=True)
class AwsConfigProfile:
    name: str
    sso: bool  # signs in through IAM Identity Center (`aws sso login --profile NAME`)

    @property
    def sso_login_command(self) -> str:
        return f"aws sso login --profile {shlex.quote(self.name)}"


def aws_config_profiles() -> list[AwsConfigProfile]:
    """Every profile of the AWS config and credentials files, sorted by name."""
    # Imported here: the window imports this module (for the type) before botocore is needed.
    import botocore.session
    from botocore.exceptions import BotoCoreError

    try:
        session = botocore.session.Session()
        profiles = session.full_config.get("profiles", {})
    except BotoCoreError as exc:
        raise SsmClientError(f"your AWS config cannot be read: {exc}") from None
    found = []
    for name, values in profiles.items():
        if not isinstance(values, dict):
            continue
        found.append(AwsConfigProfile(str(name), any(key in values for key in _SSO_KEYS)))
    return sorted(found, key=lambda p: p.name.casefold())
