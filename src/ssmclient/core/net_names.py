"""Host names and ports a user types for a port forward."""

import re

_HOST = re.compile(r"[A-Za-z0-9._:-]{1,253}", re.ASCII)


def check_forward_host(host: str) -> str | None:
    """Why `host` cannot be a forward's remote host, or None."""
    if not _HOST.fullmatch(host):
        return "must be a host name or IP address (letters, digits, . - : _)"
    return None


def parse_port(text: str, *, allow_zero: bool = False) -> int | str:
    """The port number in `text`, or why it is not one."""
    text = text.strip()
    # isascii: str.isdigit() also accepts digits such as "²" that int() refuses.
    if not (text.isascii() and text.isdigit()) or len(text) > 5:
        return f"'{text[:20]}' is not a port number"
    value = int(text)
    low = 0 if allow_zero else 1
    if not low <= value <= 65535:
        return f"{value} is not a port number ({low}-65535)"
    return value
