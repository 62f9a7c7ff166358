#!/usr/bin/env bash
# Backs up Postgres: one pg_dump per database, custom format (compressed; pg_restore can pick tables), into
# BACKUP_DIR, and deletes dumps older than BACKUP_KEEP_DAYS days. The compose "backup" service runs it at
# start and then daily, with the server's own image so pg_dump's version matches the server's. It reads the
# server from libpq's variables (PGHOST, PGPORT, PGUSER, PGPASSWORD), so it runs the same anywhere.
set -euo pipefail

: "${BACKUP_DATABASES:?set BACKUP_DATABASES to the databases to back up, separated by spaces}"
backup_dir=${BACKUP_DIR:-/backups}
keep_days=${BACKUP_KEEP_DAYS:-7}
stamp=$(date -u +%Y%m%dT%H%M%SZ)

mkdir -p "$backup_dir"
for database in $BACKUP_DATABASES; do
  file="$backup_dir/$database-$stamp.dump"
  # A dump is written under a temporary name, so a failed one never passes for a backup.
  pg_dump --format=custom --dbname="$database" --file="$file.partial"
  mv "$file.partial" "$file"
  echo "backup.sh: $database -> $file ($(du -h "$file" | cut -f1))"
done

# -mtime +N matches files more than N whole days old: keep_days - 1 keeps exactly keep_days days of dumps.
find "$backup_dir" -maxdepth 1 -name '*.dump' -mtime "+$((keep_days - 1))" -print -delete
# The backup service's health check reads this file's age.
touch "$backup_dir/.last-success"
