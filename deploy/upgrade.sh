#!/usr/bin/env bash
# Runs release VERSION of the stack in this directory (the first start and every upgrade): records the release
# that ran before, pulls the new images, starts what changed, and waits until every service with a health check
# is healthy. If that does not happen within five minutes it puts back the previous release - its deployment
# files from .previous/ (deploy.yml saves them there before copying the new ones) and its image tag - and fails.
# Usage: ./upgrade.sh v1.2.0
set -euo pipefail
cd "$(dirname "$0")"

version=${1:?usage: upgrade.sh VERSION (an image tag such as v1.2.0)}
if [ ! -f .env ]; then
  echo "upgrade.sh: no .env here; create it from .env.example first (docs/deploy.md)" >&2
  exit 1
fi

# A release can bring a new generated secret (.env.example marks them "openssl rand -hex 32"). One that .env lacks
# is generated here, so the upgrade does not stop at compose's "see .env.example"; secrets already set are kept.
# Appending needs .env to end with a newline, or the new line would join the last value.
if [ -s .env ] && [ -n "$(tail -c1 .env)" ]; then
  echo >> .env
fi
while read -r name; do
  # Set in any form compose reads ("NAME=x", "export NAME=x", "NAME = x"): left alone.
  if grep -Eq "^[[:space:]]*(export[[:space:]]+)?${name}[[:space:]]*=[[:space:]]*[^[:space:]]" .env; then
    continue
  fi
  secret=$(openssl rand -hex 32)
  sed -i -E "/^[[:space:]]*(export[[:space:]]+)?${name}[[:space:]]*=[[:space:]]*$/d" .env
  echo "$name=$secret" >> .env
  echo "upgrade.sh: generated $name, new in this release"
done < <(awk '/^# Secret \(.*\): openssl rand -hex 32$/ { getline; sub(/=.*/, ""); print }' .env.example)

set_version() {
  if grep -q '^CONFERENCE_VERSION=' .env; then
    sed -i "s/^CONFERENCE_VERSION=.*/CONFERENCE_VERSION=$1/" .env
  else
    echo "CONFERENCE_VERSION=$1" >> .env
  fi
}

wait_until_healthy() {
  local waiting=""
  for _ in $(seq 60); do
    # Services without a health check (the dashboard) report no health and are not waited for.
    waiting=$(docker compose ps --all --format '{{.Service}} {{.State}} {{.Health}}' | awk '$2 != "running" || ($3 != "" && $3 != "healthy")')
    if [ -z "$waiting" ]; then
      return 0
    fi
    sleep 5
  done
  echo "upgrade.sh: not healthy after 5 minutes:" >&2
  echo "$waiting" >&2
  return 1
}

previous=$(sed -n 's/^CONFERENCE_VERSION=//p' .env)
set_version "$version"
docker compose pull --quiet
docker compose up --detach --remove-orphans
if wait_until_healthy; then
  echo "upgrade.sh: $version is running (was ${previous:-nothing})"
  exit 0
fi

docker compose logs --tail=50 >&2 || true
if [ -n "$previous" ] && [ "$previous" != "$version" ]; then
  echo "upgrade.sh: rolling back to $previous" >&2
  if [ -d .previous ]; then
    cp -a .previous/. .
  fi
  set_version "$previous"
  docker compose up --detach --remove-orphans
  wait_until_healthy || echo "upgrade.sh: $previous is not healthy either; see docker compose ps" >&2
fi
exit 1
