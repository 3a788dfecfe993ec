"""`ssmclient` dispatch: parse, run, and turn every failure into one line and an exit code."""

import logging
import os
import sys
from collections.abc import Sequence

from ssmclient.cli.output import err
from ssmclient.core.errors import InputError, SsmClientError, user_message

logger = logging.getLogger("ssmclient.cli")

COMMANDS = (
    "profile",
    "instances",
    "doctor",
    "connect",
    "forward",
    "ssh-proxy",
    "history",
    "host",
    "sandbox",
)


def main(argv: Sequence[str]) -> int:
    try:
        status = _run(list(argv))
    except SsmClientError as exc:
        logger.error("%s", exc.message, extra={"console": False})  # err() says it
        err(exc.message)
        return exc.exit_code
    except KeyboardInterrupt:
        sys.stderr.write("\n")
        return 130
    except BrokenPipeError:
        # `ssmclient profile list | head`: the reader left; that is not an error.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except Exception as exc:
        logger.exception("internal error")
        if os.environ.get("SSMCLIENT_DEBUG"):
            raise
        message = user_message(exc)
        if message is not None:
            err(message)
            return 1
        err(f"internal error: {type(exc).__name__}: {exc} (set SSMCLIENT_DEBUG=1 for details)")
        return 1
    logger.info("exit %d", status)
    return status


def _start_log(command: str | None, *, verbose: bool) -> None:
    from ssmclient import __version__
    from ssmclient.core import diagnostic_log
    from ssmclient.core.paths import config_dir

    diagnostic_log.start(config_dir(), verbose=verbose)
    logger.info("ssmclient %s: %s", __version__, command or "window")


def _run(argv: list[str]) -> int:
    from ssmclient.cli.parser import build_parser

    parser = build_parser()
    gui_file: str | None = None
    if argv and not argv[0].startswith("-") and argv[0] not in COMMANDS:
        if not _looks_like_file(argv[0]):
            raise _unknown_command(argv[0])
        gui_file, argv = argv[0], argv[1:]
    args = parser.parse_args(argv)
    if args.command != "sandbox" and not args.sandbox:
        _start_log(args.command, verbose=args.verbose)
    if args.command is None:
        return _run_gui(gui_file, sandbox=args.sandbox)
    if gui_file is not None:
        parser.error(f"unknown command '{gui_file[:40]}'")
    if args.command == "profile":
        from ssmclient.cli import profile_commands

        return profile_commands.run(args)
    if args.command == "instances":
        from ssmclient.cli import instances_command

        return instances_command.run(args)
    if args.command == "doctor":
        from ssmclient.cli import doctor_command

        return doctor_command.run(args)
    if args.command in ("connect", "forward", "ssh-proxy", "history"):
        from ssmclient.cli import session_commands

        runner = {
            "connect": session_commands.run_connect,
            "forward": session_commands.run_forward,
            "ssh-proxy": session_commands.run_ssh_proxy,
            "history": session_commands.run_history,
        }[args.command]
        return runner(args)
    if args.command == "host":
        from ssmclient.cli import host_commands

        return host_commands.run(args)
    if args.command == "sandbox":
        try:
            from ssmclient.sandbox.cli import run_sandbox_command
        except ImportError as exc:
            from ssmclient.sandbox_missing import sandbox_missing

            raise sandbox_missing(exc) from None

        return run_sandbox_command(port=args.port, instances=args.instances)
    parser.error(f"unknown command {args.command}")
    return None


def _run_gui(file: str | None, *, sandbox: bool) -> int:
    import importlib.util

    if sandbox and importlib.util.find_spec("ssmclient.sandbox") is None:
        # Said before anything else: an installed app has no sandbox at all.
        from ssmclient.sandbox_missing import sandbox_missing

        raise sandbox_missing(ImportError(name="ssmclient.sandbox"))
    if importlib.util.find_spec("ssmclient.gui") is None:
        raise SsmClientError(
            "this is ssmclient's headless install, without the desktop window: use its "
            "commands (`ssmclient --help`), or install the desktop app (`pip install ssmclient`)"
        )
    from ssmclient.gui.display_check import display_problem

    problem = display_problem()
    if problem is not None:
        raise SsmClientError(
            f"{problem}: start ssmclient in a desktop session, or use its commands, "
            "which need no screen (`ssmclient --help`)"
        )
    # Qt is imported only here: every other command stays Qt-free.
    try:
        from ssmclient.gui.app import run_app
    except ImportError as exc:
        raise SsmClientError(
            f"the desktop window cannot be loaded here ({exc}); install ssmclient with its "
            "window (the Qt libraries), or use the commands (`ssmclient --help`)"
        ) from None
    return run_app(file, sandbox=sandbox)


def _looks_like_file(word: str) -> bool:
    """Only an existing path or a `.ssmprofile` name is a file for the window, not a typo."""
    return word.lower().endswith(".ssmprofile") or os.path.exists(word)


def _unknown_command(word: str) -> InputError:
    import difflib

    from ssmclient.core.text import quoted

    close = difflib.get_close_matches(word, COMMANDS, n=1, cutoff=0.6)
    hint = f" (did you mean {close[0]}?)" if close else " (see `ssmclient --help`)"
    return InputError(f"unknown command {quoted(word, 40)}{hint}")
