"""Property-based: any file is accepted and round-trips, or refused in one line naming a field."""

import contextlib
import io
import json
import tempfile
from pathlib import Path
from typing import Any

import keyring
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ssmclient.cli.main import main
from ssmclient.core.errors import ProfileFileError
from ssmclient.core.profile_file import parse_profile_bytes, profile_to_mapping, read_profile_file

from keyring_support import MemoryKeyring
from profile_samples import EXAMPLE, encode

KNOWN_FIELDS = {*EXAMPLE, "regions", "source_identity", "session_duration", "documents", "expires"}

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**6), max_value=10**6),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=80),
    st.sampled_from(
        ["us-east-1", "cn-north-1", "arn:aws:iam::111122223333:role/R", "2027-01-01T00:00:00Z"]
    ),
)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)


@st.composite
def mutated_documents(draw: st.DrawFn) -> Any:
    document: dict[str, Any] = json.loads(json.dumps(EXAMPLE))
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        action = draw(st.sampled_from(["replace", "delete", "add", "nested"]))
        key = draw(st.sampled_from(sorted(KNOWN_FIELDS)))
        if action == "replace":
            document[key] = draw(json_values)
        elif action == "delete":
            document.pop(key, None)
        elif action == "add":
            document[draw(st.text(min_size=1, max_size=20))] = draw(json_values)
        else:
            parent = draw(st.sampled_from(["instance_tag", "host"]))
            if isinstance(document.get(parent), dict):
                document[parent][
                    draw(st.sampled_from(["key", "value", "name", "contact", "x"]))
                ] = draw(json_values)
    return document


@st.composite
def mutated_bytes(draw: st.DrawFn) -> bytes:
    raw = bytearray(encode(EXAMPLE))
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        position = draw(st.integers(min_value=0, max_value=len(raw) - 1))
        raw[position] = draw(st.integers(min_value=0, max_value=255))
    return bytes(raw)


any_file = st.one_of(
    mutated_documents().map(encode),
    mutated_bytes(),
    json_values.map(encode),
    st.binary(max_size=200),
)


def check_outcome(raw: bytes) -> None:
    try:
        imported = parse_profile_bytes(raw)
    except ProfileFileError as error:
        message = str(error)
        assert "\n" not in message
        assert message == f"{error.field}: {error.reason}"
        # The field is named visibly: a known field, "file", or the offending key as written.
        assert error.field
        assert error.field.strip() == error.field
        assert error.reason
        return
    again = parse_profile_bytes(encode(profile_to_mapping(imported.profile, imported.external_id)))
    assert again == imported


@settings(max_examples=600, suppress_health_check=[HealthCheck.too_slow])
@given(any_file)
def test_every_file_is_accepted_and_round_trips_or_refused_naming_a_field(raw: bytes) -> None:
    check_outcome(raw)


@settings(max_examples=60, deadline=None)
@given(mutated_documents().map(encode))
def test_the_cli_exits_2_with_one_line_or_imports(raw: bytes) -> None:
    previous = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "p.ssmprofile"
        path.write_bytes(raw)
        stdout, stderr = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            status = main(["profile", "import", str(path), "--yes"])
        keyring.set_keyring(previous)
        try:
            read_profile_file(path)
        except ProfileFileError as error:
            assert status == 2
            assert stderr.getvalue() == f"ssmclient: {error}\n"
            assert stdout.getvalue() == ""
        else:
            assert status == 0, stderr.getvalue()
