#!/usr/bin/env bash
# The api under load on loopback, with real PostgreSQL and Redis, wrk sharing the machine's cores:
#   1. join: a guest joining an open meeting (rate limits, meeting lookup, ended/locked/full checks, token);
#   2. the baseline: the original system's Express + livekit-server-sdk token endpoint, same wrk settings;
#   3. webhook ingestion: signed webhooks with duplicates, sent by wrk, then the rows are counted;
#   4. the api's resident memory after all that.
# Also GET /alive through the same pipeline, as the floor the machine allows.
# Prints figures; asserts nothing. Usage: bench/api.sh [duration, default 15s]
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-15s}

for tool in wrk redis-server curl; do
  command -v "$tool" >/dev/null || { echo "$tool missing: apt-get install -y wrk redis-server curl" >&2; exit 1; }
done
[ -d tools/node/node_modules ] || (cd tools/node && npm ci --no-audit --no-fund)
# shellcheck source=bench/lib/throwaway-services.sh
source bench/lib/throwaway-services.sh
start_postgres_and_redis
sql -c "CREATE DATABASE conference"
api_port=$(free_port); express_port=$(free_port)
secret=$(openssl rand -hex 24)

dotnet build -c Release Conference.Api -v q -nologo >/dev/null
ConnectionStrings__conference="Host=127.0.0.1;Port=$pg_port;Username=postgres;Password=$password;Database=conference;Maximum Pool Size=64" \
ConnectionStrings__redis="127.0.0.1:$redis_port,password=$password" \
LiveKit__Url=http://127.0.0.1:7880 LiveKit__ApiKey=bench LiveKit__ApiSecret="$secret" \
RateLimits__SignInPerIpPerMinute=1000000000 RateLimits__JoinPerIpPerMinute=1000000000 RateLimits__JoinPerMeetingPerMinute=1000000000 \
ASPNETCORE_ENVIRONMENT=Production Logging__LogLevel__Default=Warning \
  dotnet Conference.Api/bin/Release/net10.0/Conference.Api.dll --urls "http://127.0.0.1:$api_port" >"$work/api.log" 2>&1 &
api_pid=$!
pids+=("$api_pid")
wait_for "http://127.0.0.1:$api_port/alive"

api=http://127.0.0.1:$api_port
curl -fs -H 'Content-Type: application/json' -d '{"email":"bench@example.org","password":"bench password 1","displayName":"Bench"}' "$api/api/accounts/signup" >/dev/null
token=$(curl -fs -H 'Content-Type: application/json' -d '{"email":"bench@example.org","password":"bench password 1"}' "$api/api/accounts/signin" | python3 -c 'import json,sys; print(json.load(sys.stdin)["accessToken"])')
slug=$(curl -fs -H "Authorization: Bearer $token" -H 'Content-Type: application/json' -d '{"title":"Bench","settings":{"maxParticipants":100}}' "$api/api/meetings" | python3 -c 'import json,sys; print(json.load(sys.stdin)["slug"])')

echo "== the floor: GET /alive (the same pipeline, no work), same settings"
wrk -t2 -c32 -d"$duration" --latency "$api/alive" | grep -E "Requests/sec|99%"

echo "== join: POST /api/meetings/$slug/join, 32 connections, $duration (warm-up 5 s first)"
wrk -t2 -c32 -d5s -s bench/api/join.lua "$api/api/meetings/$slug/join" >/dev/null
wrk -t2 -c32 -d"$duration" --latency -s bench/api/join.lua "$api/api/meetings/$slug/join" | tee "$work/join.txt"

echo "== baseline: Express + livekit-server-sdk token endpoint, same settings"
PORT=$express_port LIVEKIT_API_KEY=bench LIVEKIT_API_SECRET=$secret LIVEKIT_URL=ws://127.0.0.1:7880 node bench/api/express-join.mjs &
pids+=($!)
for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$express_port") 2>/dev/null && break; sleep 0.2; done
wrk -t2 -c32 -d5s -s bench/api/join.lua "http://127.0.0.1:$express_port/api/meetings/$slug/join" >/dev/null
wrk -t2 -c32 -d"$duration" --latency -s bench/api/join.lua "http://127.0.0.1:$express_port/api/meetings/$slug/join" | tee "$work/express.txt"

ours=$(awk '/Requests\/sec/ {print $2}' "$work/join.txt"); theirs=$(awk '/Requests\/sec/ {print $2}' "$work/express.txt")
echo "join: ours $ours req/s, Express $theirs req/s, ratio $(python3 -c "print(f'{$ours/$theirs:.2f}x')")"

echo "== webhooks: signed participant_joined events, a quarter of them sent twice, shuffled; wrk, 32 connections, $duration"
LIVEKIT_API_KEY=bench LIVEKIT_API_SECRET=$secret node bench/api/webhook-bodies.mjs "$work/webhooks.txt" "$slug" 60000 15000
wrk -t2 -c32 -d"$duration" --latency -s bench/api/webhooks.lua "$api/api/webhooks/livekit" -- "$work/webhooks.txt" 2 | grep '^webhooks:' | tee "$work/webhooks.out"
sleep 1
rows=$(PGPASSWORD=$password psql -h 127.0.0.1 -p "$pg_port" -U postgres -d conference -tAc "SELECT count(*) FROM livekit_webhook_events WHERE \"Id\" LIKE 'EV_bench_%'")
sessions=$(PGPASSWORD=$password psql -h 127.0.0.1 -p "$pg_port" -U postgres -d conference -tAc "SELECT count(*) FROM participant_sessions WHERE \"Identity\" LIKE 'bench-%'")
sent=$(grep -o '[0-9]* distinct events sent' "$work/webhooks.out" | cut -d' ' -f1)
# Each event is one participant joining, so applied exactly once means one session per stored event. Requests
# still in flight when wrk stopped (at most one per connection) may or may not have been stored.
echo "webhooks stored: $rows events and $sessions sessions of $sent distinct sent ($([ "$rows" = "$sessions" ] && [ "$rows" -le "$sent" ] && [ "$rows" -ge $((sent - 32)) ] && echo "exactly once" || echo "NOT exactly once"))"

# RssShmem is the runtime's W^X double-mapped memory: JIT-compiled code and the loaded types' data.
echo "api RSS after the run: $(( $(ps -o rss= -p "$api_pid") / 1024 )) MB ($(awk '/^RssAnon/ { a = $2 } /^RssFile/ { f = $2 } /^RssShmem/ { s = $2 } END { printf "GC heap, stacks and native %d MB; mapped assemblies %d MB; JIT code and type data %d MB", a / 1024, f / 1024, s / 1024 }' "/proc/$api_pid/status"))"
