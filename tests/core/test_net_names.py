"""Ports and remote host names a user types for a port forward."""

import pytest

from ssmclient.core.net_names import check_forward_host, parse_port


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1", 1), ("22", 22), ("8080", 8080), ("65535", 65535), (" 22 ", 22), ("\t443\n", 443)],
)
def test_port_numbers(text: str, expected: int) -> None:
    assert parse_port(text) == expected
    assert parse_port(text, allow_zero=True) == expected


def test_leading_zeros_are_a_port_number() -> None:
    assert parse_port("00022") == 22


def test_zero_only_where_allowed() -> None:
    assert parse_port("0") == "0 is not a port number (1-65535)"
    assert parse_port("0", allow_zero=True) == 0
    assert parse_port("00000", allow_zero=True) == 0


@pytest.mark.parametrize("allow_zero", [False, True])
def test_above_the_range(allow_zero: bool) -> None:
    low = 0 if allow_zero else 1
    assert parse_port("65536", allow_zero=allow_zero) == f"65536 is not a port number ({low}-65535)"
    assert parse_port("99999", allow_zero=allow_zero) == f"99999 is not a port number ({low}-65535)"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "22x",
        "x22",
        "2 2",
        "-1",
        "+22",
        "22.0",
        "0x16",
        "1e3",
        "100000",
        "065536",
    ],
)
def test_not_a_port_number(text: str) -> None:
    result = parse_port(text)
    assert isinstance(result, str)
    assert "is not a port number" in result


@pytest.mark.parametrize("text", ["\u00b2", "2\u00b2", "\u2460"])
def test_digit_like_characters_are_not_a_port_number(text: str) -> None:
    result = parse_port(text)
    assert isinstance(result, str)
    assert "is not a port number" in result


def test_not_a_port_number_quotes_the_text_shortened() -> None:
    assert parse_port("22x") == "'22x' is not a port number"
    assert parse_port("") == "'' is not a port number"
    assert parse_port(" 22x ") == "'22x' is not a port number"
    assert parse_port("y" * 100) == f"'{'y' * 20}' is not a port number"


@pytest.mark.parametrize(
    "host",
    [
        "localhost",
        "db.internal",
        "db-1.eu-west-1.rds.amazonaws.com",
        "my_host",
        "10.0.0.12",
        "::1",
        "fe80::1ff:fe23:4567:890a",
        "2001:db8::8a2e:370:7334",
        "a",
        "a" * 253,
    ],
)
def test_forward_hosts(host: str) -> None:
    assert check_forward_host(host) is None


@pytest.mark.parametrize(
    "host",
    [
        "",
        "a" * 254,
        "db internal",
        " db",
        "db ",
        "db/24",
        "http://db",
        "db;x",
        "db;touch /tmp/pwned",
        "db&",
        "$(db)",
        "[::1]",
        "fe80::1%eth0",
        "db\n",
        "db\t",
        "dé.example",
        "db\u202e",
    ],
)
def test_not_forward_hosts(host: str) -> None:
    reason = "must be a host name or IP address (letters, digits, . - : _)"
    assert check_forward_host(host) == reason
