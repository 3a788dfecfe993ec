#!/usr/bin/env bash
# Install everything the tests need and run the whole suite; arguments go to pytest.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/system-packages.sh"
"$root/scripts/venv.sh" dev
cd "$root"
export QT_QPA_PLATFORM=offscreen
exec "$root/.venv/bin/python" -m pytest "$@"
