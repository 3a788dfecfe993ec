"""Local work of a connect once credentials are chained (target: at most 150 ms, median).

Measures, for `SessionConnector.open_shell(..., terminal="inline")` against an
in-process sandbox: the time from the call until the plugin process is
started, minus the StartSession request itself, and counts the AWS requests
ssmclient makes (must be exactly one: StartSession). The plugin is a tiny
POSIX shell script that reports a current version and exits, so its own start
is not counted as ssmclient's work.

Two figures: the first connect of a connector (includes finding the plugin and
running `--version`, as every CLI `connect` does) and later connects (the GUI
keeps its connector, so the plugin is checked once).

Run by hand: .venv/bin/python benchmarks/bench_connect.py [--runs 20]
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import keyring

from ssmclient.core.aws.role_chain import RoleChain
from ssmclient.core.profile_file import read_profile_file
from ssmclient.core.profile_store import ProfileStore
from ssmclient.core.sessions import connector as connector_module
from ssmclient.core.sessions import inline_session
from ssmclient.core.sessions.connector import SessionConnector
from ssmclient.core.sessions.history import SessionHistory
from ssmclient.sandbox.client import Sandbox
from ssmclient.sandbox.server import SandboxServer

from keyring_support import MemoryKeyring


class Clock:
    def __init__(self) -> None:
        self.start_session = 0.0
        self.popen_at = 0.0

    def install(self) -> None:
        real_start = connector_module.start_session
        real_popen = subprocess.Popen

        def timed_start(*args: Any, **kwargs: Any) -> Any:
            began = time.perf_counter()
            try:
                return real_start(*args, **kwargs)
            finally:
                self.start_session = time.perf_counter() - began

        def timed_popen(*args: Any, **kwargs: Any) -> Any:
            self.popen_at = time.perf_counter()
            return real_popen(*args, **kwargs)

        connector_module.start_session = timed_start  # type: ignore[assignment]
        inline_session.subprocess.Popen = timed_popen  # type: ignore[misc]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="ssmclient-bench-"))
    plugin = work / "session-manager-plugin"
    plugin.write_text('#!/bin/sh\n[ "$1" = --version ] && echo 1.2.764.0\nexit 0\n')
    plugin.chmod(0o755)
    server = SandboxServer().start()
    try:
        sandbox = Sandbox(server.endpoint_url, server.control_token, files_dir=server.state_dir)
        scenario = sandbox.reset()
        for name, value in sandbox.env().items():
            if name.startswith("AWS_"):
                os.environ[name] = value
        os.environ["SSMCLIENT_PLUGIN"] = str(plugin)
        keyring.set_keyring(MemoryKeyring())
        store = ProfileStore(work / "config")
        record = store.save_import(read_profile_file(scenario.profile_file)).record
        chain = RoleChain.from_record(record, store)
        chain.credentials()
        clock = Clock()
        clock.install()
        history = SessionHistory(work / "config")
        target = scenario.instances_a[0]

        first, later = [], []
        for _ in range(args.runs):
            fresh = SessionConnector(record, chain, history)
            began = time.perf_counter()
            fresh.open_shell(target, terminal="inline")
            first.append(clock.popen_at - began - clock.start_session)
        kept = SessionConnector(record, chain, history)
        kept.open_shell(target, terminal="inline")
        sandbox.clear_requests()
        for _ in range(args.runs):
            began = time.perf_counter()
            kept.open_shell(target, terminal="inline")
            later.append(clock.popen_at - began - clock.start_session)
        actions = sorted({str(r.action) for r in sandbox.requests()})
        per_connect = len(sandbox.requests()) / args.runs
        print(
            f"first connect of a connector (plugin found and version checked): "
            f"{statistics.median(first) * 1000:.1f} ms local work (median of {args.runs})"
        )
        print(
            f"later connects (plugin known): {statistics.median(later) * 1000:.1f} ms local work "
            f"(median of {args.runs})"
        )
        print(f"AWS requests per connect: {per_connect:g} ({', '.join(actions)})")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
