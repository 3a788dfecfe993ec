"""ssmclient's listing side by side with real peers, through the same two-hop chain.

Every client lists what one party may reach: alice -> hop 1 -> hop 2 (External
ID) -> its listing, in a fresh process, against one in-process sandbox:

- ssmclient `instances --json` (tag filter and ping status);
- the blog's three AWS CLI commands (assume-role twice, describe-instances
  with the tag filter), timed together;
- aws-gate `list --format json` (boto3 upgraded: its pin predates endpoint settings);
- ssm-connect and aws-ssm-juggle, whose listings exist only behind a menu: their
  own listing code, called as their menu calls it;
- aws-ssm-tools `ssm-session --list` (it lists through ssm:GetInventory, which
  the host role's policy does not grant: the table says how it fails).

Each round runs every client once in a rotated order, after one unmeasured
warm-up round; the table gives medians, the requests one run made (from the
sandbox's log) and whether the result holds exactly the party's instances.
`--latency MS` makes the sandbox answer every request after that many
milliseconds (a near or far region: on AWS the network is the cost).

Run by hand:
    .venv/bin/python benchmarks/bench_peers.py [--sizes 6,1000,5000] [--runs 5] [--latency 0,30,80]
        [--slow 60]  (a client whose warm-up takes longer is timed once more, not --runs times)
        [--only ssmclient,ssm-connect]  (the clients whose names contain one of these)
"""

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ssmclient.sandbox.cli import throwaway_environment
from ssmclient.sandbox.client import Sandbox
from ssmclient.sandbox.peer_clients import chain_environment, peer_venv
from ssmclient.sandbox.scenario import PROFILE_NAME_A
from ssmclient.sandbox.server import SandboxServer

BIN = Path(sys.executable).parent
ACTIONS = ("AssumeRole", "DescribeInstances", "DescribeInstanceInformation", "GetCallerIdentity")

Listing = Callable[[], set[str]]


