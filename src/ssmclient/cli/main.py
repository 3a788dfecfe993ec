"""`ssmclient` dispatch: parse, run, and turn every failure into one line and an exit code."""

import os
import sys
from collections.abc import Sequence

from ssmclient.cli.output import err
from ssmclient.core.errors import InputError, SsmClientError

COMMANDS = ("profile", "instances", "doctor", "connect", "forward", "history", "sandbox")


def main(argv: Sequence[str]) -> int:
    try:
        return _run(list(argv))
    except SsmClientError as exc:
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
        if os.environ.get("SSMCLIENT_DEBUG"):
            raise
        if type(exc).__module__.startswith("botocore"):
            err(_botocore_message(exc))
            return 1
        err(f"internal error: {type(exc).__name__}: {exc} (set SSMCLIENT_DEBUG=1 for details)")
        return 1


def _botocore_message(exc: Exception) -> str:
    """A botocore error that no step handled: an unreadable AWS config file, say."""
    name = type(exc).__name__
    if name == "ParamValidationError":
        # Its text quotes the request's values, which may be secret.
        return "AWS request: a parameter was refused by botocore (ParamValidationError)"
    return f"AWS settings: {exc} ({name})"


def _run(argv: list[str]) -> int:
    if argv and argv[0].startswith("__"):
        # The helper inside a new terminal window (see core/terminals/handoff.py);
        # its module is imported only then, to keep the CLI's start-up light.
        from ssmclient.core.terminals.handoff import parse_helper_argv, run_helper

        parsed = parse_helper_argv(argv)
        if parsed is None:
            raise InputError(f"unknown command '{argv[0][:40]}'")
        return run_helper(*parsed)

    from ssmclient.cli.parser import build_parser

    parser = build_parser()
    gui_file: str | None = None
    if argv and not argv[0].startswith("-") and argv[0] not in COMMANDS:
        gui_file, argv = argv[0], argv[1:]
    args = parser.parse_args(argv)
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
    if args.command in ("connect", "forward", "history"):
        from ssmclient.cli import session_commands

        runner = {
            "connect": session_commands.run_connect,
            "forward": session_commands.run_forward,
            "history": session_commands.run_history,
        }[args.command]
        return runner(args)
    if args.command == "sandbox":
        from ssmclient.sandbox.cli import run_sandbox_command

        return run_sandbox_command(port=args.port, instances=args.instances)
    parser.error(f"unknown command {args.command}")
    return None


def _run_gui(file: str | None, *, sandbox: bool) -> int:
    from ssmclient.cli.parser import build_parser

    # The desktop window lands in a later release; until then say so plainly.
    if file is not None:
        raise InputError(
            "the desktop window is not part of this version yet; "
            "import the file with `ssmclient profile import FILE`"
        )
    if sandbox:
        raise InputError(
            "the desktop window is not part of this version yet; "
            "run `ssmclient sandbox` and use the commands it prints"
        )
    build_parser().print_help()
    return 0
