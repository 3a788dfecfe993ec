"""`ssmclient connect`, `forward`, `ssh-proxy` and `history`."""

import argparse
import os
import re
import signal
import threading
from collections.abc import Callable
from dataclasses import asdict
from types import FrameType
from typing import TYPE_CHECKING

from ssmclient.cli.output import err, out, print_json, table
from ssmclient.cli.prompts import MFA_CODE_ENV, cli_mfa_prompt, read_secret_from_tty
from ssmclient.cli.stored_profiles import load
from ssmclient.core.aws import naming
from ssmclient.core.errors import InputError
from ssmclient.core.paths import config_dir
from ssmclient.core.sessions.history import SessionHistory
from ssmclient.core.text import quoted

_HOST = re.compile(r"[A-Za-z0-9._:-]{1,253}", re.ASCII)

if TYPE_CHECKING:
    from ssmclient.core.sessions.connector import SessionConnector


def _connector(
    profile: str,
    mfa_prompt: Callable[[str], str] = cli_mfa_prompt,
    *,
    keep_plugins_fresh: bool = True,
) -> "SessionConnector":
    # botocore is imported only for the commands that talk to AWS.
    from ssmclient.core.aws.role_chain import RoleChain
    from ssmclient.core.sessions.connector import SessionConnector

    store, record = load(profile)
    chain = RoleChain.from_record(record, store, mfa_prompt=mfa_prompt)
    connector = SessionConnector(
        record, chain, SessionHistory(config_dir()), keep_plugins_fresh=keep_plugins_fresh
    )
    plugin = connector.plugin()  # missing or unsafe: said before any AWS request
    if plugin.warning:
        err(f"warning: {plugin.warning}")
    return connector


def _check_arguments(args: argparse.Namespace) -> None:
    # Wrong input is exit 2 before the keyring or AWS is asked anything.
    from ssmclient.core.sessions.request import check_instance_id, check_reason

    check_instance_id(args.instance_id)
    check_reason(args.reason)
    if args.region is not None and naming.partition_of_region(args.region) is None:
        raise InputError(f"--region: {quoted(args.region, 40)} is not an AWS region name")
    host = getattr(args, "host", None)
    if host is not None and not _HOST.fullmatch(host):
        raise InputError("--host: must be a host name or IP address (letters, digits, . - : _)")


def run_connect(args: argparse.Namespace) -> int:
    _check_arguments(args)
    # A new window outlives this command, which then cannot keep its plugin fed.
    connector = _connector(args.profile, keep_plugins_fresh=args.terminal == "inline")
    try:
        outcome = connector.open_shell(
            args.instance_id, terminal=args.terminal, reason=args.reason, region=args.region
        )
    finally:
        connector.close()
    if outcome.exit_status is None:
        out(f"Session {outcome.session_id} opened in a {outcome.terminal} window.")
    return 0


def run_forward(args: argparse.Namespace) -> int:
    _check_arguments(args)
    connector = _connector(args.profile)
    stop = threading.Event()

    def on_sigterm(_number: int, _frame: FrameType | None) -> None:
        # Like Ctrl+C: the forward (or its start-up) is unwound and the session ended.
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, on_sigterm)
    try:
        forward = connector.forward(
            args.instance_id,
            args.port,
            local_port=args.local_port,
            host=args.host,
            reason=args.reason,
            region=args.region,
        )
        target = f"{args.host} via {args.instance_id}" if args.host else args.instance_id
        out(f"Forwarding localhost:{forward.local_port} -> {target}:{args.port}")
        out("Press Ctrl+C to stop.")
        try:
            while not forward.wait(0.5):
                pass
        except KeyboardInterrupt:
            stop.set()
        finally:
            forward.stop()
    finally:
        signal.signal(signal.SIGTERM, previous)
        connector.close()
    if not stop.is_set():
        last = forward.output()[-1] if forward.output() else "no output"
        err(f"the port forward ended by itself: {last}")
        return 1
    out("Stopped; the session is terminated.")
    return 130


def tty_mfa_prompt(serial: str) -> str:
    """The MFA code from SSMCLIENT_MFA_CODE, else asked on the terminal itself (/dev/tty).

    For ssh-proxy, whose standard input is ssh's connection: it is never read
    for the code.
    """
    code = os.environ.get(MFA_CODE_ENV)
    if code is None:
        code = read_secret_from_tty(f"MFA code for {serial}: ")
        if code is None:
            raise InputError(
                f"MFA code: needed for {serial} and there is no terminal to ask on "
                f"(standard input is ssh's connection): set {MFA_CODE_ENV}"
            )
    return code  # checked where it is used (RoleChain), whoever asked for it


def _ssh_gone(_number: int, _frame: FrameType | None) -> None:
    # ssh sends SIGHUP to its ProxyCommand when it exits.
    from ssmclient.core.sessions.connector import SshClientGoneError

    raise SshClientGoneError


def _stopped(_number: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def run_ssh_proxy(args: argparse.Namespace) -> int:
    """ssh's ProxyCommand: standard output carries only the plugin's bytes, all else is stderr."""
    _check_arguments(args)
    from ssmclient.core.sessions.connector import SshClientGoneError

    handlers = {"SIGHUP": _ssh_gone, "SIGTERM": _stopped}
    previous = {
        number: signal.signal(number, handler)
        for name, handler in handlers.items()
        if (number := getattr(signal, name, None)) is not None
    }
    try:
        connector = _connector(args.profile, mfa_prompt=tty_mfa_prompt)
        status = connector.proxy_ssh(
            args.instance_id, args.port, reason=args.reason, region=args.region
        )
    except (KeyboardInterrupt, SshClientGoneError):
        # Stopped before the session ended by itself; quietly, as ssh owns the terminal.
        return 130
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
    if status != 0:
        err(f"session-manager-plugin exited with status {status}")
        return 1
    return 0


def run_history(args: argparse.Namespace) -> int:
    entries, unreadable = SessionHistory(config_dir()).entries()
    if unreadable:
        err(f"warning: {unreadable} unreadable line(s) of the session history were skipped")
    if args.json:
        print_json([asdict(entry) for entry in entries])
        return 0
    if not entries:
        out("No sessions yet.")
        return 0
    rows = [
        [
            entry.time,
            entry.profile,
            entry.instance_id + (f" ({entry.instance_name})" if entry.instance_name else ""),
            entry.document,
            entry.session_id or "-",
            entry.outcome,
        ]
        for entry in entries
    ]
    table(["TIME", "PROFILE", "INSTANCE", "DOCUMENT", "SESSION", "OUTCOME"], rows)
    return 0
