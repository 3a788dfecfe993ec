"""Fuzz the `.ssmprofile` parser: many hostile files, no crash, no hang, no invalid file accepted.

    .venv/bin/python scripts/fuzz_profile_file.py [--count 100000] [--seed 1]

Inputs are valid files changed the ways a hostile or broken host file would be:
fields replaced by values of every JSON type, dropped, added (dangerous names
too), nested objects changed; and the bytes themselves cut, flipped, spliced with
BOMs, NULs, bidi controls, duplicate keys, deep nesting and huge values. Each
outcome must be an accepted profile that survives a round trip through the
file form, or a ProfileFileError naming a field; anything else (another
exception, more than 0.5 s for one input) is a failure. The suite runs a short
property-based version (tests/core/test_profile_file_properties.py).
"""

import argparse
import json
import random
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from ssmclient.core.errors import ProfileFileError
from ssmclient.core.profile_file import parse_profile_bytes, profile_to_mapping

VALID: dict[str, Any] = {
    "format": "ssmclient-profile",
    "version": 1,
    "name": "Example Corp (Third_Party_A)",
    "role_arn": "arn:aws:iam::111122223333:role/SSMStartSession_IAM_Role_ThirdPartyA",
    "external_id": "ExternalID3rdPartyA",
    "region": "us-east-1",
    "regions": ["eu-west-1"],
    "instance_tag": {"key": "ExternalAccessGrantedTo", "value": "Third_Party_A"},
    "source_role_arn": "arn:aws:iam::444455556666:role/3P_IAM_Assume_Role",
    "source_identity": True,
    "session_duration": 3600,
    "documents": ["SSM-SessionManagerRunShell", "AWS-StartSSHSession"],
    "host": {"name": "Example Corp", "contact": "cloud-ops@example.com"},
    "expires": "2030-01-01T00:00:00Z",
}
ODD_TEXT = [
    "",
    " ",
    "\u202eevil",
    "\x1b]0;title\x07",
    "\x00",
    "a" * 100_000,
    "e\u0301" * 50,
    "arn:aws:iam::111122223333:role/x",
    "arn:aws-cn:iam::111122223333:role/x",
    "us-gov-west-1",
    "cn-north-1",
    "2030-01-01T00:00:00",
    "9999-12-31T23:59:59+14:00",
    "http://169.254.169.254/",
    "$(touch /tmp/x)",
    "\ud800",
]
ODD_KEYS = ["endpoint_url", "aws_secret_access_key", "credential_process", "proxy", "role_arm", "x"]
ODD_BYTES = [
    b"\xef\xbb\xbf",
    b"\x00",
    b"\xff\xfe",
    b'"',
    b"{",
    b"}",
    b",",
    b"NaN",
    b"1e999",
    b"\\u0000",
]


def value(rng: random.Random, depth: int = 0) -> Any:
    kind = rng.randrange(9 if depth < 3 else 6)
    if kind == 0:
        return None
    if kind == 1:
        return rng.choice([True, False])
    if kind == 2:
        return rng.choice([0, -1, 1, 899, 900, 3600, 3601, 2**63, -(2**63), 10**30])
    if kind == 3:
        return rng.choice([0.5, -0.0, 1e308, 3600.0])
    if kind in (4, 5):
        return (
            rng.choice(ODD_TEXT)
            if rng.random() < 0.5
            else rng.choice(list(map(str, VALID.values())))
        )
    if kind in (6, 7):
        return [value(rng, depth + 1) for _ in range(rng.randrange(4))]
    return {
        rng.choice(ODD_KEYS + list(VALID)): value(rng, depth + 1) for _ in range(rng.randrange(4))
    }


