#!/usr/bin/env bash
# Runs release VERSION of the stack in this directory with the files and .env here: the first start, every
# upgrade, and every change at the same version (installing the release's TURN tarball over the plain one, a new
# setting in .env), so that no change strands the server:
#   1. pulls the release's images (nothing is written before they are all here; then secrets new in the
#      release are added to .env, which the running release ignores);
#   2. backs up the databases and .env (backup.sh), unless nothing runs yet;
#   3. starts the release with CONFERENCE_VERSION given to compose, not written to .env;
#   4. waits until every service with a health check is healthy (UPGRADE_HEALTH_TIMEOUT seconds, default 300);
#   5. only then writes the version into .env, keeps that .env as .env.healthy (what to go back to next time),
#      drops .previous/ (the replaced release's files are no longer needed) and makes sure the nightly backup is in
#      the user's crontab.
# When 3 or 4 fails it rolls back to what ran before, and fails: for another version it stops api and recorder and
# restores the databases from step 2's backup (the new release may have migrated the schema; at the same version
# nothing migrated, and the databases are kept with what was written meanwhile); it puts back the previous release's
# files from .previous/ (install-release.sh saves them there before copying new ones) and the .env of the last
# healthy run (.env.healthy; the one that failed is kept as .env.failed, with this run's new secrets and backup
# passphrase carried over), and starts the previous version's images.
# It exits non-zero on every failure and appends everything it prints to upgrade.log.
# Usage: ./upgrade.sh v1.2.0    a release
#        ./upgrade.sh           the version running now (.env's CONFERENCE_VERSION): applies a change to .env
#
# Everything runs inside main, called from the file's last line together with exit: bash has read the whole
# script before the first command runs, so the rollback may copy an older or newer upgrade.sh over this file
# without this run reading a single line of it.

main() {
  set -euo pipefail
  cd "$(dirname "$0")"

  if [ ! -f .env ]; then
    echo "upgrade.sh: no .env here; create it from .env.example first (docs/deploy.md)" >&2
    return 1
  fi
  local version=${1-$(env_value CONFERENCE_VERSION)}
  if [[ ! "$version" =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$ ]]; then
    echo "usage: upgrade.sh [VERSION] (an image tag such as v1.2.0; without it, the version running now)" >&2
    return 1
  fi

  # One upgrade at a time; the log keeps every run.
  exec 9> .upgrade.lock
  if ! flock --nonblock 9; then
    echo "upgrade.sh: another upgrade is running here (see upgrade.log)" >&2
    return 1
  fi
  exec > >(while IFS= read -r line; do printf '%s %s\n' "$(date -u +%FT%TZ)" "$line" >> upgrade.log; printf '%s\n' "$line"; done) 2>&1

  local previous
  previous=$(env_value CONFERENCE_VERSION)
  echo "upgrade.sh: $version (running now: ${previous:-nothing})"

  # A release can bring a new generated secret (.env.example marks them "openssl rand -hex 32"). One that .env
  # lacks is generated now, handed to compose in the environment, and written to .env once the pull succeeded.
  local -a new_secrets=()
  local name
  while read -r name; do
    if [ -n "$(env_value "$name")" ]; then
      continue
    fi
    export "$name=$(openssl rand -hex 32)"
    new_secrets+=("$name")
  done < <(awk '/^# Secret \(.*\): openssl rand -hex 32$/ { getline; sub(/=.*/, ""); print }' .env.example)

  # Compose takes CONFERENCE_VERSION from the environment before .env: the new version runs without being written.
  export CONFERENCE_VERSION=$version
  if ! docker compose pull --quiet; then
    # Compose says why above: an image that is not there, or "required variable X is missing a value" (.env).
    echo "upgrade.sh: pulling $version failed; nothing was changed, ${previous:-nothing} keeps running. Above: a missing image (is $version released?), or a setting .env lacks (every one in .env.example without a default)" >&2
    return 1
  fi

  # The images are here: keep the new secrets now (the running release ignores them), so the backup below can
  # encrypt with a BACKUP_PASSPHRASE that is written down even if this upgrade is rolled back.
  for name in "${new_secrets[@]}"; do
    set_env "$name" "${!name}"
    echo "upgrade.sh: generated $name, new in this release"
  done

  local backup=""
  if [ -n "$previous" ]; then
    # --quiesce: api and recorder pause for the dumps, so both databases are saved at one point in time.
    if ! ./backup.sh --quiesce; then
      echo "upgrade.sh: the backup before the upgrade failed (above); nothing was changed, $previous keeps running" >&2
      return 1
    fi
    backup=backups/$(cat backups/latest)
  fi

  if docker compose up --detach --remove-orphans && wait_until_healthy; then
    set_env CONFERENCE_VERSION "$version"
    install -m 600 .env .env.healthy
    rm -rf .previous
    schedule_backups
    echo "upgrade.sh: $version is running (was ${previous:-nothing})"
    return 0
  fi

  docker compose logs --tail=50 || true
  if [ -z "$previous" ]; then
    echo "upgrade.sh: $version did not start healthy and there is no other release to go back to" >&2
    return 1
  fi
  if [ "$previous" != "$version" ]; then
    echo "upgrade.sh: $version did not start healthy; rolling back to $previous" >&2
    # The database first, with this release's restore.sh: the new release may have migrated the schema.
    docker compose stop api recorder || true
    if ! ./restore.sh --no-start "$backup"; then
      echo "upgrade.sh: restoring $backup failed; the databases are as $version left them. Fix and run: ./restore.sh $backup" >&2
    fi
  else
    echo "upgrade.sh: $version did not start healthy with these files and .env; rolling back to $previous as it ran before (the databases are kept: the same release migrated nothing; $backup was taken before)" >&2
  fi
  # .previous/ is this change's only when install-release.sh made it after the last healthy run (an older
  # upgrade.sh left it in place after a healthy one): else its files are older than what ran healthy. Not older
  # rather than newer: file times are coarse (a few ms), and a stale one is older by at least a whole run.
  if [ -d .previous ] && { [ ! -f .env.healthy ] || [ ! .env.healthy -nt .previous ]; }; then
    cp -a .previous/. .
    rm -rf .previous
    echo "upgrade.sh: put back the previous release's files" >&2
  fi
  restore_healthy_env "$previous" BACKUP_PASSPHRASE "${new_secrets[@]}"
  export CONFERENCE_VERSION=$previous
  if docker compose up --detach --remove-orphans && wait_until_healthy; then
    echo "upgrade.sh: rolled back; $previous is running again" >&2
  else
    echo "upgrade.sh: $previous is not healthy either; see docker compose ps and ./doctor.sh" >&2
  fi
  return 1
}

