#!/usr/bin/env bash
# Restores a backup written by backup.sh into the deployment in this directory, on this host or a new one:
#   ./restore.sh backups/conference-20260101T031700Z.tar         an archive on this host
#   ./restore.sh --from-bucket conference-20260101T031700Z.tar   one from the bucket's backups/ (or: latest)
# The live databases are never dropped first: each database is restored into a new one (NAME_restoring) and
# checked (pg_restore finished without an error, every table of the dump is there); only when all are, api and
# recorder are stopped and, in one transaction, each live database is renamed NAME_before_STAMP and the restored
# one takes its name. A dump that does not restore leaves everything as it was. The old databases are kept until
# you drop them (the command is printed).
# On a new host without .env, the backup's .env is decrypted into place with BACKUP_PASSPHRASE (from the
# environment, or asked for); STORAGE_* must then be given in the environment to reach the bucket.
# --no-start leaves api and recorder stopped (upgrade.sh starts the release it rolls back to itself).
set -euo pipefail
cd "$(dirname "$0")"
# setting, s3 and bucket_backups: shared with backup.sh.
# shellcheck source-path=SCRIPTDIR
source lib/settings-and-bucket.sh

fail() {
  echo "restore.sh: $*" >&2
  exit 1
}

usage="usage: restore.sh [--no-start] ARCHIVE | --from-bucket NAME|latest"
start=true
from_bucket=false
while [ $# -gt 0 ]; do
  case $1 in
    --no-start) start=false ;;
    --from-bucket) from_bucket=true ;;
    -*) fail "unknown option $1; $usage" ;;
    *) break ;;
  esac
  shift
done
source=${1:?$usage}

# psql as the container's postgres user (local socket, no password), stopping at the first error.
sql() {
  docker compose exec -T --user postgres postgres psql --dbname=postgres --set=ON_ERROR_STOP=1 --quiet --no-align --tuples-only "$@"
}

work=$(mktemp -d)
created=()
cleanup() {
  for database in "${created[@]}"; do
    sql --command="DROP DATABASE IF EXISTS \"$database\" WITH (FORCE)" >/dev/null 2>&1 || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

if $from_bucket; then
  for name in STORAGE_ENDPOINT STORAGE_BUCKET STORAGE_REGION STORAGE_ACCESS_KEY STORAGE_SECRET_KEY; do
    [ -n "$(setting "$name")" ] || fail "$name is not set (in .env or the environment); it is needed to reach the bucket"
  done
  if [ "$source" = latest ]; then
    source=$(bucket_backups | sed 's|^backups/||' | sort | tail -n 1)
    [ -n "$source" ] || fail "the bucket $(setting STORAGE_BUCKET) has no backups/conference-*.tar"
  fi
  archive="$work/$(basename "$source")"
  s3 GET "backups/$(basename "$source")" --output "$archive" || fail "could not download backups/$(basename "$source") from the bucket"
  echo "restore.sh: downloaded backups/$(basename "$source") from the bucket"
else
  archive=$source
  [ -f "$archive" ] || fail "no archive at $archive (ls backups/, or --from-bucket latest)"
fi

mkdir "$work/archive"
tar -C "$work/archive" -xf "$archive" || fail "$archive is not a readable archive"
(cd "$work/archive" && sha256sum --check --quiet SHA256SUMS) || fail "$archive is damaged (its checksums do not match); nothing was changed"
mapfile -t databases < "$work/archive/databases"
for database in "${databases[@]}"; do
  [[ "$database" =~ ^[a-z_][a-z0-9_]{0,40}$ ]] || fail "$archive names a database '$database' this script will not restore"
done

if [ ! -f .env ]; then
  passphrase=${BACKUP_PASSPHRASE:-}
  if [ -z "$passphrase" ]; then
    read -rsp "BACKUP_PASSPHRASE of the backup (to decrypt its .env): " passphrase < /dev/tty
    echo
  fi
  (umask 077 && BACKUP_PASSPHRASE=$passphrase openssl enc -d -aes-256-cbc -pbkdf2 -iter 600000 \
    -in "$work/archive/env.enc" -out .env.restoring -pass env:BACKUP_PASSPHRASE) ||
    { rm -f .env.restoring; fail "could not decrypt the backup's .env: wrong BACKUP_PASSPHRASE?"; }
  mv .env.restoring .env
  echo "restore.sh: .env restored from the backup"
fi

docker compose up --detach --wait postgres >/dev/null || fail "postgres does not start (docker compose logs postgres)"

for database in "${databases[@]}"; do
  restoring="${database}_restoring"
  sql --command="DROP DATABASE IF EXISTS \"$restoring\" WITH (FORCE)" --command="CREATE DATABASE \"$restoring\""
  created+=("$restoring")
  docker compose exec -T --user postgres postgres pg_restore --dbname="$restoring" --exit-on-error --single-transaction --no-owner \
    < "$work/archive/$database.dump" || fail "$database did not restore (see above); the live databases are untouched"
  expected=$(docker compose exec -T --user postgres postgres pg_restore --list < "$work/archive/$database.dump" |
    awk '$1 ~ /^[0-9]+;$/ && $4 == "TABLE" && $5 != "DATA" { n++ } END { print n + 0 }')
  restored=$(docker compose exec -T --user postgres postgres psql --dbname="$restoring" --set=ON_ERROR_STOP=1 --no-align --tuples-only \
    --command="SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')")
  [ "$restored" = "$expected" ] || fail "$database restored $restored of its $expected tables; the live databases are untouched"
  echo "restore.sh: $database restored and checked ($restored tables) as $restoring"
done

stamp=$(date -u +%Y%m%dt%H%M%Sz)
docker compose stop api recorder >/dev/null 2>&1 || true
swap="BEGIN;"
kept=()
for database in "${databases[@]}"; do
  exists=$(sql --command="SELECT 1 FROM pg_database WHERE datname = '$database'")
  if [ "$exists" = 1 ]; then
    swap+=" ALTER DATABASE \"$database\" RENAME TO \"${database}_before_$stamp\";"
    kept+=("${database}_before_$stamp")
  fi
  swap+=" ALTER DATABASE \"${database}_restoring\" RENAME TO \"$database\";"
done
swap+=" COMMIT;"
# Renaming needs the databases to be free: end what is still connected (api and recorder are stopped).
sql --command="SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND datname = ANY (string_to_array('$(IFS=,; echo "${databases[*]}")', ','))" >/dev/null
sql --command="$swap" || fail "swapping in the restored databases failed; nothing was renamed"
created=()
echo "restore.sh: restored ${databases[*]} from $(basename "$archive")"
if [ ${#kept[@]} -gt 0 ]; then
  echo "restore.sh: the databases that were live are kept as ${kept[*]}; when all is well:"
  for database in "${kept[@]}"; do
    echo "  docker compose exec postgres psql -U postgres -c 'DROP DATABASE \"$database\"'"
  done
fi
if $start; then
  docker compose up --detach
fi
