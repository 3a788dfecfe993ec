#!/usr/bin/env bash
# Signs ssmclient.app with a Developer ID (hardened runtime), builds the .dmg,
# notarizes it with notarytool and staples the ticket, so Gatekeeper opens it
# on a partner's Mac without a warning, offline too. Run on macOS, once per
# architecture (an Intel runner and an Apple-silicon runner each build their own
# app: PyInstaller freezes the Python it runs on).
#
#   packaging/macos/sign-and-notarize.sh APP.app OUT_DIR
#
# Environment:
#   SIGN_IDENTITY   "Developer ID Application: Name (TEAMID)" in the keychain;
#                   empty: an unsigned .dmg for testing only (no notarization)
#   NOTARY_PROFILE  a `xcrun notarytool store-credentials` profile, or else
#   NOTARY_KEY_PATH, NOTARY_KEY_ID, NOTARY_ISSUER   an App Store Connect API key
set -euo pipefail
app="${1:?usage: sign-and-notarize.sh APP.app OUT_DIR}"
out="${2:?usage: sign-and-notarize.sh APP.app OUT_DIR}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
entitlements="$here/entitlements.plist"
identity="${SIGN_IDENTITY:-}"
version="$(/usr/libexec/PlistBuddy -c 'Print CFBundleShortVersionString' "$app/Contents/Info.plist")"
arch="$(uname -m)"
dmg="$out/ssmclient-$version-macos-$arch.dmg"
mkdir -p "$out"

sign() {
  codesign --force --timestamp --options runtime --entitlements "$entitlements" \
    --sign "$identity" "$@"
}

if [ -n "$identity" ]; then
  # Inside out: every library and executable first, then each framework, then
  # the app. (codesign --deep is not for signing: it skips code in Resources
  # and signs everything with the app's entitlements.)
  while IFS= read -r -d '' file; do
    if file -b "$file" | grep -q "Mach-O"; then
      sign "$file"
    fi
  done < <(find "$app/Contents" -type f ! -path "$app/Contents/MacOS/ssmclient" -print0)
  while IFS= read -r -d '' framework; do
    sign "$framework"
  done < <(find "$app/Contents" -type d -name "*.framework" -print0 | sort -rz)
  sign "$app/Contents/MacOS/ssmclient"
  sign "$app"
  codesign --verify --strict --deep --verbose=2 "$app"
else
  echo "sign-and-notarize: SIGN_IDENTITY is empty: building an UNSIGNED .dmg (testing only)" >&2
fi

# The .dmg: the app and a link to /Applications to drag it onto.
staging="$(mktemp -d)"
trap 'rm -rf "$staging"' EXIT
cp -R "$app" "$staging/"
ln -s /Applications "$staging/Applications"
rm -f "$dmg"
hdiutil create -volname "ssmclient $version" -srcfolder "$staging" -fs HFS+ \
  -format UDZO -imagekey zlib-level=9 -ov "$dmg" >/dev/null

if [ -n "$identity" ]; then
  codesign --force --timestamp --sign "$identity" "$dmg"
  if [ -n "${NOTARY_PROFILE:-}" ]; then
    credentials=(--keychain-profile "$NOTARY_PROFILE")
  else
    credentials=(--key "${NOTARY_KEY_PATH:?NOTARY_PROFILE or NOTARY_KEY_PATH is needed}"
      --key-id "${NOTARY_KEY_ID:?}" --issuer "${NOTARY_ISSUER:?}")
  fi
  # The .dmg is submitted as a whole: Apple checks the app inside it too.
  result="$(xcrun notarytool submit "$dmg" "${credentials[@]}" --wait --output-format json)"
  echo "$result"
  status="$(/usr/bin/python3 -c 'import json,sys; print(json.loads(sys.argv[1])["status"])' "$result")"
  if [ "$status" != "Accepted" ]; then
    id="$(/usr/bin/python3 -c 'import json,sys; print(json.loads(sys.argv[1])["id"])' "$result")"
    xcrun notarytool log "$id" "${credentials[@]}" >&2 || true
    echo "sign-and-notarize: notarization ended as $status" >&2
    exit 1
  fi
  xcrun stapler staple "$dmg"
  xcrun stapler validate "$dmg"
  spctl --assess --type open --context context:primary-signature --verbose=2 "$dmg"
fi
echo "$dmg"
