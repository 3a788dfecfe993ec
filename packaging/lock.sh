#!/usr/bin/env bash
# Re-resolves the packaged build's dependencies and pins them with hashes, for
# Linux, Windows and macOS at once (uv's universal resolution). Run it by hand to
# take new releases; build-linux.sh and the release workflow only install from
# the locks, so a rebuild gives the same bundle.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
tools="$(mktemp -d)"
trap 'rm -rf "$tools"' EXIT
python3 -m venv "$tools"
"$tools/bin/pip" install -q uv
compile=("$tools/bin/uv" pip compile --universal --python-version 3.11 --generate-hashes
  --no-header --index-url https://pypi.org/simple -q)
"${compile[@]}" "$here/requirements.in" -o "$here/requirements.lock"
"${compile[@]}" "$here/build-requirements.in" -c "$here/requirements.lock" -o "$here/build-requirements.lock"
