"""Start-up time of light CLI commands, as fresh processes (median of N runs).

Run by hand: .venv/bin/python benchmarks/bench_startup.py [--runs 15]
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

COMMANDS = (("--version",), ("profile", "list"), ("profile", "list", "--json"))


def median_seconds(argv: list[str], env: dict[str, str], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    executable = Path(sys.executable).with_name("ssmclient")
    with tempfile.TemporaryDirectory() as config:
        env = {**os.environ, "SSMCLIENT_CONFIG_DIR": config}
        baseline = median_seconds([sys.executable, "-c", "pass"], env, args.runs)
        print(f"python -c pass: {baseline * 1000:.0f} ms (interpreter floor)")
        for command in COMMANDS:
            seconds = median_seconds([str(executable), *command], env, args.runs)
            print(f"ssmclient {' '.join(command)}: {seconds * 1000:.0f} ms (median of {args.runs})")


if __name__ == "__main__":
    main()