def _run(argv: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=600, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{argv[0]}: {done.stderr.strip()[-2000:]}")
    return done.stdout


def clients(sandbox: Sandbox, server: SandboxServer, work: Path) -> dict[str, Listing]:
    scenario = sandbox.scenario
    work.mkdir(parents=True, exist_ok=True)
    mine = throwaway_environment(server, work)
    mine = {**{k: v for k, v in os.environ.items() if not k.startswith("AWS_")}, **mine}
    _run([str(BIN / "ssmclient"), "profile", "import", str(scenario.profile_file), "--yes"], mine)
    plugin_dir = Path(mine["SSMCLIENT_PLUGIN"]).parent
    peers = chain_environment(scenario, sandbox.endpoint_url, plugin_dir, work)
    blog = {k: v for k, v in peers.items() if k not in ("AWS_PROFILE", "AWS_CONFIG_FILE", "HOME")}
    blog.update(
        {
            "AWS_ACCESS_KEY_ID": scenario.alice_access_key_id,
            "AWS_SECRET_ACCESS_KEY": scenario.alice_secret_access_key,
            "AWS_DEFAULT_REGION": scenario.region,
            "AWS_CONFIG_FILE": os.devnull,
        }
    )

    def ssmclient() -> set[str]:
        out = _run(
            [str(BIN / "ssmclient"), "instances", "--profile", PROFILE_NAME_A, "--json"], mine
        )
        return {row["instance_id"] for row in json.loads(out)}

    def aws_cli_blog() -> set[str]:
        env = dict(blog)
        for role, extra in (
            (scenario.partner_role_arn, []),
            (scenario.host_role_arn, ["--external-id", scenario.external_id]),
        ):
            out = _run(
                [
                    str(BIN / "aws"),
                    "sts",
                    "assume-role",
                    "--role-arn",
                    role,
                    "--role-session-name",
                    "alice",
                    *extra,
                    "--output",
                    "json",
                ],
                env,
            )
            credentials = json.loads(out)["Credentials"]
            env.update(
                AWS_ACCESS_KEY_ID=credentials["AccessKeyId"],
                AWS_SECRET_ACCESS_KEY=credentials["SecretAccessKey"],
                AWS_SESSION_TOKEN=credentials["SessionToken"],
            )
        out = _run(
            [
                str(BIN / "aws"),
                "ec2",
                "describe-instances",
                "--output",
                "json",
                "--filters",
                f"Name=tag:{scenario.tag_key},Values={scenario.tag_value_a}",
            ],
            env,
        )
        return {i["InstanceId"] for r in json.loads(out)["Reservations"] for i in r["Instances"]}

    def aws_gate() -> set[str]:
        out = _run(
            [str(peer_venv("aws-gate") / "bin" / "aws-gate"), "list", "--format", "json"], peers
        )
        return {row["instance_id"] for row in json.loads(out)}

    def ssm_connect() -> set[str]:
        code = (
            "import json; from ssm_connect import inventory as i; s = i.make_boto3_session(); "
            "p = s.client('ec2').get_paginator('describe_instances').paginate("
            "Filters=[{'Name': 'instance-state-name', 'Values': ['running']}]); "
            "print(json.dumps([x['InstanceId'] for q in p for r in q['Reservations'] "
            "for x in r['Instances']]))"
        )
        return set(
            json.loads(_run([str(peer_venv("ssm-connect") / "bin" / "python"), "-c", code], peers))
        )

    def aws_ssm_juggle() -> set[str]:
        code = (
            "import json, boto3; import aws_ssm_juggle.ec2 as e; "
            "e.show_menu = lambda items, **kw: (print(json.dumps(items)), ('i-0 - x', None))[1]; "
            f"e.get_instance_id(boto3.session.Session(region_name='{scenario.region}'), '')"
        )
        out = _run([str(peer_venv("aws-ssm-juggle") / "bin" / "python"), "-c", code], peers)
        return {row.split(" - ")[0] for row in json.loads(out.splitlines()[-1])}

    def aws_ssm_tools() -> set[str]:
        out = _run([str(peer_venv("aws-ssm-tools") / "bin" / "ssm-session"), "--list"], peers)
        return {line.split()[0] for line in out.splitlines() if line.startswith("i-")}

    return {
        "ssmclient instances --json": ssmclient,
        "the blog's 3 AWS CLI commands": aws_cli_blog,
        "aws-gate 0.11.3 list": aws_gate,
        "ssm-connect 1.6.0 (its listing)": ssm_connect,
        "aws-ssm-juggle 26.3.0 (its listing)": aws_ssm_juggle,
        "aws-ssm-tools 2.2.1 ssm-session --list": aws_ssm_tools,
    }


def measure(
    sandbox: Sandbox, listings: dict[str, Listing], runs: int, slow: float
) -> dict[str, Any]:
    """Every client once per round; one whose warm-up took over `slow` seconds runs only
    once more (its median is of that one run), so a bench at 5,000 instances ends."""
    names = list(listings)
    times: dict[str, list[float]] = {name: [] for name in names}
    warm_up: dict[str, float] = {}
    requests: dict[str, int] = {}
    results: dict[str, set[str] | str] = {}
    for round_number in range(runs + 1):  # round 0 is the warm-up
        order = names[round_number % len(names) :] + names[: round_number % len(names)]
        for name in order:
            if round_number > 1 and warm_up.get(name, 0) > slow:
                continue
            sandbox.clear_requests()
            began = time.perf_counter()
            try:
                results[name] = listings[name]()
            except RuntimeError as exc:  # a peer that cannot list here: say how it fails
                refused = re.search(r"error occurred \((\w+)\) when calling the (\w+)", str(exc))
                results[name] = (
                    f"{refused[1]} on {refused[2]}" if refused else str(exc).splitlines()[-1][-70:]
                )
            took = time.perf_counter() - began
            if round_number:
                times[name].append(took)
            else:
                warm_up[name] = took
            requests[name] = len(sandbox.requests())
    return {"times": times, "requests": requests, "results": results}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="6,1000", help="A instances to seed, comma-separated")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--latency", default="0", help="milliseconds per request, comma-separated")
    parser.add_argument(
        "--slow", type=float, default=60.0, help="seconds: a client slower than this runs once"
    )
    parser.add_argument(
        "--only", default="", help="time only the clients whose names contain one of these"
    )
    args = parser.parse_args()
    only = [word for word in args.only.split(",") if word]
    work = Path(tempfile.mkdtemp(prefix="ssmclient-bench-peers-"))
    server = SandboxServer().start()
    try:
        sandbox = Sandbox(server.endpoint_url, server.control_token, files_dir=server.state_dir)
        for latency in (int(x) for x in args.latency.split(",")):
            for size in (int(x) for x in args.sizes.split(",")):
                # The default scenario has 6 A instances; larger ones are seeded.
                scenario = sandbox.reset() if size == 6 else sandbox.reseed(size)
                party = set(scenario.instances_a + scenario.instances_a_second_region) - set(
                    scenario.instances_a_second_region
                )
                for action in ACTIONS:
                    if latency:
                        sandbox.inject_fault(action, "latency", seconds=latency / 1000)
                listings = clients(sandbox, server, work / f"{size}-{latency}")
                if only:
                    listings = {n: f for n, f in listings.items() if any(w in n for w in only)}
                found = measure(sandbox, listings, args.runs, args.slow)
                blog = found["times"].get("the blog's 3 AWS CLI commands")
                base = statistics.median(blog) if blog else None  # None: not timed (--only)
                print(f"\n{size} party instances, {latency} ms per request, median of {args.runs}:")
                header = f"{'client':40} {'median':>8} {'x blog':>7} {'requests':>9}"
                print(f"{header}  exactly the party's")
                for name, samples in found["times"].items():
                    median = statistics.median(samples)
                    listed = found["results"][name]
                    if isinstance(listed, str):
                        exact = f"fails: {listed}"
                    else:
                        exact = "yes" if listed == party else f"no ({len(listed)} listed)"
                    calls = found["requests"][name]
                    once = " (1 run)" if len(samples) == 1 else ""
                    ratio = f"{median / base:6.2f}x" if base else f"{'-':>7}"
                    print(f"{name:40} {median:7.2f}s {ratio} {calls:>9}  {exact}{once}")
                sandbox.clear_faults()
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
