#!/usr/bin/env bash
# Restores one database from a dump written by backup.sh: drops the database, creates it empty and loads the
# dump into it. The database's name is taken from the file name (conference-20260101T030000Z.dump restores
# "conference") unless given as the second argument. On the host (see docs/deploy.md):
#   docker compose stop api recorder
#   docker compose run --rm backup /deploy/restore.sh /backups/conference-20260101T030000Z.dump
#   docker compose start api recorder
set -euo pipefail

dump=${1:?usage: restore.sh DUMP_FILE [DATABASE]}
if [ ! -f "$dump" ]; then
  echo "restore.sh: no dump at $dump" >&2
  exit 1
fi
database=${2:-$(basename "$dump" | sed -E 's/-[0-9]{8}T[0-9]{6}Z\.dump$//')}
if [[ ! "$database" =~ ^[a-z_][a-z0-9_]*$ ]]; then
  echo "restore.sh: '$database' is not a database name; give it as the second argument" >&2
  exit 1
fi

# FORCE ends the sessions of anything still connected (PostgreSQL 13 and later).
psql --dbname=postgres --set=ON_ERROR_STOP=1 \
  --command="DROP DATABASE IF EXISTS \"$database\" WITH (FORCE)" \
  --command="CREATE DATABASE \"$database\""
pg_restore --dbname="$database" --exit-on-error "$dump"
echo "restore.sh: $database restored from $dump"
