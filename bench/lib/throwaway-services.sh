# shellcheck shell=bash
# Sourced by the bench scripts: a throwaway PostgreSQL (fsync on, as in production) and Redis on free loopback
# ports, in a temporary work directory removed on exit with every process the script added to "pids".
# After start_postgres_and_redis: $work, $password, $pg_port, $redis_port, and sql [psql args...] as postgres.

pgbin=$(dirname "$(command -v initdb || echo /usr/lib/postgresql/15/bin/initdb)")
work=$(mktemp -d /tmp/conference-bench-XXXXXX)
chmod 755 "$work"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  as_postgres "$pgbin/pg_ctl" -D "$work/pg" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_for() { for _ in $(seq 150); do curl -fs "$1" >/dev/null 2>&1 && return 0; sleep 0.2; done; echo "no answer from $1" >&2; exit 1; }
sql() { PGPASSWORD=$password psql -h 127.0.0.1 -p "$pg_port" -U postgres -v ON_ERROR_STOP=1 -qtA "$@"; }

start_postgres_and_redis() {
  pg_port=$(free_port); redis_port=$(free_port)
  password=$(openssl rand -hex 12)
  echo "$password" > "$work/pw"
  if [ "$(id -u)" = 0 ]; then chown postgres "$work" "$work/pw"; fi
  as_postgres "$pgbin/initdb" -D "$work/pg" -U postgres --auth=scram-sha-256 --pwfile="$work/pw" --no-sync >/dev/null
  as_postgres "$pgbin/pg_ctl" -D "$work/pg" -l "$work/pg.log" -w -o "-p $pg_port -k $work -c listen_addresses=127.0.0.1" start >/dev/null
  redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --requirepass "$password" >/dev/null &
  pids+=($!)
}
