#!/usr/bin/env bash
# Builds tools/bench-pg-drivers.cpp against libpq and SOCI (Debian libpq-dev, libsoci-dev), runs it
# on a private PostgreSQL 15 cluster on a Unix socket, prints the figures. A measurement, not a
# test: server/storage_postgres.cpp says what it showed and why libpq was chosen.
set -euo pipefail
cd "$(dirname "$0")/.."
dpkg-query -W -f='${Status}' libsoci-dev 2>/dev/null | grep -q "ok installed" || apt-get install -y -q libsoci-dev >/dev/null
work=$(mktemp -d); chmod 777 "$work"
trap 'runuser -u postgres -- /usr/lib/postgresql/15/bin/pg_ctl -D "$work/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
g++ -std=c++17 -O2 tools/bench-pg-drivers.cpp -o "$work/bench" -I/usr/include/postgresql -lpq -lsoci_postgresql -lsoci_core
runuser -u postgres -- /usr/lib/postgresql/15/bin/initdb -D "$work/data" -A trust -U postgres >/dev/null
runuser -u postgres -- /usr/lib/postgresql/15/bin/pg_ctl -D "$work/data" -l "$work/log" -w -o "-k $work -p 54329 -c listen_addresses=''" start >/dev/null
"$work/bench" "dbname=postgres host=$work port=54329 user=postgres"
