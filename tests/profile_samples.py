"""The example profile of the format's documentation, and helpers to vary it in tests."""

import copy
import json
from pathlib import Path
from typing import Any

EXAMPLE: dict[str, Any] = {
    "format": "ssmclient-profile",
    "version": 1,
    "name": "Example Corp (Third_Party_A)",
    "role_arn": "arn:aws:iam::111122223333:role/SSMStartSession_IAM_Role_ThirdPartyA",
    "external_id": "ExternalID3rdPartyA",
    "region": "us-east-1",
    "instance_tag": {"key": "ExternalAccessGrantedTo", "value": "Third_Party_A"},
    "source_role_arn": "arn:aws:iam::444455556666:role/3P_IAM_Assume_Role",
    "host": {"name": "Example Corp", "contact": "cloud-ops@example.com"},
}


def example(**changes: Any) -> dict[str, Any]:
    """The example with top-level fields replaced; a value of `...` removes the field."""
    document = copy.deepcopy(EXAMPLE)
    for key, value in changes.items():
        if value is ...:
            document.pop(key, None)
        else:
            document[key] = value
    return document


def encode(document: Any) -> bytes:
    return json.dumps(document).encode("utf-8")


def write_profile(directory: Path, document: Any, name: str = "party.ssmprofile") -> Path:
    path = directory / name
    path.write_bytes(encode(document) if not isinstance(document, bytes) else document)
    return path
