"""Entry point of the `ssmclient` command: the CLI for sub-commands, the GUI otherwise."""

import gc
import os
import sys
import threading

# Short commands: every effect is complete (written, closed, flushed) when they
# return, they leave nothing for interpreter teardown to do, and they end
# within seconds.
_SHORT_COMMANDS = frozenset({"instances", "profile", "doctor", "history"})


def main() -> int:
    # Deliberately tiny: `ssmclient --version` must not pay for boto3 or Qt.
    argv = sys.argv[1:]
    if argv == ["--version"]:
        # Answered before argparse and the CLI's modules are imported: they were
        # 35 ms of its 87 ms on a slow machine (python -c pass alone: 18 ms).
        from ssmclient import VERSION_LINE

        sys.stdout.write(VERSION_LINE + "\n")
        return 0
    if argv and argv[0].startswith("__"):
        # The core's own helper processes (the hand-off inside a new terminal
        # window, core/terminals/handoff.py; a plugin's credential_process,
        # core/sessions/credential_feed.py), run as `ssmclient __NAME ...`: they
        # belong to the program, not to its command line.
        if argv[0] == "__credentials":
            from ssmclient.core.sessions.credential_feed import run_credentials_helper

            return run_credentials_helper(argv)
        from ssmclient.core.terminals.handoff import run_helper_command

        return run_helper_command(argv)
    short = bool(argv) and argv[0] in _SHORT_COMMANDS
    if short:
        # Without the cycle collector: parsing botocore's models makes a
        # million objects, and each collection walks the whole growing heap
        # again (0.1-0.15 s of a 0.7 s listing, benchmarks/bench_peers.py). What
        # cycles these commands leave are freed with the process, seconds later.
        # Long-running commands (connect, forward, the window) keep it.
        gc.disable()
    from ssmclient.cli.main import main as cli_main

    status = cli_main(argv)
    if short:
        _exit_without_teardown(status)
    return status


def _exit_without_teardown(status: int) -> None:
    """End the process now, skipping the interpreter's teardown, when nothing needs it.

    Tearing down frees botocore's parsed service models (the EC2 model is
    hundreds of thousands of objects): 0.15-0.2 s of a 1 s listing
    (benchmarks/bench_peers.py), spent after the answer is printed. The
    kernel frees the memory at once. Only for the commands above, only once
    their output is flushed, and only with no other non-daemon thread alive
    (daemon threads are only head starts, such as parsing a model ahead).
    """
    if any(
        t.is_alive() and not t.daemon
        for t in threading.enumerate()
        if t is not threading.main_thread()
    ):
        return
    try:
        if "logging" in sys.modules:  # its handlers flush and close files of their own
            import logging

            logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
    except (BrokenPipeError, OSError):
        return  # let the normal exit report it as it always has
    os._exit(status)


if __name__ == "__main__":
    sys.exit(main())
