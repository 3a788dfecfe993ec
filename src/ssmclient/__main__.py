"""Entry point of the `ssmclient` command: the CLI for sub-commands, the GUI otherwise."""

import sys


def main() -> int:
    # Deliberately tiny: `ssmclient --version` must not pay for boto3 or Qt.
    argv = sys.argv[1:]
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
    from ssmclient.cli.main import main as cli_main

    return cli_main(argv)


if __name__ == "__main__":
    sys.exit(main())
