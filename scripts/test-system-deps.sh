#!/usr/bin/env bash
# System packages that tests drive for real, installed from Debian. Idempotent and quick when
# everything is there already: apt runs only for what is missing. Add a package to the list.
#   chromium: opens the HTML report headless (tests/report/test_report_html.py)
set -euo pipefail

DEBIAN_PACKAGES=(chromium)

missing=()
for pkg in "${DEBIAN_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done
if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "test-system-deps.sh: apt-get not found; install by hand: ${missing[*]}" >&2
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "test-system-deps.sh: installing ${missing[*]}" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
