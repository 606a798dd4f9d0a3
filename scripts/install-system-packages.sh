#!/usr/bin/env bash
# Installs the Debian packages the local stack runs on, when they are missing (idempotent, quiet when done).
set -euo pipefail

missing=()
command -v redis-server >/dev/null || missing+=(redis-server)
ls /usr/lib/postgresql/1[5-7]/bin/pg_ctl >/dev/null 2>&1 || missing+=(postgresql-15)
command -v psql >/dev/null || missing+=(postgresql-client-15)
command -v chromium >/dev/null || missing+=(chromium)  # the frontend's end-to-end tests drive it
command -v wrk >/dev/null || missing+=(wrk)  # bench/api.py: 16 clients that take little of the CPU they measure
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
