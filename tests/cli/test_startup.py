"""The CLI's start-up stays light: `--version` and `profile list` load neither boto3 nor Qt."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

PROBE = """
import json, sys
from ssmclient.cli.main import main
try:
    status = main(sys.argv[1:])
except SystemExit as exit:
    status = exit.code
HEAVY = {"boto3", "botocore", "PySide6", "keyring", "moto"}
heavy = sorted({name.split(".")[0] for name in sys.modules} & HEAVY)
print(json.dumps({"status": status, "heavy": heavy}), file=sys.stderr)
"""


def loaded_modules(tmp_path: Path, *args: str) -> dict[str, object]:
    env = {**os.environ, "SSMCLIENT_CONFIG_DIR": str(tmp_path / "config")}
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    report: dict[str, object] = json.loads(result.stderr.splitlines()[-1])
    return report


@pytest.mark.parametrize(
    "args", [("--version",), ("profile", "list"), ("profile", "list", "--json")]
)
def test_light_commands_import_no_heavy_library(tmp_path: Path, args: tuple[str, ...]) -> None:
    report = loaded_modules(tmp_path, *args)
    assert report == {"status": 0, "heavy": []}


def test_version_output() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ssmclient", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    from ssmclient import __version__

    assert result.returncode == 0
    assert result.stdout == f"ssmclient {__version__}\n"


def test_version_is_answered_before_the_cli_is_imported() -> None:
    probe = (
        "import sys; sys.argv = ['ssmclient', '--version']\n"
        "from ssmclient.__main__ import main\n"
        "status = main()\n"
        "print(status, sorted(m for m in ('argparse', 'ssmclient.cli.main') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=False
    )
    from ssmclient import __version__

    assert result.stdout.splitlines() == [f"ssmclient {__version__}", "0 []"]


def test_the_parser_gives_the_same_version_line(capsys: pytest.CaptureFixture[str]) -> None:
    from ssmclient import VERSION_LINE
    from ssmclient.cli.parser import build_parser

    with pytest.raises(SystemExit):
        build_parser().parse_args(["--version"])
    assert capsys.readouterr().out == VERSION_LINE + "\n"


@pytest.mark.parametrize("args", [(), ("--sandbox",)], ids=["window", "sandbox window"])
def test_the_window_without_a_screen_is_one_line_and_loads_no_qt(
    tmp_path: Path, args: tuple[str, ...]
) -> None:
    # The sandbox window starts no support log: its error must still be said once.
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    }
    env["SSMCLIENT_CONFIG_DIR"] = str(tmp_path / "config")
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *args], capture_output=True, text=True, env=env, timeout=60
    )
    *said, report = result.stderr.splitlines()
    assert json.loads(report) == {"status": 1, "heavy": []}
    assert said == [
        "ssmclient: there is no screen to open the window on (DISPLAY and WAYLAND_DISPLAY "
        "are unset): start ssmclient in a desktop session, or use its commands, which need "
        "no screen (`ssmclient --help`)"
    ]


def test_a_usage_error_names_ssmclient_once(capsys: pytest.CaptureFixture[str]) -> None:
    from ssmclient.cli.main import main

    assert main(["--frobnicate"]) == 2
    assert capsys.readouterr().err == (
        "ssmclient: unrecognized arguments: --frobnicate (see `ssmclient --help`)\n"
    )


def test_with_verbose_an_error_is_still_said_once(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ssmclient import __version__
    from ssmclient.cli.main import main

    monkeypatch.setenv("SSMCLIENT_CONFIG_DIR", str(tmp_path / "config"))
    assert main(["--verbose", "instances", "--profile", "nosuch"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0] == f"ssmclient: INFO: ssmclient {__version__}: instances"
    assert [line for line in err if "no such profile" in line] == [
        "ssmclient: profile 'nosuch': no such profile (see `ssmclient profile list`)"
    ]
    logged = (tmp_path / "config" / "logs" / "ssmclient.log").read_text(encoding="utf-8")
    assert "ERROR ssmclient.cli: profile 'nosuch': no such profile" in logged
