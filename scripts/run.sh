#!/usr/bin/env bash
# Install ssmclient into .venv and run it; arguments go to ssmclient
# (none: the app itself; `sandbox` to try it against a local AWS sandbox).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/system-packages.sh"
"$root/scripts/venv.sh" sandbox
exec "$root/.venv/bin/ssmclient" "$@"
