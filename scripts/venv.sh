#!/usr/bin/env bash
# Creates .venv (Python >= 3.11) if needed and installs ssmclient into it with
# the extras given as arguments (e.g. "dev"). Used by run.sh and test.sh.
# The install is editable, so code changes need no reinstall; pip runs again
# only when pyproject.toml, the extras or the Python changed (a stamp file says
# what was installed), which keeps `./scripts/run.sh` starting in about a second.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
python="${PYTHON:-python3}"
extras="${1:-}"
venv="$root/.venv"
if [ -x "$venv/bin/python" ]; then
  interpreter="$venv/bin/python"
else
  interpreter="$python"
fi
"$interpreter" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
  || { echo "ssmclient needs Python 3.11 or newer ($interpreter is older)" >&2; exit 2; }
stamp="$venv/.ssmclient-installed-${extras:-base}"
wanted="$("$interpreter" -c 'import sys; print(sys.version)' | head -1) $(sha256sum "$root/pyproject.toml" | cut -d' ' -f1) $root"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted" ] && [ -x "$venv/bin/ssmclient" ]; then
  exit 0
fi
[ -x "$venv/bin/python" ] || "$python" -m venv "$venv"
target="$root"
[ -n "$extras" ] && target="$root[$extras]"
"$venv/bin/python" -m pip install -q --upgrade pip
"$venv/bin/python" -m pip install -q -e "$target"
echo "$wanted" > "$stamp"
