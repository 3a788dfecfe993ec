#!/usr/bin/env bash
# Builds every Linux artifact of ssmclient into dist/ (or --out DIR) from a clean
# clone: the one-folder app (PyInstaller), a .deb, an .rpm, a .tar.gz of the
# folder, a CycloneDX SBOM of what the bundle carries, and SHA256SUMS over all
# of them. Installs what it needs (Debian packages with apt-get, the locked
# Python build set into .venv-build), like .ci/run; a second run reuses both.
#
#   packaging/build-linux.sh [--out DIR]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$root/dist"
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out="$(mkdir -p "$2" && cd "$2" && pwd)"; shift 2 ;;
    *) echo "usage: packaging/build-linux.sh [--out DIR]" >&2; exit 2 ;;
  esac
done
began=$(date +%s)

# binutils: PyInstaller strips the libraries; rpm: rpmbuild; desktop-file-utils
# validates the .desktop file; the rest are what the bundled Qt needs to start
# offscreen for the build's own check.
"$root/scripts/system-packages.sh" binutils rpm desktop-file-utils libegl1 libgl1 libxcb1 libfontconfig1

# The build set: exactly the locked versions, checked against their hashes.
venv="$root/.venv-build"
python="${PYTHON:-python3}"
stamp="$venv/.installed"
wanted="$(cat "$root/packaging/requirements.lock" "$root/packaging/build-requirements.lock" | sha256sum | cut -d' ' -f1) $("$python" -c 'import sys; print(sys.version.split()[0])')"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$wanted" ]; then
  rm -rf "$venv"
  "$python" -m venv "$venv"
  "$venv/bin/python" -m pip install -q --require-hashes --no-deps \
    -r "$root/packaging/requirements.lock" -r "$root/packaging/build-requirements.lock" \
    2> >(grep -v "is ignored: it is neither a file nor a directory" >&2)
  echo "$wanted" > "$stamp"
fi
# The app itself (the same script the release workflow runs on Windows and macOS).
"$venv/bin/python" "$root/packaging/build_app.py"
built=$(date +%s)

work="$root/build/packaging"
mkdir -p "$out"
"$venv/bin/python" "$root/packaging/linux/package.py" \
  --app "$work/app/ssmclient" --work "$work" --out "$out" --root "$root"
echo "build-linux: PyInstaller $((built - began)) s, packages $(($(date +%s) - built)) s; artifacts in $out" >&2
