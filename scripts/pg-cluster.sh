#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster of Tend's own, for tests and benchmarks: its own data
# directory and a loopback port, nothing shared with a system cluster.
#
#   scripts/pg-cluster.sh start DIR [--fast]   starts it; prints its URL on stdout
#   scripts/pg-cluster.sh stop DIR             stops it and removes DIR
#
# --fast turns off fsync (tests only: a test never crashes the database server itself).
# Installs postgresql-15 from Debian when missing. initdb refuses to run as root, so as root the
# cluster runs as the `postgres` user.
set -euo pipefail

cmd="${1:?start|stop}"
dir="${2:?data directory}"
fast="${3:-}"
bin=/usr/lib/postgresql/15/bin

as_owner() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$cmd" in
  start)
    if [[ ! -x "$bin/initdb" ]]; then
      SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
      echo "installing postgresql-15" >&2
      DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
        postgresql-15 postgresql-client-15 >/dev/null
    fi
    mkdir -p "$dir"
    [[ $(id -u) -eq 0 ]] && chown postgres: "$dir"
    as_owner "$bin/initdb" -D "$dir/data" -U tend -A trust -E UTF8 --no-locale >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    opts="-c listen_addresses=127.0.0.1 -c unix_socket_directories=$dir -c max_connections=300"
    opts+=" -c shared_buffers=128MB"
    if [[ "$fast" == "--fast" ]]; then
      opts+=" -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    fi
    for _ in 1 2 3 4 5; do
      port=$(( 20000 + RANDOM % 30000 ))
      if as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
           -o "-p $port $opts" start >/dev/null 2>&1; then
        as_owner "$bin/createdb" -h 127.0.0.1 -p "$port" -U tend tend
        echo "$port" >"$dir/port"
        echo "postgresql://tend@127.0.0.1:$port/tend"
        exit 0
      fi
    done
    echo "could not start PostgreSQL; see $dir/server.log" >&2
    cat "$dir/server.log" >&2 || true
    exit 1
    ;;
  stop)
    if [[ -d "$dir/data" ]]; then
      as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
  *)
    echo "usage: $0 start|stop DIR [--fast]" >&2
    exit 2
    ;;
esac