def structured(rng: random.Random) -> bytes:
    document = json.loads(json.dumps(VALID))
    for _ in range(rng.randrange(1, 4)):
        action = rng.randrange(5)
        key = rng.choice(list(VALID))
        if action == 0:
            document[key] = value(rng)
        elif action == 1:
            document.pop(key, None)
        elif action == 2:
            document[rng.choice(ODD_KEYS)] = value(rng)
        elif action == 3 and isinstance(document.get("host"), dict):
            document["host"][rng.choice(["name", "contact", "x", "url"])] = value(rng)
        elif isinstance(document.get("instance_tag"), dict):
            document["instance_tag"][rng.choice(["key", "value", "x"])] = value(rng)
    return json.dumps(document, ensure_ascii=rng.random() < 0.5).encode("utf-8", "surrogatepass")


def raw(rng: random.Random) -> bytes:
    data = bytearray(json.dumps(VALID).encode())
    for _ in range(rng.randrange(1, 6)):
        action = rng.randrange(5)
        at = rng.randrange(len(data) + 1)
        if action == 0 and data:
            data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
        elif action == 1:
            del data[at:]
        elif action == 2:
            data[at:at] = rng.choice(ODD_BYTES)
        elif action == 3:
            data = bytearray(b'{"name": "x", ' + bytes(data[1:]))  # a duplicate key
        else:
            data = bytearray(b"[" * rng.choice([10, 1000, 100_000]) + bytes(data))
    return bytes(data)


def check(data: bytes) -> str:
    """'accepted', 'refused', or raises AssertionError for an accepted file that is not valid."""
    try:
        imported = parse_profile_bytes(data)
    except ProfileFileError as exc:
        if not exc.field or "\n" in str(exc):
            raise AssertionError(f"refused without one line naming a field: {exc!r}") from None
        return "refused"
    # An oracle of its own: an accepted file holds only the format's keys, and says
    # exactly what the profile read from it says.
    document = json.loads(data.decode("utf-8"))
    nested = {"instance_tag": {"key", "value"}, "host": {"name", "contact"}}
    extra = set(document) - set(VALID)
    extra |= {
        f"{k}.{n}" for k, keys in nested.items() for n in document.get(k, {}) if n not in keys
    }
    if extra:
        raise AssertionError(f"accepted with keys the format does not have: {sorted(extra)}")
    mapping = profile_to_mapping(imported.profile, imported.external_id)
    for key, shown in mapping.items():
        given = document[key]
        if key == "expires":
            text = str(given)  # RFC 3339: T, t or a space between; Z or z for UTC
            text = text[:10] + "T" + text[11:]
            text = text[:-1] + "+00:00" if text[-1:] in ("Z", "z") else text
            given = datetime.fromisoformat(text).isoformat()
        if given != shown:
            raise AssertionError(f"accepted, but {key} reads as {shown!r}, not {given!r}")
    if parse_profile_bytes(json.dumps(mapping).encode()) != imported:
        raise AssertionError("accepted, but its file form reads back differently")
    return "accepted"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)  # noqa: S311 - reproducible inputs, not secrets
    counts = {"accepted": 0, "refused": 0, "failures": 0}
    slowest = 0.0
    began = time.perf_counter()
    for n in range(args.count):
        data = structured(rng) if n % 2 else raw(rng)
        start = time.perf_counter()
        try:
            counts[check(data)] += 1
        except Exception as exc:  # a crash, or an invalid file accepted
            counts["failures"] += 1
            print(f"FAILURE {type(exc).__name__}: {exc!s:.200} for {data[:120]!r}", file=sys.stderr)
        took = time.perf_counter() - start
        slowest = max(slowest, took)
        if took > 0.5:
            counts["failures"] += 1
            print(f"SLOW {took:.2f} s for {data[:120]!r}", file=sys.stderr)
    total = time.perf_counter() - began
    print(
        f"{args.count} inputs in {total:.1f} s: {counts['accepted']} accepted, "
        f"{counts['refused']} refused with a field named, {counts['failures']} failures; "
        f"slowest input {slowest * 1000:.1f} ms"
    )
    return 1 if counts["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
