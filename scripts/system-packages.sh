#!/usr/bin/env bash
# Debian/Ubuntu packages the app and its tests need that pip cannot provide:
# a Secret Service keyring on D-Bus (the keyring tests run a real one), Xvfb and
# xterm (terminal and screen tests), the X/EGL libraries Qt loads, and the
# AT-SPI stack with Debian's pyatspi (the window's screen-reader test), and
# what a desktop resolves a double-clicked file with (shared-mime-info, the
# desktop database, gio and xdg-utils: the installed package's test).
# Installs only what is missing; uses sudo when not root. With arguments, those
# packages instead (packaging/build-linux.sh names what the build needs).
set -euo pipefail

packages=("$@")
[ ${#packages[@]} -gt 0 ] || packages=(
  gnome-keyring dbus dbus-x11 xvfb xterm at-spi2-core python3-pyatspi
  libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3
  libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-randr0
  libxcb-render-util0 libxcb-image0 libxcb-xinerama0 libxcb-xkb1 fonts-dejavu-core
  shared-mime-info desktop-file-utils libglib2.0-bin xdg-utils
)

command -v dpkg-query >/dev/null || { echo "not a Debian/Ubuntu system: install the equivalents of: ${packages[*]}" >&2; exit 0; }

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "Installing system packages: ${missing[*]}" >&2
$sudo apt-get update -qq
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
