#!/usr/bin/env bash
# Installs the system packages Trough needs on Debian: libargon2 for the server,
# plus PostgreSQL and Chromium for the tests (--test). Skips what is already there.
set -euo pipefail

packages=(libargon2-dev pkg-config libsqlite3-dev)
[ "${1:-}" = "--test" ] && packages+=(postgresql python3 python3-venv chromium chromium-driver)

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" = 0 ] || sudo="sudo"
echo "install-deps.sh: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