# restore_healthy_env VERSION NAME…: puts back .env.healthy, the .env VERSION last ran healthy with, keeping the
# replaced .env as .env.failed and carrying over the named settings from it (secrets generated by this run; the
# backup passphrase this run's backup is encrypted with). Without a .env.healthy of VERSION (written by an older
# upgrade.sh, or by hand since), .env is left as it is: this script itself changed nothing in it but new secrets.
restore_healthy_env() {
  local healthy_version=$1 name value
  shift
  if [ ! -f .env.healthy ] || [ "$(env_value CONFERENCE_VERSION .env.healthy)" != "$healthy_version" ]; then
    echo "upgrade.sh: no .env.healthy of $healthy_version; .env is left as it is" >&2
    return 0
  fi
  if cmp -s .env .env.healthy; then
    return 0
  fi
  install -m 600 .env .env.failed
  install -m 600 .env.healthy .env
  for name in "$@"; do
    value=$(env_value "$name" .env.failed)
    if [ -n "$value" ] && [ "$(env_value "$name")" != "$value" ]; then
      set_env "$name" "$value"
    fi
  done
  echo "upgrade.sh: put back the .env $healthy_version last ran healthy with; the one that failed is .env.failed" >&2
}

# env_value NAME [FILE]: a value in .env (or FILE) in any form compose reads ("NAME=x", "export NAME=x",
# "NAME = x"); empty when unset. Never the environment: this script exports the version and new secrets itself.
env_value() {
  sed -nE "s/^[[:space:]]*(export[[:space:]]+)?$1[[:space:]]*=[[:space:]]*//p" "${2:-.env}" | tail -n 1 | sed -E 's/[[:space:]]+$//'
}

# Sets NAME=VALUE in .env, replacing the line that sets it (in any form) or appending one.
set_env() {
  if grep -Eq "^[[:space:]]*(export[[:space:]]+)?$1[[:space:]]*=" .env; then
    sed -i -E "s|^[[:space:]]*(export[[:space:]]+)?$1[[:space:]]*=.*|$1=$2|" .env
  else
    # Appending needs .env to end with a newline, or the new line would join the last value.
    if [ -s .env ] && [ -n "$(tail -c1 .env)" ]; then
      echo >> .env
    fi
    echo "$1=$2" >> .env
  fi
}

# The nightly backup (docs/deploy.md): one crontab line for this directory, added once, never duplicated.
schedule_backups() {
  if ! command -v crontab >/dev/null; then
    echo "upgrade.sh: no crontab here; schedule ./backup.sh daily yourself (docs/deploy.md section 4)" >&2
    return 0
  fi
  local line="17 3 * * * cd $PWD && ./backup.sh >> backups/backup.log 2>&1" table
  # The line's shell opens the log before backup.sh runs (and makes the folder): after a first start, which takes
  # no backup, backups/ would not exist yet and the nightly backup would fail before it began.
  mkdir -p backups
  # Read whole before writing: a table read in the same pipeline that writes it could be read empty.
  table=$(crontab -l 2>/dev/null || true)
  if ! grep -qF "cd $PWD && ./backup.sh" <<<"$table"; then
    if [ -n "$table" ]; then
      printf '%s\n%s\n' "$table" "$line"
    else
      printf '%s\n' "$line"
    fi | crontab -
    echo "upgrade.sh: scheduled the nightly backup: $line"
  fi
}

wait_until_healthy() {
  local waiting="" deadline=$((SECONDS + ${UPGRADE_HEALTH_TIMEOUT:-300}))
  while :; do
    # Services without a health check (the dashboard) report no health and are not waited for.
    waiting=$(docker compose ps --all --format '{{.Service}} {{.State}} {{.Health}}' | awk '$2 != "running" || ($3 != "" && $3 != "healthy")')
    if [ -z "$waiting" ]; then
      return 0
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      break
    fi
    sleep 5
  done
  echo "upgrade.sh: not healthy after ${UPGRADE_HEALTH_TIMEOUT:-300} s:" >&2
  echo "$waiting" >&2
  return 1
}

main "$@"; exit
