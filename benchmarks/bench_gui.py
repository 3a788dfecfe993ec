"""The window's speed targets (issue: the desktop app), measured offscreen.

- first window: process start to the main window shown and painted, `ssmclient`
  with no arguments, median of N fresh processes. "cold" empties the kernel's
  page cache before each run (as after a reboot; needs root, else it says so),
  "first run" gives each process an empty bytecode cache (as the first start
  after an install), "warm" is a start like the one before. Target: 0.4 s.
- listing stall: the longest gap of a 5 ms heartbeat timer on the GUI thread,
  in the app's event loop, while the window signs in and lists 5,000
  instances from the sandbox.
  Target: no stall over 50 ms.
- filter keystroke: typing into `Search instances` over 10,000 rows, each
  keystroke's filter and repaint. Target: 30 ms at most.
- memory: RSS of a fresh window process holding 10,000 rows. Target: 250 MB.
- connect: Connect clicked (warm credentials) to the plugin started in the
  "terminal", minus the time the sandbox spent answering StartSession.
  Target: 150 ms of local work.

Run by hand:
  .venv/bin/python benchmarks/bench_gui.py [--runs 5] [first-window|stall|filter|memory|connect]
  .venv/bin/python benchmarks/bench_gui.py first-window --frozen /usr/bin/ssmclient
    (the packaged app, or build/packaging/app/ssmclient/ssmclient, beside the source one;
    target for the frozen app: 0.3 s)
"""

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _offscreen_env(config: Path) -> dict[str, str]:
    # A user's Python writes its bytecode cache; some CI and sandbox machines
    # forbid it (PYTHONDONTWRITEBYTECODE), which would make every "warm" start
    # compile ssmclient's modules again.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return {**env, "QT_QPA_PLATFORM": "offscreen", "SSMCLIENT_CONFIG_DIR": str(config)}


def _drop_page_cache() -> bool:
    try:
        os.sync()
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
    except OSError:
        return False
    return True


def first_window(runs: int, frozen: Path | None = None) -> dict[str, float]:
    """Median start-to-painted times; with `frozen`, the packaged app's too, side by side.

    Both are timed the same way: the app's own smoke mode (SSMCLIENT_SMOKE_TEST)
    records time.monotonic() after the first event-loop turn of the shown window.
    """
    work = Path(tempfile.mkdtemp(prefix="ssmclient-bench-gui-"))
    commands = {"source": [sys.executable, "-m", "ssmclient"]}
    if frozen is not None:
        commands["frozen"] = [str(frozen)]
    results: dict[str, float] = {}
    for kind, command in commands.items():
        # One untimed start writes the bytecode cache, as the first start after
        # an install does; "first run" below measures that start on its own.
        env = {**_offscreen_env(work / f"config-{kind}"), "SSMCLIENT_SMOKE_TEST": str(work / "r")}
        subprocess.run(command, env=env, capture_output=True, timeout=60, check=True)
    for label in ("cold", "first run", "warm"):
        for kind, command in commands.items():
            if kind == "frozen" and label == "first run":
                continue  # the bundle's bytecode is compiled at build time
            times = []
            for run in range(runs + (label == "warm")):
                report = work / f"report-{kind}-{label}-{run}.json"
                env = {
                    **_offscreen_env(work / f"config-{kind}-{label}-{run}"),
                    "SSMCLIENT_SMOKE_TEST": str(report),
                }
                if label == "first run":
                    env["PYTHONPYCACHEPREFIX"] = str(work / f"pycache-{run}")
                if label == "cold" and not _drop_page_cache():
                    print("first window, cold: not measured (dropping the page cache needs root)")
                    break
                began = time.monotonic()
                subprocess.run(command, env=env, capture_output=True, timeout=60, check=True)
                shown = float(json.loads(report.read_text(encoding="utf-8"))["shown_at"])
                if label == "warm" and run == 0:
                    continue  # warm-up
                times.append(shown - began)
            if not times:
                continue
            key = f"{kind} {label}"
            results[key] = statistics.median(times)
            print(
                f"first window, {key}: median {results[key]:.3f} s over {len(times)} "
                f"(min {min(times):.3f}, max {max(times):.3f})"
            )
        if f"frozen {label}" in results and f"source {label}" in results:
            ratio = results[f"frozen {label}"] / results[f"source {label}"]
            print(f"first window, {label}: frozen / source = {ratio:.2f}")
    return results


