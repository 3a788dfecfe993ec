"""Reading and writing the `.ssmprofile` file (format version 1).

Every rule of the format is checked here, and every failure is a
`ProfileFileError` naming the field. The same checks guard the profile store,
so a hand-edited store cannot smuggle in what a file may not carry.
"""

import difflib
import json
import re
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from ssmclient.core.aws import naming
from ssmclient.core.errors import ProfileFileError
from ssmclient.core.profile_model import (
    DEFAULT_DOCUMENTS,
    FORMAT_NAME,
    FORMAT_VERSION,
    HostInfo,
    ImportedProfile,
    InstanceTag,
    PartyProfile,
)
from ssmclient.core.text import has_unsafe_chars, quoted

MAX_FILE_BYTES = 64 * 1024
FILE_SUFFIX = ".ssmprofile"
MIME_TYPE = "application/x-ssmclient-profile"

_TOP_LEVEL_KEYS = (
    "format",
    "version",
    "name",
    "role_arn",
    "external_id",
    "region",
    "regions",
    "instance_tag",
    "source_role_arn",
    "source_identity",
    "session_duration",
    "documents",
    "host",
    "expires",
)
_NESTED_KEYS = {"instance_tag": ("key", "value"), "host": ("name", "contact")}

# Words that mark a key as something a host never needs to send: a place to
# send requests or credentials, a credential, or a command. Such a key gets a
# message of its own rather than "unknown field".
_DANGEROUS_KEY = re.compile(
    r"endpoint|url|uri|proxy|ca_?bundle|verify|cert|access_?key|secret|session_?token|"
    r"token|password|passwd|credential|command|cmd|exec|script|shell|program|plugin|run",
    re.IGNORECASE,
)
_RFC3339 = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?P<zone>[Zz]|[+-]\d{2}:\d{2})?",
    re.ASCII,
)


_PLAIN_KEY = re.compile(r"[A-Za-z0-9_]{1,40}", re.ASCII)


def field_label(prefix: str, key: str) -> str:
    """How a (possibly hostile) key is named in a message: plain, or quoted and escaped."""
    return prefix + (key if _PLAIN_KEY.fullmatch(key) else quoted(key, 40))


class _JsonRejectedError(ValueError):
    """Raised from inside the JSON parser's hooks."""


def _reject_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _JsonRejectedError(f"{field_label('', key)}: appears twice in the file")
        result[key] = value
    return result


def _reject_constant(name: str) -> Any:
    raise _JsonRejectedError(f"file: {name} is not allowed in a profile file")


