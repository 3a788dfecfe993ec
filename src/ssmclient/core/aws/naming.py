"""AWS's naming rules: role ARNs, regions, tags, session names, MFA serials and codes.

Imports no botocore (it reads botocore's partition file itself): the profile
file's parser and the window's dialogs use it before botocore is loaded.

Rules follow the IAM/STS/EC2 API references; each check returns a reason string
(what is wrong) or None, so callers can put the field name in front.
"""

import functools
import json
import re
import unicodedata
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path

PARTITIONS = ("aws", "aws-cn", "aws-us-gov")

_ROLE_ARN = re.compile(r"arn:([a-z-]+):iam::(\d{12}):role/(.+)", re.ASCII)
_ROLE_NAME = re.compile(r"[\w+=,.@-]{1,64}", re.ASCII)
_PATH_SEGMENT = re.compile(r"[\x21-\x2e\x30-\x7e]+")  # printable ASCII except "/"
_EXTERNAL_ID = re.compile(r"[\w+=,.@:/-]{2,1224}", re.ASCII)
_SESSION_NAME = re.compile(r"[A-Za-z0-9_=.@+-]{2,64}")
_MFA_SERIAL = re.compile(r"[\w+=/:,.@-]{9,256}", re.ASCII)
_MFA_CODE = re.compile(r"\d{6}", re.ASCII)
_ACCESS_KEY_ID = re.compile(r"[A-Z0-9]{16,128}", re.ASCII)
_DOCUMENT_NAME = re.compile(r"[A-Za-z0-9_.-]{3,128}", re.ASCII)
_TAG_PUNCTUATION = frozenset("_.:/=+-@ ")


@dataclass(frozen=True)
class RoleArn:
    partition: str
    account: str
    path: str
    name: str

    def __str__(self) -> str:
        return f"arn:{self.partition}:iam::{self.account}:role{self.path}{self.name}"


def parse_role_arn(text: str) -> RoleArn | str:
    """The parsed ARN, or the reason it is not an acceptable IAM role ARN."""
    match = _ROLE_ARN.fullmatch(text)
    if match is None:
        return "not an IAM role ARN (arn:aws:iam::<12-digit account>:role/<name>)"
    partition, account, rest = match.groups()
    if partition not in PARTITIONS:
        return f"partition '{partition}' is not one of {', '.join(PARTITIONS)}"
    *segments, name = rest.split("/")
    if not _ROLE_NAME.fullmatch(name):
        return "role name must be 1-64 characters of letters, digits and +=,.@_-"
    if any(not _PATH_SEGMENT.fullmatch(segment) for segment in segments):
        return "role path may hold only printable ASCII characters between slashes"
    path = "/" + "".join(segment + "/" for segment in segments)
    if len(path) > 512:
        return "role path is longer than 512 characters"
    return RoleArn(partition, account, path, name)


@functools.cache
def _partition_data() -> dict[str, tuple[frozenset[str], re.Pattern[str]]]:
    # botocore ships AWS's own partition table (regions and the pattern new
    # regions follow). It is read as a file so that validating a profile does
    # not import botocore and slow down `ssmclient profile list`.
    spec = find_spec("botocore")
    if spec is None or spec.origin is None:  # pragma: no cover - botocore is a dependency
        raise RuntimeError("botocore is not installed")
    data_file = Path(spec.origin).parent / "data" / "partitions.json"
    raw = json.loads(data_file.read_text(encoding="utf-8"))
    table: dict[str, tuple[frozenset[str], re.Pattern[str]]] = {}
    for partition in raw["partitions"]:
        regions = frozenset(r for r in partition["regions"] if not r.endswith("-global"))
        table[partition["id"]] = (regions, re.compile(partition["regionRegex"]))
    return table


def partition_of_region(region: str) -> str | None:
    table = _partition_data()
    for partition, (known, _pattern) in table.items():
        if region in known:
            return partition
    for partition, (_known, pattern) in table.items():
        if pattern.fullmatch(region):
            return partition
    return None


def check_region(region: str, partition: str) -> str | None:
    actual = partition_of_region(region)
    if actual is None:
        return "not an AWS region name (e.g. us-east-1)"
    if actual != partition:
        return f"is a region of partition {actual}, not of the role's partition {partition}"
    return None


def check_external_id(value: str) -> str | None:
    if not _EXTERNAL_ID.fullmatch(value):
        return "must be 2-1224 characters of letters, digits and +=,.@:/_-"
    return None


def check_session_name(value: str) -> str | None:
    if "," in value:
        return "must not contain a comma (SSM would not tag the session as yours)"
    if not _SESSION_NAME.fullmatch(value):
        return "must be 2-64 characters of letters, digits and _=.@+-"
    return None


def check_mfa_serial(value: str) -> str | None:
    if not _MFA_SERIAL.fullmatch(value):
        return (
            "must be an MFA device ARN or serial number "
            "(9-256 characters of letters, digits and +=/:,.@_-)"
        )
    return None


def check_mfa_code(value: str) -> str | None:
    if not _MFA_CODE.fullmatch(value):
        return "must be exactly 6 digits"
    return None


def check_access_key_id(value: str) -> str | None:
    if not _ACCESS_KEY_ID.fullmatch(value):
        return "must be an access key id (16-128 capital letters and digits, e.g. AKIA...)"
    return None


def check_document_name(value: str) -> str | None:
    if not _DOCUMENT_NAME.fullmatch(value):
        return f"'{value[:40]}' is not a session document name (3-128 of A-Z a-z 0-9 _.-)"
    return None


def _tag_chars_ok(text: str) -> bool:
    # EC2's rule is letters, numbers, spaces and _.:/=+-@ in UTF-8. Only Zs
    # counts as a space here: line/paragraph separators are refused on purpose.
    for ch in text:
        category = unicodedata.category(ch)
        if not (category[0] in "LN" or category == "Zs" or ch in _TAG_PUNCTUATION):
            return False
    return True


def check_tag_key(key: str) -> str | None:
    if not 1 <= len(key) <= 128:
        return "must be 1-128 characters"
    if key.lower().startswith("aws:"):
        return "must not start with 'aws:' (reserved by AWS)"
    if not _tag_chars_ok(key):
        return "may hold only letters, digits, spaces and _.:/=+-@"
    return None


def check_tag_value(value: str) -> str | None:
    if len(value) > 256:
        return "must be at most 256 characters"
    if not _tag_chars_ok(value):
        return "may hold only letters, digits, spaces and _.:/=+-@"
    return None
