# shellcheck shell=bash
# Shared helpers for build/services (local PostgreSQL + Redis for Capacity).
# Sourced, not executed. Expects `set -euo pipefail` in the caller.

# ---------------------------------------------------------------- logging
svc_log() { printf 'services: %s\n' "$*" >&2; }
svc_die() { printf 'services: error: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------- locations
# Repo root = two levels above this file (build/lib/services.sh), physical path.
SVC_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
SVC_DATA="$SVC_ROOT/.data"

svc_is_root() { [ "$(id -u)" -eq 0 ]; }

# Process exists and is not a zombie (PID 1 in containers may reap slowly).
svc_pid_alive() {
  local st
  st="$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)" || return 1
  [ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}

# Run a command as the postgres OS user when we are root (PostgreSQL refuses
# to run as root), directly otherwise. cwd is / so postgres never trips over
# an unreadable current directory.
as_postgres() {
  if svc_is_root; then
    (cd / && runuser -u postgres -- "$@")
  else
    "$@"
  fi
}

# ---------------------------------------------------------------- apt
# Install Debian packages non-interactively without letting their maintainer
# scripts start distro services. apt-get update only when the package has no
# install candidate (fresh image with empty lists) or the first attempt fails.
svc_apt_install() {
  svc_is_root || svc_die "need root to install: $* (run: sudo apt-get install -y $*)"
  mkdir -p "$SVC_DATA"
  local lock="$SVC_DATA/.apt.lock" fd created_policy=0
  exec {fd}>"$lock"
  flock "$fd"
  # Another build/services process may have installed them while we waited.
  local missing=() p
  for p in "$@"; do
    case "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)" in
      *" installed") ;;
      *) missing+=("$p") ;;
    esac
  done
  if [ "${#missing[@]}" -eq 0 ]; then
    flock -u "$fd"; exec {fd}>&-
    return 0
  fi
  set -- "${missing[@]}"
  local need_update=0 policy
  for p in "$@"; do
    policy="$(apt-cache policy "$p" 2>/dev/null || true)"
    [[ "$policy" == *"Candidate: "[0-9]* ]] || need_update=1
  done
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\n# temporary, created by build/services\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    created_policy=1
  fi
  local rc=0
  {
    export DEBIAN_FRONTEND=noninteractive
    if [ "$need_update" = 1 ]; then
      svc_log "apt-get update"
      apt-get update -qq >&2
    fi
    svc_log "apt-get install -y $*"
    if ! apt-get install -y -qq --no-install-recommends "$@" >&2; then
      if [ "$need_update" = 0 ]; then
        svc_log "install failed, retrying after apt-get update"
        apt-get update -qq >&2 && apt-get install -y -qq --no-install-recommends "$@" >&2
      else
        false
      fi
    fi
  } || rc=$?
  [ "$created_policy" = 1 ] && rm -f /usr/sbin/policy-rc.d
  flock -u "$fd"; exec {fd}>&-
  [ "$rc" = 0 ] || svc_die "apt-get install $* failed (rc=$rc)"
}

# Make sure the distro redis instance (port 6379) is neither running nor enabled.
svc_disable_distro_redis() {
  if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
    systemctl disable --now redis-server.service >/dev/null 2>&1 || true
  else
    if command -v update-rc.d >/dev/null 2>&1; then
      update-rc.d redis-server disable >/dev/null 2>&1 || true
    fi
    if command -v deb-systemd-helper >/dev/null 2>&1; then
      deb-systemd-helper disable redis-server.service >/dev/null 2>&1 || true
    fi
    local pid
    pid="$(cat /run/redis/redis-server.pid 2>/dev/null || true)"
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
    fi
  fi
}

svc_ensure_redis_installed() {
  command -v redis-server >/dev/null 2>&1 && command -v redis-cli >/dev/null 2>&1 && return 0
  svc_log "redis-server not found, installing"
  svc_apt_install redis-server
  svc_disable_distro_redis
  command -v redis-server >/dev/null 2>&1 || svc_die "redis-server still missing after install"
}

# ---------------------------------------------------------------- postgres binaries
svc_find_pg_bindir() {
  local d
  if [ -n "${CAPACITY_PG_BINDIR:-}" ]; then
    [ -x "$CAPACITY_PG_BINDIR/initdb" ] || svc_die "CAPACITY_PG_BINDIR=$CAPACITY_PG_BINDIR has no initdb"
    printf '%s\n' "$CAPACITY_PG_BINDIR"; return 0
  fi
  if [ -x /usr/lib/postgresql/15/bin/initdb ]; then
    printf '%s\n' /usr/lib/postgresql/15/bin; return 0
  fi
  # shellcheck disable=SC2012
  d="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1 || true)"
  if [ -n "$d" ] && [ -x "$d/initdb" ]; then printf '%s\n' "$d"; return 0; fi
  d="$(command -v initdb 2>/dev/null || true)"
  if [ -n "$d" ]; then dirname "$d"; return 0; fi
  return 1
}

svc_ensure_pg_installed() {
  PG_BIN="$(svc_find_pg_bindir || true)"
  if [ -z "$PG_BIN" ]; then
    svc_log "PostgreSQL binaries not found, installing postgresql-15"
    svc_apt_install postgresql-15
    PG_BIN="$(svc_find_pg_bindir || true)"
    [ -n "$PG_BIN" ] || svc_die "PostgreSQL still missing after install"
  fi
  if svc_is_root; then
    id postgres >/dev/null 2>&1 || svc_die "running as root but there is no 'postgres' OS user"
  fi
}

# ---------------------------------------------------------------- permissions
# As root: every directory from / down to $1 must be traversable by postgres.
svc_make_traversable_for_postgres() {
  svc_is_root || return 0
  local target="$1"
  runuser -u postgres -- test -x "$target" 2>/dev/null && return 0
  local path="" part
  local IFS=/
  for part in $target; do
    [ -n "$part" ] || continue
    path="$path/$part"
    if ! runuser -u postgres -- test -x "$path" 2>/dev/null; then
      svc_log "chmod o+x $path (so postgres can reach the data folder)"
      chmod o+x "$path"
    fi
  done
  runuser -u postgres -- test -x "$target" 2>/dev/null \
    || svc_die "postgres user still cannot traverse $target"
}

# ---------------------------------------------------------------- locking
# svc_lock NAME -> sets SVC_LOCK_FD; released with svc_unlock. Daemons must be
# launched with the fd closed ({SVC_LOCK_FD}>&-) so they do not keep the lock.
svc_lock() {
  mkdir -p "$SVC_DATA"
  exec {SVC_LOCK_FD}>"$SVC_DATA/.lock-$1"
  if ! flock -w 120 "$SVC_LOCK_FD"; then
    svc_die "timed out waiting for lock $SVC_DATA/.lock-$1"
  fi
}
svc_unlock() {
  if [ -n "${SVC_LOCK_FD:-}" ]; then
    flock -u "$SVC_LOCK_FD" || true
    exec {SVC_LOCK_FD}>&-
    SVC_LOCK_FD=""
  fi
}
