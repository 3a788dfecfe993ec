"""Real third-party Session Manager clients from PyPI, each in a cached venv of its own.

For the sandbox's acceptance test (tests/sandbox/test_real_clients.py) and the
side-by-side benchmark (benchmarks/bench_peers.py): they must work against the
sandbox as they work against AWS. The venvs live under
`$XDG_CACHE_HOME/ssmclient-tests/peers` (default `~/.cache/...`) and are made
again only when what they should hold changes.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

from ssmclient.sandbox.cli import write_chain_config
from ssmclient.sandbox.scenario import Scenario

# What to install, then what to upgrade over its pins: aws-gate's pinned botocore
# predates endpoint settings (AWS_ENDPOINT_URL, endpoint_url in the config).
PEERS: dict[str, tuple[list[str], list[str]]] = {
    "aws-gate": (["aws-gate==0.11.3"], ["boto3", "botocore"]),
    "ssm-connect": (["ssm-connect==1.6.0"], []),
    "aws-ssm-juggle": (["aws-ssm-juggle==26.3.0"], []),
    "aws-ssm-tools": (["aws-ssm-tools==2.2.1"], []),
}


def cache_root() -> Path:
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "ssmclient-tests" / "peers"


def peer_venv(name: str) -> Path:
    """The client's venv, made once and kept (a marker says it is complete and what it holds)."""
    venv = cache_root() / name
    marker = venv / "installed.json"
    install, upgrade = PEERS[name]
    wanted = {"install": install, "upgrade": upgrade}
    if marker.exists() and json.loads(marker.read_text(encoding="utf-8")) == wanted:
        return venv
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True, timeout=300)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet"]
    subprocess.run([*pip, "--disable-pip-version-check", *install], check=True, timeout=900)
    if upgrade:
        subprocess.run([*pip, "--upgrade", *upgrade], check=True, timeout=900)
    marker.write_text(json.dumps(wanted), encoding="utf-8")
    return venv


def chain_environment(
    scenario: Scenario, endpoint_url: str, plugin_dir: Path, work: Path
) -> dict[str, str]:
    """A user's shell for a peer: the chain as AWS config profiles (AWS_PROFILE=hop2, no
    keys in the environment), a HOME of its own (the AWS CLI's and aws-gate's credential
    cache), and on PATH the stand-in plugin and this venv's tools (`aws`), no terminal
    program (ssm-connect would open a window in one)."""
    home = work / "home"
    home.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "SSMCLIENT_"))}
    env.update(
        {
            "HOME": str(home),
            "AWS_CONFIG_FILE": str(write_chain_config(scenario, endpoint_url, work)),
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_PROFILE": "hop2",
            # For clients that read no endpoint_url from the config (and aws-ssm-juggle's
            # plugin call, which names no endpoint).
            "AWS_ENDPOINT_URL": endpoint_url,
            "PATH": os.pathsep.join([str(plugin_dir), str(Path(sys.executable).parent)]),
        }
    )
    return env