class _Sandboxed:
    """The sandbox in a process of its own (as AWS is: its work is not the window's), and this
    process acting as alice with the A profile imported, through the sandbox keyring."""

    def __init__(self, instances: int) -> None:
        import shlex

        self.work = Path(tempfile.mkdtemp(prefix="ssmclient-bench-gui-"))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "ssmclient", "sandbox", "--instances", str(instances)],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        environment: dict[str, str] = {}
        profile_file = None
        for line in self.process.stdout:
            if line.startswith("export "):
                name, _, value = line[len("export ") :].strip().partition("=")
                environment[name] = shlex.split(value)[0] if value else ""
            elif line.startswith("  ssmclient profile import "):
                profile_file = shlex.split(line.strip())[-1]
            elif line.startswith("Press Ctrl+C"):
                break
        assert profile_file is not None, "the sandbox did not start"
        for name in [n for n in os.environ if n.startswith("AWS_")]:
            del os.environ[name]
        os.environ.update(environment)
        os.environ["SSMCLIENT_CONFIG_DIR"] = str(self.work / "config")
        os.environ["SSMCLIENT_AWS_READ_TIMEOUT"] = "120"  # moto writes big pages slowly
        from ssmclient.sandbox.client import Sandbox

        self.sandbox = Sandbox(
            environment["AWS_ENDPOINT_URL"], environment["SSMCLIENT_SANDBOX_TOKEN"]
        )
        self.scenario = self.sandbox.scenario
        from ssmclient.core.paths import config_dir
        from ssmclient.core.profile_file import read_profile_file
        from ssmclient.core.profile_store import ProfileStore

        ProfileStore(config_dir()).save_import(read_profile_file(Path(profile_file)))

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)


def _window():  # type: ignore[no-untyped-def]
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from ssmclient.gui.app import make_app, warm_up
    from ssmclient.gui.main_window import MainWindow

    app = make_app()
    warm_up()  # done on a thread in the app, long before a user has clicked
    window = MainWindow()
    window.show()
    return app, window


