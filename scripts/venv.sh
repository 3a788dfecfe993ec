#!/usr/bin/env bash
# Creates .venv (Python >= 3.11) if needed and installs ssmclient into it with
# the extras given as arguments (e.g. "dev"). Sourced by run.sh and test.sh.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
python="${PYTHON:-python3}"
"$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
  || { echo "ssmclient needs Python 3.11 or newer ($python is older)" >&2; exit 2; }
[ -x "$root/.venv/bin/python" ] || "$python" -m venv "$root/.venv"
extras="${1:-}"
target="$root"
[ -n "$extras" ] && target="$root[$extras]"
"$root/.venv/bin/python" -m pip install -q --upgrade pip
"$root/.venv/bin/python" -m pip install -q -e "$target"
