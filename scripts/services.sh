#!/usr/bin/env bash
# Installs the Debian packages that Heimdall's tests and benchmarks run for real (never mocks):
#   scripts/services.sh install redis postgres chromium nginx
# Idempotent: a package already present is left alone. Needs root (apt-get), as on CI and the dev machines.
set -euo pipefail

declare -A PROBE=(
  [redis]="redis-server redis-cli"
  [postgres]="initdb pg_ctl postgres"
  [chromium]="chromium"
  [nginx]="nginx"
)
declare -A PACKAGES=(
  [redis]="redis-server redis-tools"
  [postgres]="postgresql"
  [chromium]="chromium fonts-dejavu-core"
  [nginx]="nginx-light"
)

find_tool() {
  command -v "$1" >/dev/null 2>&1 && return 0
  # Debian's PostgreSQL keeps its server binaries off PATH.
  compgen -G "/usr/lib/postgresql/*/bin/$1" >/dev/null 2>&1
}

missing_packages() {
  local name tool
  for name in "$@"; do
    [[ -n "${PROBE[$name]:-}" ]] || { echo "services.sh: unknown service '$name'" >&2; exit 2; }
    for tool in ${PROBE[$name]}; do
      if ! find_tool "$tool"; then echo "${PACKAGES[$name]}"; break; fi
    done
  done
}

install() {
  local missing
  missing=$(missing_packages "$@" | tr '\n' ' ')
  [[ -z "${missing// /}" ]] && return 0
  echo "services.sh: installing ${missing}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $missing >&2
  # Debian starts the daemons it installs; the tests run their own throwaway servers instead.
  for svc in redis-server nginx postgresql; do
    if command -v service >/dev/null 2>&1; then service "$svc" stop >/dev/null 2>&1 || true; fi
  done
}

case "${1:-}" in
  install) shift; install "$@" ;;
  missing) shift; missing_packages "$@" ;;
  *) echo "usage: scripts/services.sh install|missing <redis|postgres|chromium|nginx>..." >&2; exit 2 ;;
esac
