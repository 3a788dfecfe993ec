"""The sandbox's own costs: start-up, resets, and a two-hop chain plus listing with boto3.

Figures (medians of N runs unless said otherwise):
- start: importing the sandbox (moto included) and starting a seeded server, measured
  in a fresh process so import time counts, as for `ssmclient sandbox`;
- reset: a light reset (nothing changed since seeding) and a full reseed;
- chain + listing: alice's keys -> hop 1 (partner role) -> hop 2 (host role A, External
  ID) -> ec2:DescribeInstances filtered on the A tag, all pages, with fresh clients per
  run (as a new connection of the app would make them), at the default size and at
  `--instances` A instances.

Run by hand: .venv/bin/python benchmarks/bench_sandbox.py [--runs 20] [--instances 2500]
"""

import argparse
import statistics
import subprocess
import sys
import time
from typing import Any

import botocore.config
import botocore.session

from ssmclient.sandbox.client import Sandbox
from ssmclient.sandbox.server import SandboxServer

_START_PROBE = (
    "import time; t = time.perf_counter(); "
    "from ssmclient.sandbox.server import SandboxServer; "
    "s = SandboxServer().start(); print(time.perf_counter() - t); s.stop()"
)


def start_time() -> float:
    out = subprocess.run(
        [sys.executable, "-c", _START_PROBE], capture_output=True, text=True, check=True
    )
    return float(out.stdout.strip().splitlines()[-1])


def chain_and_list(session: Any, sandbox: Sandbox) -> tuple[float, int]:
    scenario = sandbox.scenario
    config = botocore.config.Config(retries={"total_max_attempts": 1})
    common = {
        "region_name": scenario.region,
        "endpoint_url": sandbox.endpoint_url,
        "config": config,
    }
    began = time.perf_counter()
    sts = session.create_client(
        "sts",
        aws_access_key_id=scenario.alice_access_key_id,
        aws_secret_access_key=scenario.alice_secret_access_key,
        **common,
    )
    first = sts.assume_role(RoleArn=scenario.partner_role_arn, RoleSessionName="bench")
    keys = first["Credentials"]
    sts2 = session.create_client(
        "sts",
        aws_access_key_id=keys["AccessKeyId"],
        aws_secret_access_key=keys["SecretAccessKey"],
        aws_session_token=keys["SessionToken"],
        **common,
    )
    second = sts2.assume_role(
        RoleArn=scenario.host_role_arn, RoleSessionName="bench", ExternalId=scenario.external_id
    )["Credentials"]
    ec2 = session.create_client(
        "ec2",
        aws_access_key_id=second["AccessKeyId"],
        aws_secret_access_key=second["SecretAccessKey"],
        aws_session_token=second["SessionToken"],
        **common,
    )
    pages = ec2.get_paginator("describe_instances").paginate(
        Filters=[{"Name": f"tag:{scenario.tag_key}", "Values": [scenario.tag_value_a]}]
    )
    count = sum(len(r["Instances"]) for page in pages for r in page["Reservations"])
    return time.perf_counter() - began, count


def median_ms(values: list[float]) -> str:
    ordered = sorted(values)
    p90 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.9))]
    return f"median {statistics.median(values) * 1000:7.1f} ms   p90 {p90 * 1000:7.1f} ms"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--instances", type=int, default=2500)
    args = parser.parse_args()

    starts = [start_time() for _ in range(3)]
    print(f"start (fresh process, import + seed): {median_ms(starts)}  (3 runs)")

    session = botocore.session.Session()
    session.set_config_variable("config_file", "/dev/null")
    session.set_config_variable("credentials_file", "/dev/null")
    with SandboxServer() as server:
        sandbox = Sandbox(server.endpoint_url, server.control_token, files_dir=server.state_dir)
        light = []
        for _ in range(args.runs):
            began = time.perf_counter()
            sandbox.reset()
            light.append(time.perf_counter() - began)
        print(f"light reset:                          {median_ms(light)}")
        full = []
        for _ in range(5):
            began = time.perf_counter()
            sandbox.reseed(6)
            full.append(time.perf_counter() - began)
        print(f"full reseed (6 A instances):          {median_ms(full)}  (5 runs)")

        chain_and_list(session, sandbox)  # warm the botocore model cache
        for size in (None, args.instances):
            if size is not None:
                began = time.perf_counter()
                sandbox.reseed(size)
                print(f"reseed to {size} A instances:         {time.perf_counter() - began:.2f} s")
            runs = [chain_and_list(session, sandbox) for _ in range(args.runs)]
            listed = runs[0][1]
            label = f"chain + listing ({listed} A instances):"
            print(f"{label:38s}{median_ms([t for t, _ in runs])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
