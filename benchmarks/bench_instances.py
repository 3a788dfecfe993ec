"""`ssmclient instances --json` (fresh process) vs the host's three AWS CLI commands.

Both run against one in-process sandbox, one after the other, median of 5
each (after one unmeasured warm-up of each, so neither pays for a cold disk
cache). The AWS CLI side is the host's documented flow: `aws sts assume-role`
(hop 1), `aws sts assume-role --external-id` (hop 2), then
`aws ec2 describe-instances --filters ... --output table`. Target: ratio <= 0.4.

It also checks the request log of one ssmclient run: exactly 2 AssumeRole
calls, and one DescribeInstances call per 1000 instances per region.

The keyring of the child processes is `BenchKeyring` below (selected with
PYTHON_KEYRING_BACKEND): a JSON file in the benchmark's private temp dir.
That is for this benchmark only; ssmclient itself refuses file keyrings.

Run by hand: .venv/bin/python benchmarks/bench_instances.py [--runs 5] [--instances N]
"""

import json
import os
from pathlib import Path

import keyring.backend

_KEYRING_FILE_ENV = "SSMCLIENT_BENCH_KEYRING_FILE"


class BenchKeyring(keyring.backend.KeyringBackend):
    """A keyring shared by the benchmark's child processes through one private file."""

    priority = 1

    def _path(self) -> Path:
        return Path(os.environ[_KEYRING_FILE_ENV])

    def _load(self) -> dict[str, str]:
        try:
            return dict(json.loads(self._path().read_text(encoding="utf-8")))
        except FileNotFoundError:
            return {}

    def _save(self, entries: dict[str, str]) -> None:
        path = self._path()
        path.write_text(json.dumps(entries), encoding="utf-8")
        path.chmod(0o600)

    def get_password(self, service: str, username: str) -> str | None:
        return self._load().get(f"{service}/{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        entries = self._load()
        entries[f"{service}/{username}"] = password
        self._save(entries)

    def delete_password(self, service: str, username: str) -> None:
        from keyring.errors import PasswordDeleteError

        entries = self._load()
        if entries.pop(f"{service}/{username}", None) is None:
            raise PasswordDeleteError("not found")
        self._save(entries)


def _main() -> None:
    import argparse
    import math
    import shutil
    import statistics
    import subprocess
    import sys
    import tempfile
    import time

    from ssmclient.sandbox.client import Sandbox
    from ssmclient.sandbox.server import SandboxServer

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--instances", type=int, default=None, help="A instances to seed")
    args = parser.parse_args()

    venv_bin = Path(sys.executable).parent
    ssmclient_cmd = [str(venv_bin / "ssmclient")]
    if not Path(ssmclient_cmd[0]).exists():
        ssmclient_cmd = [sys.executable, "-m", "ssmclient"]
    aws = str(venv_bin / "aws") if (venv_bin / "aws").exists() else shutil.which("aws")
    if aws is None:
        sys.exit("the AWS CLI (`aws`) is not installed")

    work = Path(tempfile.mkdtemp(prefix="ssmclient-bench-"))
    server = SandboxServer().start()
    try:
        sandbox = Sandbox(server.endpoint_url, server.control_token)
        scenario = sandbox.reset() if args.instances is None else sandbox.reseed(args.instances)
        here = str(Path(__file__).resolve().parent)
        env = sandbox.env(
            SSMCLIENT_CONFIG_DIR=str(work / "config"),
            PYTHON_KEYRING_BACKEND="bench_instances.BenchKeyring",
            PYTHONPATH=os.pathsep.join(p for p in (here, os.environ.get("PYTHONPATH")) if p),
            SSMCLIENT_AWS_READ_TIMEOUT="120",  # moto writes big pages slowly
            **{_KEYRING_FILE_ENV: str(work / "keyring.json")},
        )
        subprocess.run(
            [*ssmclient_cmd, "profile", "import", str(scenario.profile_file), "--yes"],
            env=env,
            check=True,
            capture_output=True,
        )
        name = json.loads(scenario.profile_file.read_text(encoding="utf-8"))["name"]

        def ours() -> int:
            result = subprocess.run(
                [*ssmclient_cmd, "instances", "--profile", name, "--json"],
                env=env,
                capture_output=True,
                text=True,
                check=True,
            )
            return len(json.loads(result.stdout))

        def assume(role_arn: str, creds_env: dict[str, str], *extra: str) -> dict[str, str]:
            result = subprocess.run(
                [aws, "sts", "assume-role", "--role-arn", role_arn,
                 "--role-session-name", "bench", "--output", "json", *extra],
                env=creds_env, capture_output=True, text=True, check=True,
            )  # fmt: skip
            creds = json.loads(result.stdout)["Credentials"]
            return {
                **env,
                "AWS_ACCESS_KEY_ID": creds["AccessKeyId"],
                "AWS_SECRET_ACCESS_KEY": creds["SecretAccessKey"],
                "AWS_SESSION_TOKEN": creds["SessionToken"],
            }

        def theirs() -> None:
            hop1 = assume(scenario.partner_role_arn, env)
            # The host's documented flow passes the External ID as an argument;
            # that is the comparison's, not ssmclient's, way of doing it.
            hop2 = assume(scenario.host_role_arn, hop1, "--external-id", scenario.external_id)
            tag_filter = f"Name=tag:{scenario.tag_key},Values={scenario.tag_value_a}"
            subprocess.run(
                [aws, "ec2", "describe-instances", "--filters", tag_filter, "--output", "table"],
                env=hop2, capture_output=True, check=True,
            )  # fmt: skip

        def timed(work_fn: object) -> float:
            began = time.perf_counter()
            work_fn()  # type: ignore[operator]
            return time.perf_counter() - began

        ours()  # warm-ups, not measured
        theirs()
        ours_times, theirs_times = [], []
        for _ in range(args.runs):
            ours_times.append(timed(ours))
            theirs_times.append(timed(theirs))

        sandbox.clear_requests()
        listed = ours()
        assume_calls = sandbox.count("AssumeRole")
        describe = sandbox.requests("DescribeInstances")
        regions = {r.region for r in describe}
        expected_pages = max(1, math.ceil(listed / 1000)) * len(regions)

        ours_median = statistics.median(ours_times)
        theirs_median = statistics.median(theirs_times)
        ratio = ours_median / theirs_median
        print(f"instances listed:              {listed}")
        print(f"ssmclient instances --json:    median {ours_median:.3f} s  {_fmt(ours_times)}")
        print(f"aws CLI, 3 commands:           median {theirs_median:.3f} s  {_fmt(theirs_times)}")
        print(f"ratio:                         {ratio:.2f} (target <= 0.40)")
        print(f"AssumeRole calls:              {assume_calls} (expected 2)")
        print(
            f"DescribeInstances calls:       {len(describe)} "
            f"(expected {expected_pages}: one per 1000 instances per region)"
        )
        ok = ratio <= 0.4 and assume_calls == 2 and len(describe) == expected_pages
        print("PASS" if ok else "FAIL")
        sys.exit(0 if ok else 1)
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)


def _fmt(times: list[float]) -> str:
    return "[" + ", ".join(f"{t:.3f}" for t in times) + "]"


if __name__ == "__main__":
    _main()
