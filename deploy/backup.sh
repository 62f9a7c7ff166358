#!/usr/bin/env bash
# Backs up the deployment in this directory, on the host: every database of postgres-initdb/ (pg_dump custom format,
# each dump one snapshot of its database, run inside the postgres container so its version matches the server's)
# and .env (encrypted with BACKUP_PASSPHRASE, so a lost host can be rebuilt), packed into one archive
#   backups/conference-YYYYMMDDTHHMMSSZ.tar   (dumps, env.enc, SHA256SUMS)
# which is then copied to the object-storage bucket under backups/ with the recorder's S3 settings (path-style
# addressing, a plain signed PUT: no aws-chunked upload, no checksum the server did not ask for).
# Archives older than BACKUP_KEEP_DAYS (default 7) are deleted here, and older than BACKUP_BUCKET_KEEP_DAYS
# (default 30) in the bucket. upgrade.sh runs it before every upgrade; run it daily from cron (docs/deploy.md):
#   17 3 * * *  cd /opt/conference && ./backup.sh >> backups/backup.log 2>&1
# Exits non-zero when anything fails; a failed archive is never left under its final name.
#
# --quiesce stops api and recorder (the only writers) for the few seconds of the dumps and starts them again, so
# both databases are dumped at one point in time: upgrade.sh uses it. Without it (cron) each database's dump is one
# snapshot of that database, taken a moment apart from the other's.
set -euo pipefail
cd "$(dirname "$0")"
# setting, s3 and bucket_backups: shared with restore.sh.
# shellcheck source-path=SCRIPTDIR
source lib/settings-and-bucket.sh

quiesce=false
if [ "${1:-}" = --quiesce ]; then
  quiesce=true
fi

fail() {
  echo "backup.sh: $*" >&2
  exit 1
}

[ -f .env ] || fail "no .env here; run it in the deployment's directory (docs/deploy.md)"
passphrase=$(setting BACKUP_PASSPHRASE)
[ -n "$passphrase" ] || fail "BACKUP_PASSPHRASE is not set in .env; set it (openssl rand -hex 32) and keep a copy away from this host: restore.sh needs it to open .env"
for name in STORAGE_ENDPOINT STORAGE_BUCKET STORAGE_REGION STORAGE_ACCESS_KEY STORAGE_SECRET_KEY; do
  [ -n "$(setting "$name")" ] || fail "$name is not set in .env; the backup is copied to the bucket with it"
done
mapfile -t databases < <(sed -nE 's/^CREATE DATABASE "([^"]+)".*/\1/p' postgres-initdb/create-databases.sql)
[ ${#databases[@]} -gt 0 ] || fail "postgres-initdb/create-databases.sql names no database"
keep_days=$(setting BACKUP_KEEP_DAYS)
keep_days=${keep_days:-7}
bucket_keep_days=$(setting BACKUP_BUCKET_KEEP_DAYS)
bucket_keep_days=${bucket_keep_days:-30}

stamp=$(date -u +%Y%m%dT%H%M%SZ)
name="conference-$stamp.tar"
mkdir -p backups
work=$(mktemp -d "backups/.partial-$stamp.XXXXXX")
trap 'rm -rf "$work" "backups/$name.partial"' EXIT

if $quiesce; then
  docker compose stop api recorder
  trap 'rm -rf "$work" "backups/$name.partial"; docker compose start api recorder' EXIT
fi
for database in "${databases[@]}"; do
  # As the container's postgres user over its local socket: no password needed, and pg_dump is the server's own.
  docker compose exec -T --user postgres postgres pg_dump --format=custom --dbname="$database" > "$work/$database.dump" ||
    fail "pg_dump of $database failed; is postgres running (docker compose ps postgres)?"
done
BACKUP_PASSPHRASE=$passphrase openssl enc -aes-256-cbc -pbkdf2 -iter 600000 -salt -in .env -out "$work/env.enc" -pass env:BACKUP_PASSPHRASE
if $quiesce; then
  docker compose start api recorder
  trap 'rm -rf "$work" "backups/$name.partial"' EXIT
fi
printf '%s\n' "${databases[@]}" > "$work/databases"
(cd "$work" && sha256sum -- *.dump env.enc databases > SHA256SUMS)
tar -C "$work" -cf "backups/$name.partial" .
mv "backups/$name.partial" "backups/$name"
echo "backup.sh: wrote backups/$name ($(du -h "backups/$name" | cut -f1)): ${databases[*]} and .env"

s3 PUT "backups/$name" --upload-file "backups/$name" --output /dev/null ||
  fail "copying backups/$name to the bucket failed (STORAGE_* in .env); the local archive is kept"
echo "backup.sh: copied to bucket $(setting STORAGE_BUCKET) as backups/$name"
# What upgrade.sh restores when it rolls back, and what doctor.sh reads the age of.
echo "$name" > backups/latest

# -mtime +N matches files more than N whole days old: keep_days - 1 keeps exactly keep_days days of archives.
find backups -maxdepth 1 -name 'conference-*.tar' -mtime "+$((keep_days - 1))" -print -delete
# In the bucket the stamp in the name says the age.
cutoff=$(date -u -d "-$bucket_keep_days days" +%Y%m%dT%H%M%SZ)
bucket_backups |
  while read -r key; do
    old=${key#backups/conference-}
    if [[ "${old%.tar}" < "$cutoff" ]]; then
      s3 DELETE "$key" --output /dev/null && echo "backup.sh: deleted $key from the bucket"
    fi
  done
