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


def _imports(path: Path) -> set[str]:
    import ast

    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


# Each layer builds only on those below it: the core knows neither the CLI, the
# window nor the sandbox; the AWS engine knows no sessions or terminals; only the
# doctor, above them all, looks at every layer.
LAYERS = {
    "core": ("ssmclient.cli", "ssmclient.gui", "ssmclient.sandbox"),
    "core/aws": ("ssmclient.core.sessions", "ssmclient.core.terminals", "ssmclient.core.doctor"),
    "core/sessions": ("ssmclient.core.doctor",),
    "core/terminals": ("ssmclient.core.sessions", "ssmclient.core.doctor"),
}


def test_each_layer_imports_only_what_is_below_it() -> None:
    offenders = [
        f"{path.relative_to(ROOT)} imports {name}"
        for layer, forbidden in LAYERS.items()
        for path in sorted((ROOT / "src" / "ssmclient" / layer).rglob("*.py"))
        for name in sorted(_imports(path))
        if name.startswith(forbidden)
    ]
    assert offenders == []
