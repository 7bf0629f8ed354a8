#!/usr/bin/env bash
# Installs what a fresh Debian 12 machine lacks to build and test FlowLens.
# Idempotent and quick when everything is there: it asks dpkg first and calls apt only for
# what is missing.
set -euo pipefail

packages=(cmake ninja-build g++ make pkg-config gzip jq doctest-dev zlib1g-dev libcli11-dev)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