def _wait(app, condition, timeout: float = 600.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        app.processEvents()
        time.sleep(0.001)
        if time.monotonic() > deadline:
            raise TimeoutError("the window did not get there in time")


def stall(instances: int = 5000) -> float:
    from PySide6.QtCore import QTimer

    sandboxed = _Sandboxed(instances)
    try:
        app, window = _window()
        window.start()
        _wait(app, lambda: window.profile_model.rowCount() == 1)
        gaps: list[float] = []
        last = [time.monotonic()]

        when: list[float] = []

        def beat() -> None:
            now = time.monotonic()
            gaps.append(now - last[0])
            when.append(now)
            last[0] = now

        heartbeat = QTimer()
        heartbeat.setInterval(5)
        heartbeat.timeout.connect(beat)
        # The app's own event loop (app.exec), as a partner's window runs, until
        # the listing is in; a poll of processEvents would add gaps of its own.
        window.listing_finished.connect(app.quit)
        QTimer.singleShot(600_000, app.quit)
        began = time.monotonic()
        heartbeat.start()
        QTimer.singleShot(
            0, lambda: window.profile_list.setCurrentIndex(window.profile_model.index(0))
        )
        app.exec()
        heartbeat.stop()
        elapsed = time.monotonic() - began
        worst = max(gaps)
        longest = sorted(zip(gaps, when, strict=True), reverse=True)[:5]
        print(
            "longest gaps (ms at s after the click): "
            + ", ".join(f"{g * 1000:.0f} at {t - began:.2f}" for g, t in longest)
        )
        print(
            f"listing {window.model.rowCount()} instances: {elapsed:.2f} s; longest event-loop "
            f"gap {worst * 1000:.1f} ms (heartbeat 5 ms, {len(gaps)} beats); "
            f"p99 {statistics.quantiles(gaps, n=100)[98] * 1000:.1f} ms"
        )
        return worst
    finally:
        sandboxed.stop()


def _synthetic(count: int) -> list:  # type: ignore[type-arg]
    from datetime import UTC, datetime

    from ssmclient.core.aws.instance import Instance

    states = ("running", "running", "running", "stopped")
    return [
        Instance(
            instance_id=f"i-{n:017x}",
            name=f"app-{n:05d}" if n % 7 else None,
            state=states[n % 4],
            private_ip=f"10.{n // 65536}.{n // 256 % 256}.{n % 256}",
            public_ip=None if n % 3 else f"54.1.{n // 256 % 256}.{n % 256}",
            platform="Linux/UNIX",
            region="us-east-1",
            availability_zone="us-east-1a",
            launch_time=datetime(2026, 1, 1, tzinfo=UTC),
            tag_value="Third_Party_A",
            ping_status="Online" if n % 4 else "ConnectionLost",
        )
        for n in range(count)
    ]


def filter_keystroke(rows: int = 10_000) -> float:
    app, window = _window()
    window.model.clear("ExternalAccessGrantedTo")
    window.model.add_instances(_synthetic(rows))
    window.pages.setCurrentIndex(2)
    app.processEvents()
    times = []
    for _round in range(3):
        window.search.clear()
        app.processEvents()
        for ch in "app-0123":
            began = time.perf_counter()
            window.search.insert(ch)  # what a keystroke does: textChanged, filter
            window.table.viewport().repaint()  # and the repaint it causes
            app.processEvents()
            times.append(time.perf_counter() - began)
        # Deleting back to nothing shows all rows again: the slowest case.
        for _ in range(8):
            began = time.perf_counter()
            window.search.backspace()
            window.table.viewport().repaint()
            app.processEvents()
            times.append(time.perf_counter() - began)
    print(
        f"filter keystroke over {rows} rows: median {statistics.median(times) * 1000:.1f} ms, "
        f"max {max(times) * 1000:.1f} ms ({len(times)} keystrokes)"
    )
    return max(times)


_MEMORY_CHILD = """
import os, sys
sys.path.insert(0, {bench!r})
from bench_gui import _synthetic, _window
app, window = _window()
window.model.clear("ExternalAccessGrantedTo")
window.model.add_instances(_synthetic({rows}))
window.pages.setCurrentIndex(2)
for _ in range(20):
    app.processEvents()
for line in open("/proc/self/status"):
    if line.startswith(("VmRSS", "VmHWM")):
        print(line.strip())
"""


def memory(rows: int = 10_000) -> float:
    work = Path(tempfile.mkdtemp(prefix="ssmclient-bench-gui-"))
    out = subprocess.run(
        [sys.executable, "-c", _MEMORY_CHILD.format(bench=str(Path(__file__).parent), rows=rows)],
        env=_offscreen_env(work / "config"),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    values = dict(line.split(":", 1) for line in out.splitlines() if ":" in line)
    rss = int(values["VmRSS"].split()[0]) / 1024
    peak = int(values["VmHWM"].split()[0]) / 1024
    print(f"window with {rows} rows: RSS {rss:.0f} MB (peak {peak:.0f} MB)")
    return peak


def connect(runs: int) -> float:
    from ssmclient.sandbox.session_program import install_stand_in, read_records

    sandboxed = _Sandboxed(6)
    try:
        record_to = sandboxed.work / "plugin.jsonl"
        plugin = install_stand_in(sandboxed.work / "bin", record_to=record_to)
        os.environ["SSMCLIENT_PLUGIN"] = str(plugin)
        terminal = sandboxed.work / "term"
        terminal.write_text('#!/bin/sh\n[ "$1" = "-e" ] && shift\nexec "$@" </dev/null\n')
        terminal.chmod(0o755)
        os.environ["TERMINAL"] = str(terminal)
        os.environ.setdefault("DISPLAY", ":0")
        app, window = _window()
        window.start()
        _wait(app, lambda: window.profile_model.rowCount() == 1)
        done = []
        window.listing_finished.connect(lambda: done.append(True))
        window.profile_list.setCurrentIndex(window.profile_model.index(0))
        _wait(app, lambda: bool(done))
        index = window.proxy.index(0, 0)
        window.table.selectRow(index.row())

        def sessions() -> list[dict[str, object]]:
            return [r for r in read_records(record_to) if r["argv"][1:] != ["--version"]]

        totals, execs = [], []
        for run in range(runs + 1):
            before = len(sessions())
            began = time.time()
            window.connect_button.click()
            # The hand-off reports the helper's exec of the plugin: then the status says so.
            _wait(app, lambda: "opened in a" in window.statusBar().currentMessage(), timeout=60)
            opened = time.time()
            _wait(app, lambda n=before: len(sessions()) > n, timeout=60)
            started = float(sessions()[-1]["time"])  # type: ignore[arg-type]
            window.statusBar().clearMessage()
            if run:  # run 0 is a warm-up: the plugin is found and its version read once
                totals.append(started - began)
                execs.append(opened - began)
        # AWS's share: the StartSession round trip alone, timed the same way.
        session = window.current
        assert session is not None
        assert session._chain is not None
        ssm = session._chain.client("ssm")
        target = sandboxed.scenario.instances_a[0]
        trips = []
        for _ in range(runs):
            began = time.time()
            answer = ssm.start_session(Target=target)
            trips.append(time.time() - began)
            ssm.terminate_session(SessionId=answer["SessionId"])
        total, trip = statistics.median(totals), statistics.median(trips)
        executed = statistics.median(execs)
        print(
            "connect (warm credentials): click to the plugin exec'd in the window "
            f"{executed * 1000:.0f} ms "
            f"(min {min(execs) * 1000:.0f}, max {max(execs) * 1000:.0f}), of which StartSession's "
            f"round trip {trip * 1000:.0f} ms: local work {(executed - trip) * 1000:.0f} ms "
            f"(a terminal start, the helper's Python start and the hand-off included); "
            f"to the stand-in plugin's first line {total * 1000:.0f} ms (its own Python start too)"
        )
        return executed - trip
    finally:
        sandboxed.stop()


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--frozen",
        type=Path,
        help="first-window: also time this packaged app (e.g. /usr/bin/ssmclient)",
    )
    parser.add_argument(
        "which",
        nargs="*",
        help="which to measure: first-window, filter, memory, stall, connect (default: all)",
    )
    args = parser.parse_args()
    everything = ["first-window", "filter", "memory", "stall", "connect"]
    # Checked here: argparse refuses an empty list against `choices` (Python 3.11).
    args.which = args.which or everything
    unknown = sorted(set(args.which) - set(everything))
    if unknown:
        parser.error(f"unknown {', '.join(unknown)}; choose from {', '.join(everything)}")
    report = {}
    for which in args.which:
        if which == "first-window":
            report[which] = first_window(args.runs, args.frozen)
        elif which == "filter":
            report[which] = filter_keystroke()
        elif which == "memory":
            report[which] = memory()
        elif which == "stall":
            report[which] = stall()
        elif which == "connect":
            report[which] = connect(args.runs)
    print(json.dumps(report))


if __name__ == "__main__":
    main()
