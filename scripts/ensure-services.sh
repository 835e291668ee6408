#!/usr/bin/env bash
# Makes sure the local PostgreSQL, MariaDB and Redis the tests and the demo use
# are installed and running (Debian packages; no Docker engine needed).
# A service whose URL is given in the environment is left alone.
set -euo pipefail

log() { printf '[services] %s\n' "$*"; }
as_root() { if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi; }

apt_install() {
  log "installing $* from Debian packages"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null
}

wait_for() { # name, check command...
  local name=$1; shift
  for _ in $(seq 1 60); do "$@" >/dev/null 2>&1 && { log "$name is up"; return 0; }; sleep 0.5; done
  log "$name did not come up"; return 1
}

if [[ -z ${PLUMBLINE_TEST_POSTGRES_URL:-} ]]; then
  command -v pg_isready >/dev/null || apt_install postgresql postgresql-client
  if ! pg_isready -q -h 127.0.0.1 -p 5432; then
    log "starting PostgreSQL"
    as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main start || true
    wait_for PostgreSQL pg_isready -q -h 127.0.0.1 -p 5432
  fi
fi

if [[ -z ${PLUMBLINE_TEST_MYSQL_URL:-} ]]; then
  command -v mariadbd >/dev/null || [[ -x /usr/sbin/mariadbd ]] || apt_install mariadb-server mariadb-client
  if ! mariadb-admin -uroot -h127.0.0.1 ping >/dev/null 2>&1; then
    log "starting MariaDB"
    as_root mkdir -p /run/mysqld && as_root chown mysql:mysql /run/mysqld 2>/dev/null || true
    as_root start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
    wait_for MariaDB mariadb-admin -uroot -h127.0.0.1 ping
  fi
fi

if [[ -z ${PLUMBLINE_TEST_REDIS_URL:-} ]]; then
  command -v redis-server >/dev/null || apt_install redis-server
  if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
    log "starting Redis"
    as_root mkdir -p /var/lib/redis /var/log/redis
    as_root redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
      --dir /var/lib/redis --logfile /var/log/redis/ci.log
    wait_for Redis redis-cli -h 127.0.0.1 -p 6379 ping
  fi
fi