def _parse_float(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise _JsonRejectedError(f"file: number {text[:20]} is out of range")
    return value


def _parse_int(text: str) -> int:
    if len(text.lstrip("-")) > 30:
        raise _JsonRejectedError("file: a number is too large")
    return int(text)


def decode_json(data: bytes) -> Any:
    """Strict JSON: one UTF-8 value, no BOM, no duplicate keys, no NaN/Infinity."""
    if len(data) > MAX_FILE_BYTES:
        raise ProfileFileError("file", f"is larger than {MAX_FILE_BYTES // 1024} KiB")
    if data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        raise ProfileFileError(
            "file", "starts with a byte-order mark; save it as UTF-8 without BOM"
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProfileFileError("file", f"is not UTF-8 (bad byte at offset {exc.start})") from None
    try:
        return json.loads(
            text,
            object_pairs_hook=_reject_duplicates,
            parse_constant=_reject_constant,
            parse_float=_parse_float,
            parse_int=_parse_int,
        )
    except _JsonRejectedError as exc:
        field, _, reason = str(exc).partition(": ")
        raise ProfileFileError(field, reason) from None
    except json.JSONDecodeError as exc:
        raise ProfileFileError(
            "file", f"is not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"
        ) from None
    except RecursionError:
        raise ProfileFileError("file", "is nested too deeply") from None


def parse_profile_bytes(data: bytes) -> ImportedProfile:
    document = decode_json(data)
    if not isinstance(document, dict):
        raise ProfileFileError("file", "must hold one JSON object")
    profile = profile_from_mapping(document, with_secret=True)
    return ImportedProfile(profile, document["external_id"])


def read_profile_file(path: Path) -> ImportedProfile:
    """Read and validate a `.ssmprofile` file; errors name the file or the field."""
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise ProfileFileError("file", f"{quoted(str(path))} does not exist") from None
    except IsADirectoryError:
        raise ProfileFileError("file", f"{quoted(str(path))} is a directory") from None
    except OSError as exc:
        raise ProfileFileError("file", f"cannot read {quoted(str(path))}: {exc.strerror}") from None
    try:
        return parse_profile_bytes(data)
    except ProfileFileError as exc:
        raise ProfileFileError(exc.field, exc.reason, file=quoted(str(path), 300)) from None


def _check_keys(mapping: Mapping[str, Any], allowed: tuple[str, ...], prefix: str) -> None:
    for key in mapping:
        field = field_label(prefix, key)
        if _DANGEROUS_KEY.search(key) and key not in allowed:
            raise ProfileFileError(
                field,
                "a profile file may not carry endpoints, proxies, credentials or commands; "
                "a host never needs to send such a thing",
            )
        if key not in allowed:
            close = difflib.get_close_matches(key.lower(), allowed, n=1, cutoff=0.75)
            hint = f" (did you mean {prefix}{close[0]}?)" if close else ""
            raise ProfileFileError(field, "unknown field" + hint)


def _require_str(document: Mapping[str, Any], field: str, path: str | None = None) -> str:
    value = document[field]
    if not isinstance(value, str):
        raise ProfileFileError(path or field, "must be a string")
    return value


def _optional(document: Mapping[str, Any], field: str) -> Any:
    return document.get(field)


def _printable(value: str, field: str, *, max_len: int, min_len: int = 1) -> str:
    if has_unsafe_chars(value):
        raise ProfileFileError(
            field, "must not contain control, bidi, invisible or unusual space characters"
        )
    if not min_len <= len(value) <= max_len:
        raise ProfileFileError(field, f"must be {min_len}-{max_len} characters")
    if not value.strip():
        raise ProfileFileError(field, "must not be only spaces")
    return value


def _role_arn(value: Any, field: str) -> naming.RoleArn:
    if not isinstance(value, str):
        raise ProfileFileError(field, "must be a string")
    parsed = naming.parse_role_arn(value)
    if isinstance(parsed, str):
        raise ProfileFileError(field, parsed)
    return parsed


def _region(value: Any, field: str, partition: str) -> str:
    if not isinstance(value, str):
        raise ProfileFileError(field, "must be a string")
    reason = naming.check_region(value, partition)
    if reason:
        raise ProfileFileError(field, f"{quoted(value, 30)} {reason}")
    return value


def _integer(value: Any, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ProfileFileError(field, "must be an integer")
    return value


def _string_list(value: Any, field: str) -> list[str]:
    if not isinstance(value, list):
        raise ProfileFileError(field, "must be an array")
    for item in value:
        if not isinstance(item, str):
            raise ProfileFileError(field, "must hold only strings")
    seen: set[str] = set()
    for item in value:
        if item in seen:
            raise ProfileFileError(field, f"{quoted(item, 40)} is listed twice")
        seen.add(item)
    return value


def _instance_tag(value: Any) -> InstanceTag:
    if not isinstance(value, dict):
        raise ProfileFileError("instance_tag", 'must be an object {"key": ..., "value": ...}')
    _check_keys(value, _NESTED_KEYS["instance_tag"], "instance_tag.")
    for part in ("key", "value"):
        if part not in value:
            raise ProfileFileError(f"instance_tag.{part}", "is missing")
    key = _require_str(value, "key", "instance_tag.key")
    tag_value = _require_str(value, "value", "instance_tag.value")
    reason = naming.check_tag_key(key)
    if reason:
        raise ProfileFileError("instance_tag.key", reason)
    reason = naming.check_tag_value(tag_value)
    if reason:
        raise ProfileFileError("instance_tag.value", reason)
    return InstanceTag(key, tag_value)


def _host(value: Any) -> HostInfo:
    if not isinstance(value, dict):
        raise ProfileFileError("host", 'must be an object {"name": ..., "contact": ...}')
    _check_keys(value, _NESTED_KEYS["host"], "host.")
    parts: dict[str, str | None] = {}
    for part in ("name", "contact"):
        if part in value:
            field = f"host.{part}"
            parts[part] = _printable(_require_str(value, part, field), field, max_len=256)
    return HostInfo(name=parts.get("name"), contact=parts.get("contact"))


def _expires(value: Any) -> datetime:
    if not isinstance(value, str):
        raise ProfileFileError("expires", "must be an RFC 3339 timestamp string")
    match = _RFC3339.fullmatch(value)
    if match is None:
        raise ProfileFileError("expires", "must be an RFC 3339 timestamp (2027-01-31T23:59:59Z)")
    if match.group("zone") is None:
        raise ProfileFileError(
            "expires", "needs a time zone (Z or +HH:MM), e.g. 2027-01-31T23:59:59Z"
        )
    try:
        # fromisoformat takes at most microseconds; cut longer fractions.
        normalized = re.sub(r"(\.\d{6})\d+", r"\1", value.upper().replace(" ", "T"))
        return datetime.fromisoformat(normalized)
    except ValueError:
        raise ProfileFileError("expires", "is not a valid date and time") from None


def profile_from_mapping(document: Mapping[str, Any], *, with_secret: bool) -> PartyProfile:
    """Validate a decoded profile object. `with_secret` is False for the store's copy."""
    allowed = (
        _TOP_LEVEL_KEYS if with_secret else tuple(k for k in _TOP_LEVEL_KEYS if k != "external_id")
    )
    _check_keys(document, allowed, "")
    required = ["format", "version", "name", "role_arn", "region", "instance_tag"]
    if with_secret:
        required.insert(4, "external_id")
    for field in required:
        if field not in document:
            raise ProfileFileError(field, "is missing")

    if document["format"] != FORMAT_NAME:
        raise ProfileFileError("format", f'must be "{FORMAT_NAME}"')
    version = _integer(document["version"], "version")
    if version > FORMAT_VERSION:
        raise ProfileFileError(
            "version",
            f"this file needs a newer ssmclient (file version {version}, "
            f"this ssmclient reads version {FORMAT_VERSION})",
        )
    if version < FORMAT_VERSION:
        raise ProfileFileError("version", f"must be {FORMAT_VERSION}")

    name = _printable(_require_str(document, "name"), "name", max_len=64)
    role = _role_arn(document["role_arn"], "role_arn")
    if with_secret:
        reason = naming.check_external_id(_require_str(document, "external_id"))
        if reason:
            raise ProfileFileError("external_id", reason)
    region = _region(document["region"], "region", role.partition)
    regions: list[str] = []
    if "regions" in document:
        regions = _string_list(document["regions"], "regions")
        for extra in regions:
            _region(extra, "regions", role.partition)
    instance_tag = _instance_tag(document["instance_tag"])

    source_role_arn: str | None = None
    if "source_role_arn" in document:
        source = _role_arn(document["source_role_arn"], "source_role_arn")
        check_source_role(source, role, "source_role_arn")
        source_role_arn = document["source_role_arn"]

    source_identity = document.get("source_identity", False)
    if not isinstance(source_identity, bool):
        raise ProfileFileError("source_identity", "must be true or false")

    session_duration: int | None = None
    if "session_duration" in document:
        session_duration = _integer(document["session_duration"], "session_duration")
        if not 900 <= session_duration <= 3600:
            raise ProfileFileError(
                "session_duration", "must be 900-3600 seconds (role chaining caps it at one hour)"
            )

    documents: tuple[str, ...] = DEFAULT_DOCUMENTS
    if "documents" in document:
        listed = _string_list(document["documents"], "documents")
        if not listed:
            raise ProfileFileError("documents", "must name at least one session document")
        for item in listed:
            reason = naming.check_document_name(item)
            if reason:
                raise ProfileFileError("documents", reason)
        documents = tuple(listed)

    host = _host(document["host"]) if "host" in document else HostInfo()
    expires = _expires(document["expires"]) if "expires" in document else None

    return PartyProfile(
        name=name,
        role_arn=document["role_arn"],
        region=region,
        regions=tuple(regions),
        instance_tag=instance_tag,
        source_role_arn=source_role_arn,
        source_identity=source_identity,
        session_duration=session_duration,
        documents=documents,
        host=host,
        expires=expires,
    )


def check_source_role(source: naming.RoleArn, host_role: naming.RoleArn, field: str) -> None:
    """Hop 1's role must be the partner's own, in the host role's partition."""
    if source.account == host_role.account:
        raise ProfileFileError(
            field,
            f"is in the host's own account ({host_role.account}); "
            "it must be a role in your (the partner's) account",
        )
    if source.partition != host_role.partition:
        raise ProfileFileError(field, "must be in the same partition as role_arn")


def profile_to_mapping(profile: PartyProfile, external_id: str | None = None) -> dict[str, Any]:
    """The file form of a profile; with `external_id` it is a complete `.ssmprofile`."""
    document: dict[str, Any] = {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "name": profile.name,
        "role_arn": profile.role_arn,
    }
    if external_id is not None:
        document["external_id"] = external_id
    document["region"] = profile.region
    if profile.regions:
        document["regions"] = list(profile.regions)
    document["instance_tag"] = {
        "key": profile.instance_tag.key,
        "value": profile.instance_tag.value,
    }
    if profile.source_role_arn is not None:
        document["source_role_arn"] = profile.source_role_arn
    if profile.source_identity:
        document["source_identity"] = True
    if profile.session_duration is not None:
        document["session_duration"] = profile.session_duration
    if profile.documents != DEFAULT_DOCUMENTS:
        document["documents"] = list(profile.documents)
    host = {k: v for k, v in (("name", profile.host.name), ("contact", profile.host.contact)) if v}
    if host:
        document["host"] = host
    if profile.expires is not None:
        document["expires"] = profile.expires.isoformat()
    return document
