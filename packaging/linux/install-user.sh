#!/bin/sh
# Installs this folder for the current user only (no root): the app under
# ~/.local/lib/ssmclient, the command in ~/.local/bin, the menu entry and the
# .ssmprofile association in ~/.local/share. `./install-user.sh --remove` undoes it.
set -eu
here="$(cd "$(dirname "$0")" && pwd)"
data="${XDG_DATA_HOME:-$HOME/.local/share}"
lib="$HOME/.local/lib/ssmclient"
bin="$HOME/.local/bin"
files="applications/ssmclient.desktop mime/packages/ssmclient.xml icons/hicolor/scalable/apps/ssmclient.svg icons/hicolor/scalable/mimetypes/application-x-ssmclient-profile.svg"
refresh() {
  command -v update-mime-database >/dev/null && update-mime-database "$data/mime" || true
  command -v update-desktop-database >/dev/null && update-desktop-database -q "$data/applications" || true
}
if [ "${1:-}" = "--remove" ]; then
  rm -rf "$lib" "$bin/ssmclient"
  for file in $files; do rm -f "$data/$file"; done
  refresh
  echo "ssmclient removed"
  exit 0
fi
# The menu entry names the app by its path: a path a desktop entry's Exec line
# (or sed, below) would read differently is refused rather than written wrong.
case "$lib" in
  *[!A-Za-z0-9._/+@,-]*)
    echo "install-user.sh: $lib has characters a desktop entry cannot hold as they are; unpack and run ssmclient/ssmclient directly instead" >&2
    exit 2 ;;
esac
rm -rf "$lib"
mkdir -p "$lib" "$bin"
cp -a "$here/ssmclient/." "$lib/"
ln -sf "$lib/ssmclient" "$bin/ssmclient"
for file in $files; do
  mkdir -p "$(dirname "$data/$file")"
  cp "$here/share/$file" "$data/$file"
done
# The menu entry runs the command by its full path: ~/.local/bin may not be on
# the PATH a desktop session starts programs with.
sed -i "s|^Exec=ssmclient |Exec=$lib/ssmclient |; s|^TryExec=ssmclient$|TryExec=$lib/ssmclient|" "$data/applications/ssmclient.desktop"
refresh
echo "ssmclient installed: $bin/ssmclient (double-click a .ssmprofile file, or find ssmclient in the menu)"
