#!/usr/bin/env bash
# Installs what a fresh Debian 12 machine lacks to build and test FlowLens: the native
# toolchain and libraries, Emscripten for the WebAssembly core, Chromium for the end-to-end
# tests, Node.js/npm and the pinned npm packages (package-lock.json).
# Idempotent and quick when everything is there: it asks dpkg first and calls apt only for
# what is missing; npm ci runs only when package-lock.json changed since the last install.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(cmake ninja-build g++ make pkg-config gzip jq doctest-dev zlib1g-dev libcli11-dev emscripten chromium)
# Node.js may come from another repository (e.g. NodeSource); only ask apt when it is absent.
command -v node >/dev/null 2>&1 || packages+=(nodejs)
command -v npm >/dev/null 2>&1 || packages+=(npm)

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
  "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}"
fi

if [ -f package-lock.json ]; then
  stamp=node_modules/.flowlens-lock-stamp
  if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
    echo "setup: npm ci"
    npm ci --no-audit --no-fund --loglevel=error
    cp package-lock.json "$stamp"
  fi
fi

# zlib's C sources for the wasm core (wasm/zlib/package.json): --ignore-scripts, since only the
# package's bundled C files are used and its Node addon must not be built.
zlib_stamp=wasm/zlib/node_modules/.flowlens-lock-stamp
if [ ! -f "$zlib_stamp" ] || ! cmp -s wasm/zlib/package-lock.json "$zlib_stamp"; then
  echo "setup: npm ci (wasm/zlib)"
  npm ci --prefix wasm/zlib --ignore-scripts --no-audit --no-fund --loglevel=error
  cp wasm/zlib/package-lock.json "$zlib_stamp"
fi
