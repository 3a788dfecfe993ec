#!/usr/bin/env bash
# Install ssmclient into .venv (only the first time, or when pyproject.toml
# changed) and run it: with no arguments the desktop window; `--sandbox` the
# window against a local fake AWS; any other arguments go to the CLI.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ ! -f "$root/.venv/.ssmclient-installed-sandbox" ]; then
  "$root/scripts/system-packages.sh"
fi
"$root/scripts/venv.sh" sandbox
exec "$root/.venv/bin/ssmclient" "$@"
