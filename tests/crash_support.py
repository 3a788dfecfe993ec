"""Kill a writer with SIGKILL at a random moment of its work (the crash tests' one helper)."""

import random
import signal
import subprocess
import sys
import time
from collections.abc import Mapping


def kill_while_writing(
    code: str, argv: list[str], env: Mapping[str, str], rng: random.Random
) -> None:
    """Run `code` (which prints "ready" after its first write, then writes on), kill it."""
    writer = subprocess.Popen(
        [sys.executable, "-c", code, *argv], stdout=subprocess.PIPE, env=dict(env), text=True
    )
    assert writer.stdout is not None
    assert writer.stdout.readline().strip() == "ready"
    time.sleep(rng.uniform(0, 0.05))
    writer.send_signal(signal.SIGKILL)
    writer.wait()
    writer.stdout.close()
