#!/usr/bin/env bash
# Webhook ingestion end to end, two builds of the api compared back to back: each git revision is built in Release
# in its own temporary worktree, then the two are run alternately (A B A B ...) so that a machine shared with other
# work loads both alike. Each run gets a fresh database and api process, a 5 s warm-up on one meeting, then the
# measured burst on another: signed participant_joined webhooks, a quarter sent twice, shuffled (as bench/api.sh).
# Prints events/s per run and each revision's median, min and max; asserts nothing.
# Usage: bench/webhooks-ab.sh REV_A REV_B [rounds, default 4] [duration, default 10s] [distinct events, default 60000]
set -euo pipefail
cd "$(dirname "$0")/.."
rev_a=$1; rev_b=$2; rounds=${3:-4}; duration=${4:-10s}; events=${5:-60000}

for tool in wrk redis-server curl; do
  command -v "$tool" >/dev/null || { echo "$tool missing: apt-get install -y wrk redis-server curl" >&2; exit 1; }
done
[ -d tools/node/node_modules ] || (cd tools/node && npm ci --no-audit --no-fund)
# shellcheck source=bench/lib/throwaway-services.sh
source bench/lib/throwaway-services.sh
start_postgres_and_redis
repo=$PWD
trees=()
remove_trees() { for tree in "${trees[@]}"; do git -C "$repo" worktree remove --force "$tree" 2>/dev/null || true; done; cleanup; }
trap remove_trees EXIT

for variant in a b; do
  rev_var=rev_$variant
  tree="$work/tree-$variant"
  git worktree add --detach -q "$tree" "${!rev_var}"
  trees+=("$tree")
  echo "building $variant = $(git -C "$tree" log -1 --format='%h %s' | cut -c1-90)"
  dotnet build -c Release "$tree/Conference.Api" -v q -nologo >"$work/build-$variant.log" 2>&1 \
    || { grep -E "error|rror\(s\)" "$work/build-$variant.log" | sort -u >&2; exit 1; }
done

secret=$(openssl rand -hex 24)
run() { # variant round
  local variant=$1 db="conference_$1_$2" port pid api token slug warm
  sql -c "CREATE DATABASE $db"
  port=$(free_port); api=http://127.0.0.1:$port
  ConnectionStrings__conference="Host=127.0.0.1;Port=$pg_port;Username=postgres;Password=$password;Database=$db;Maximum Pool Size=64" \
  ConnectionStrings__redis="127.0.0.1:$redis_port,password=$password" \
  LiveKit__Url=http://127.0.0.1:7880 LiveKit__ApiKey=bench LiveKit__ApiSecret="$secret" \
  RateLimits__SignInPerIpPerMinute=1000000000 RateLimits__JoinPerIpPerMinute=1000000000 RateLimits__JoinPerMeetingPerMinute=1000000000 \
  ASPNETCORE_ENVIRONMENT=Production Logging__LogLevel__Default=Warning \
    dotnet "$work/tree-$variant/Conference.Api/bin/Release/net10.0/Conference.Api.dll" --urls "$api" >"$work/api-$variant-$2.log" 2>&1 &
  pid=$!
  pids+=("$pid")
  wait_for "$api/alive"
  # A fresh server takes its first sign-up only with the one-time admin setup code it logs.
  local code=""
  for _ in $(seq 150); do
    code=$(grep -oE '[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}' "$work/api-$variant-$2.log" | head -1) && [ -n "$code" ] && break
    sleep 0.2
  done
  curl -fsS -H 'Content-Type: application/json' -d "{\"email\":\"bench@example.org\",\"password\":\"bench password 1\",\"displayName\":\"Bench\",\"setupCode\":\"$code\"}" "$api/api/accounts/signup" >/dev/null
  token=$(curl -fs -H 'Content-Type: application/json' -d '{"email":"bench@example.org","password":"bench password 1"}' "$api/api/accounts/signin" | python3 -c 'import json,sys; print(json.load(sys.stdin)["accessToken"])')
  meeting() { curl -fs -H "Authorization: Bearer $token" -H 'Content-Type: application/json' -d '{"title":"Bench","settings":{"maxParticipants":100}}' "$api/api/meetings" | python3 -c 'import json,sys; print(json.load(sys.stdin)["slug"])'; }
  warm=$(meeting); slug=$(meeting)
  LIVEKIT_API_KEY=bench LIVEKIT_API_SECRET=$secret node bench/api/webhook-bodies.mjs "$work/warm.txt" "$warm" $((events / 6)) $((events / 24))
  LIVEKIT_API_KEY=bench LIVEKIT_API_SECRET=$secret node bench/api/webhook-bodies.mjs "$work/webhooks.txt" "$slug" "$events" $((events / 4))
  wrk -t2 -c32 -d5s -s bench/api/webhooks.lua "$api/api/webhooks/livekit" -- "$work/warm.txt" 2 >/dev/null
  echo "$variant round $2 (load average $(cut -d' ' -f1 /proc/loadavg)): $(wrk -t2 -c32 -d"$duration" -s bench/api/webhooks.lua "$api/api/webhooks/livekit" -- "$work/webhooks.txt" 2 | grep '^webhooks:')" \
    | tee -a "$work/results.txt"
  kill "$pid"; wait "$pid" 2>/dev/null || true
}

for round in $(seq "$rounds"); do
  # Alternate which goes first, so neither always follows the other's leftovers.
  if [ $((round % 2)) = 1 ]; then run a "$round"; run b "$round"; else run b "$round"; run a "$round"; fi
done

for variant in a b; do
  rev_var=rev_$variant
  grep "^$variant round" "$work/results.txt" | sed -E 's/.* = ([0-9]+) events\/s.*/\1/' | sort -n | awk -v v="$variant" -v r="${!rev_var}" \
    '{ x[NR] = $1 } END { m = NR % 2 ? x[(NR + 1) / 2] : (x[NR / 2] + x[NR / 2 + 1]) / 2; printf "%s (%s): median %.0f events/s, min %d, max %d, over %d runs\n", v, r, m, x[1], x[NR], NR }'
done
