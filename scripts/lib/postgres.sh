# Sourced by scripts/test.sh and bench/http.sh: a throw-away PostgreSQL cluster on loopback.
# pg_start PORT   starts it and exports PG_URL; pg_stop stops it and removes its files.
# PostgreSQL refuses to run as root, so as root it runs as the postgres user.

pg_as_owner() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

pg_start() {
  local port=$1
  PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  PGDIR=$(mktemp -d /tmp/onestop-pg.XXXXXX)
  [ "$(id -u)" = 0 ] && chown postgres "$PGDIR"
  pg_as_owner "$PGBIN/initdb" -D "$PGDIR/data" -A trust -U postgres -E UTF8 >"$PGDIR/initdb.log"
  local opts="-c listen_addresses=127.0.0.1 -p $port -k $PGDIR -c max_connections=1000 ${PG_EXTRA_OPTS:-}"
  # One retry: a start can fail while another cluster on the machine is coming up.
  if ! pg_as_owner "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/pg.log" -w -o "$opts" start >/dev/null; then
    sleep 2
    pg_as_owner "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/pg.log" -w -o "$opts" start >/dev/null || {
      echo "PostgreSQL did not start:"; tail -n 20 "$PGDIR/pg.log"; return 1; }
  fi
  pg_as_owner "$PGBIN/createdb" -h 127.0.0.1 -p "$port" -U postgres onestop
  export PG_URL="postgres://postgres@127.0.0.1:$port/onestop?sslmode=disable"
}

pg_stop() {
  [ -n "${PGDIR:-}" ] || return 0
  pg_as_owner "$PGBIN/pg_ctl" -D "$PGDIR/data" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$PGDIR"
  PGDIR=""
}
