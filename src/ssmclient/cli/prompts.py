"""Questions to the person at the terminal; never asked when stdin is not a terminal."""

import getpass
import sys

from ssmclient.core.errors import InputError


def confirm(question: str, *, assume_yes: bool, flag_hint: str = "--yes") -> bool:
    if assume_yes:
        return True
    if not sys.stdin.isatty():
        raise InputError(
            f"confirmation needed and standard input is not a terminal: add {flag_hint}"
        )
    sys.stderr.write(question + " [y/N] ")
    sys.stderr.flush()
    answer = sys.stdin.readline().strip().lower()
    return answer in ("y", "yes")


def read_secret(prompt: str) -> str:
    """A secret from a no-echo prompt, or the first line of stdin when it is not a terminal."""
    if sys.stdin.isatty():
        return getpass.getpass(prompt)
    return sys.stdin.readline().rstrip("\r\n")
