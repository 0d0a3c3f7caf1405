#!/usr/bin/env bash
# Installs everything Daftar needs on Debian 12, from Debian's packages and npm only.
# Idempotent: when everything is present it only checks, which takes about a second.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages: the compilers, the libraries of the design card, and the tools the tests drive.
packages=(
  cmake make g++ ccache pkg-config clang libclang-rt-dev
  libboost-dev libssl-dev openssl nlohmann-json3-dev libsodium-dev catch2 libsqlite3-dev sqlite3 libqpdf-dev libpq-dev postgresql-15
  emscripten binaryen autoconf automake libtool
  libcurl4-openssl-dev zlib1g-dev python3-aiosmtpd brotli esbuild
  chromium wrk curl faketime haproxy systemd
  nodejs npm
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
# Node.js and npm may come with the machine rather than from Debian: accept what works.
if command -v node >/dev/null && command -v npm >/dev/null; then
  missing=("${missing[@]/nodejs}"); missing=("${missing[@]/npm}")
fi
read -r -a missing <<<"${missing[*]}"

if ((${#missing[@]})); then
  echo "deps: installing ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then sudo=sudo; else sudo=; fi
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# npm packages, pinned by package-lock.json. Reinstall only when the lock file changed.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "deps: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi
echo "deps: ok"
