"""`ssmclient doctor --profile NAME [--json]`: each step checked and reported on its own."""

import argparse

from ssmclient.cli.output import out, print_json
from ssmclient.cli.prompts import cli_mfa_prompt
from ssmclient.cli.stored_profiles import load


def run(args: argparse.Namespace) -> int:
    from ssmclient.core.doctor import diagnose

    store, record = load(args.profile)
    checks = diagnose(record, store, mfa_prompt=cli_mfa_prompt)
    if args.json:
        print_json([c.to_json() for c in checks])
    else:
        width = max(len(c.check) for c in checks)
        for c in checks:
            out(f"{'ok  ' if c.ok else 'FAIL'}  {c.check.ljust(width)}  {c.detail}")
    return 0 if all(c.ok for c in checks) else 1
