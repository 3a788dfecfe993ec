"""Build `ssmclient-headless`: the same program without the window and without Qt.

`pip install ssmclient` is the desktop app (PySide6 comes with it). CI
scripts, servers and containers need only the commands, and Qt is 100+ MB
they would never load. This script builds that second distribution from the
same sources: `src/ssmclient` without `gui/`, the same version and
dependencies minus PySide6, the same `ssmclient` command (which then says
the window is not part of this install).

Python packaging has no "default extra" to leave out, hence a second
distribution rather than an extra; the two hold the same `ssmclient` package,
so install one or the other, not both.

Run: .venv/bin/python scripts/build_headless.py [--out dist]
"""

import argparse
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NAME = "ssmclient-headless"
QT_REQUIREMENTS = ("pyside6",)

README = """# ssmclient-headless

ssmclient's commands without its desktop window and without Qt: for scripts,
CI and servers. Install this or `ssmclient` (the desktop app), not both.
"""


def _toml_list(values: list[str]) -> str:
    return "[" + ", ".join(f'"{value}"' for value in values) + "]"


def headless_pyproject(project: dict[str, object]) -> str:
    dependencies = [
        requirement
        for requirement in project["dependencies"]  # type: ignore[attr-defined]
        if not requirement.lower().startswith(QT_REQUIREMENTS)
    ]
    sandbox = project["optional-dependencies"]["sandbox"]  # type: ignore[index]
    return f"""[build-system]
requires = ["setuptools>=69", "wheel"]
build-backend = "setuptools.build_meta"

[project]
name = "{NAME}"
version = "{project["version"]}"
description = "ssmclient's commands without the desktop window (no Qt)"
readme = "README.md"
requires-python = "{project["requires-python"]}"
license = "{project["license"]}"
dependencies = {_toml_list(dependencies)}

[project.optional-dependencies]
sandbox = {_toml_list(sandbox)}

[project.scripts]
ssmclient = "ssmclient.__main__:main"

[tool.setuptools.packages.find]
where = ["src"]

[tool.setuptools.package-data]
ssmclient = ["py.typed"]
"""


def build(out: Path) -> Path:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="ssmclient-headless-") as work:
        tree = Path(work)
        shutil.copytree(
            ROOT / "src" / "ssmclient",
            tree / "src" / "ssmclient",
            ignore=shutil.ignore_patterns("gui", "__pycache__", "*.pyc"),
        )
        (tree / "pyproject.toml").write_text(headless_pyproject(project), encoding="utf-8")
        (tree / "README.md").write_text(README, encoding="utf-8")
        before = set(out.glob("*.whl"))
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "wheel",
                "--quiet",
                "--no-deps",
                "-w",
                str(out),
                str(tree),
            ],
            check=True,
            timeout=600,
        )
    built = [wheel for wheel in out.glob("ssmclient_headless-*.whl") if wheel not in before]
    return built[0] if built else next(out.glob("ssmclient_headless-*.whl"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "dist")
    args = parser.parse_args()
    print(build(args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
