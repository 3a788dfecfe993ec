"""Questions to the person at the terminal: on stdin only when it is a terminal, or on /dev/tty."""

import getpass
import os
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


TTY_PATH = "/dev/tty"
_MAX_LINE = 1024


def read_secret_from_tty(prompt: str) -> str | None:
    """A line typed on the controlling terminal without echo; None when there is no terminal.

    For commands whose standard input and output carry data (ssh-proxy): the
    terminal is opened by name and standard input is never read. Unlike
    getpass, there is no fall-back to stdin.
    """
    if sys.platform == "win32":
        return None
    import termios

    try:
        descriptor = os.open(TTY_PATH, os.O_RDWR | os.O_NOCTTY)
    except OSError:
        return None
    try:
        try:
            saved = termios.tcgetattr(descriptor)
        except termios.error:
            return None
        quiet = list(saved)
        quiet[3] = saved[3] & ~termios.ECHO
        os.write(descriptor, prompt.encode("utf-8", "replace"))
        termios.tcsetattr(descriptor, termios.TCSAFLUSH, quiet)
        try:
            return _read_line(descriptor)
        finally:
            termios.tcsetattr(descriptor, termios.TCSAFLUSH, saved)
            os.write(descriptor, b"\n")
    finally:
        os.close(descriptor)


def _read_line(descriptor: int) -> str:
    line = b""
    while b"\n" not in line and len(line) < _MAX_LINE:
        chunk = os.read(descriptor, _MAX_LINE)
        if not chunk:
            break
        line += chunk
    return line.split(b"\n", 1)[0].decode("utf-8", "replace").rstrip("\r")


MFA_CODE_ENV = "SSMCLIENT_MFA_CODE"


def cli_mfa_prompt(serial: str) -> str:
    """The MFA code from SSMCLIENT_MFA_CODE (scripts), else a prompt on the terminal."""
    code = os.environ.get(MFA_CODE_ENV)
    if code is None:
        if not sys.stdin.isatty():
            raise InputError(
                f"MFA code: needed for {serial} and standard input is not a terminal: "
                f"set {MFA_CODE_ENV}"
            )
        code = getpass.getpass(f"MFA code for {serial}: ")
    return code  # checked where it is used (RoleChain), whoever asked for it
