"""`ssmclient`'s entry point: finished commands skip the interpreter's teardown, safely."""

import os
import subprocess
import sys
from pathlib import Path

PROBE = """
import atexit, sys
atexit.register(lambda: print("teardown ran", file=sys.stderr))
sys.argv = ["ssmclient", *sys.argv[1:]]
from ssmclient.__main__ import main
sys.exit(main())
"""


def _run(tmp_path: Path, *args: str, code: str = PROBE) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SSMCLIENT_CONFIG_DIR": str(tmp_path / "config")}
    env.pop("PYTHONUNBUFFERED", None)  # output buffered, as a user's is when piped
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


def test_a_finished_listing_skips_teardown_and_keeps_its_status(tmp_path: Path) -> None:
    done = _run(tmp_path, "instances", "--profile", "nosuch")
    assert done.returncode != 0
    assert "teardown ran" not in done.stderr
    assert done.stderr.startswith("ssmclient: ")  # its one line was flushed first
    listed = _run(tmp_path, "profile", "list", "--json")
    assert (listed.returncode, listed.stdout.strip()) == (0, "[]")
    assert "teardown ran" not in listed.stderr


def test_other_commands_end_normally(tmp_path: Path) -> None:
    done = _run(tmp_path, "connect", "--profile", "nosuch", "i-0123456789abcdef0")
    assert done.returncode != 0
    assert "teardown ran" in done.stderr


def test_buffered_output_is_written_before_the_exit(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from ssmclient.__main__ import _exit_without_teardown\n"
        "for n in range(50000): print(n)\n"
        "_exit_without_teardown(3)\n"
    )
    done = _run(tmp_path, code=code)
    assert done.returncode == 3
    assert done.stdout.splitlines() == [str(n) for n in range(50000)]


def test_a_running_thread_is_left_to_finish(tmp_path: Path) -> None:
    code = (
        "import threading, time\n"
        "from ssmclient.__main__ import _exit_without_teardown\n"
        "def work():\n"
        "    time.sleep(0.3)\n"
        "    print('thread finished', flush=True)\n"
        "threading.Thread(target=work).start()\n"
        "_exit_without_teardown(0)\n"
        "print('normal exit', flush=True)\n"
    )
    done = _run(tmp_path, code=code)
    assert (done.returncode, done.stdout.split()) == (0, ["normal", "exit", "thread", "finished"])


def test_short_commands_run_without_the_cycle_collector(tmp_path: Path) -> None:
    code = (
        "import gc, sys\n"
        "import ssmclient.cli.main as cli\n"
        "cli.main = lambda argv: print(argv[0], gc.isenabled(), flush=True) or 0\n"
        "sys.argv = ['ssmclient', *sys.argv[1:]]\n"
        "from ssmclient.__main__ import main\n"
        "sys.exit(main())\n"
    )
    seen = [
        _run(tmp_path, command, code=code).stdout.strip() for command in ("instances", "forward")
    ]
    assert seen == ["instances False", "forward True"]  # a long-running command keeps it
