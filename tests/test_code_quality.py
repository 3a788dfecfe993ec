"""Lint, format and type checks run with the tests, so CI enforces them."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_tool(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *argv],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_ruff_lint_and_format() -> None:
    lint = run_tool("ruff", "check", "--output-format", "concise", ".")
    assert lint.returncode == 0, lint.stdout + lint.stderr
    formatted = run_tool("ruff", "format", "--check", ".")
    assert formatted.returncode == 0, formatted.stdout + formatted.stderr


def test_mypy_strict() -> None:
    checked = run_tool("mypy")
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_core_and_cli_never_import_qt() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for package in ("core", "cli", "sandbox")
        for path in (ROOT / "src" / "ssmclient" / package).rglob("*.py")
        if "PySide6" in path.read_text(encoding="utf-8")
        or "PyQt" in path.read_text(encoding="utf-8")
    ]
    assert offenders == []
