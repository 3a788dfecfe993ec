"""Entry point of the `ssmclient` command: the CLI for sub-commands, the GUI otherwise."""

import sys


def main() -> int:
    # Deliberately tiny: `ssmclient --version` must not pay for boto3 or Qt.
    from ssmclient.cli.main import main as cli_main

    return cli_main(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
