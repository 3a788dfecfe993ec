"""`ssmclient instances --json` (fresh process) vs the host's three AWS CLI commands.

Both run against one in-process sandbox, one after the other, median of 5
each (after one unmeasured warm-up of each, so neither pays for a cold disk
cache). The AWS CLI side is the host's documented flow: `aws sts assume-role`
(hop 1), `aws sts assume-role --external-id` (hop 2), then
`aws ec2 describe-instances --filters ... --output table`. Target: ratio <= 0.4.

It also checks the request log of one ssmclient run: exactly 2 AssumeRole
calls, and one DescribeInstances call per 1000 instances per region.

The child processes use the sandbox keyring (entries in the sandbox server's
memory, reached over loopback), as `ssmclient sandbox` users do.

Run by hand: .venv/bin/python benchmarks/bench_instances.py [--runs 5] [--instances N]
"""

import json
from pathlib import Path


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
    from ssmclient.sandbox.keyring_backend import TOKEN_VARIABLE, URL_VARIABLE, SandboxKeyring
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
        env = sandbox.env(
            SSMCLIENT_CONFIG_DIR=str(work / "config"),
            PYTHON_KEYRING_BACKEND=f"{SandboxKeyring.__module__}.{SandboxKeyring.__name__}",
            SSMCLIENT_AWS_READ_TIMEOUT="120",  # moto writes big pages slowly
            **{URL_VARIABLE: server.endpoint_url, TOKEN_VARIABLE: server.control_token},
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
