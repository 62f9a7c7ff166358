#!/usr/bin/env bash
# Recordings through the api, on loopback with real PostgreSQL and Redis, api and recorder built in Release:
#   1. listing: 10,000 recordings of one host, walked page by page (GET /api/recordings, keyset cursor) by one client,
#      then the recorder's own endpoint the api calls, to show what the api's hop adds;
#   2. presigned download links: BenchmarkDotNet over RecordingStorage.DownloadLink (local SigV4 signing).
# Prints figures; asserts nothing. Usage: bench/recordings.sh [page size, default 50] [walks, default 5]
set -euo pipefail
cd "$(dirname "$0")/.."
limit=${1:-50}
walks=${2:-5}

for tool in redis-server curl node psql; do
  command -v "$tool" >/dev/null || { echo "$tool missing" >&2; exit 1; }
done
# shellcheck source=bench/lib/throwaway-services.sh
source bench/lib/throwaway-services.sh
start_postgres_and_redis
sql -c "CREATE DATABASE conference" -c "CREATE DATABASE recordings"
api_port=$(free_port); recorder_port=$(free_port)
internal_key=$(openssl rand -hex 24)

dotnet build -c Release Conference.Api -v q -nologo >/dev/null
dotnet build -c Release Conference.Recorder -v q -nologo >/dev/null
database() { echo "Host=127.0.0.1;Port=$pg_port;Username=postgres;Password=$password;Database=$1;Maximum Pool Size=64"; }
ConnectionStrings__recordings=$(database recordings) ConnectionStrings__redis="127.0.0.1:$redis_port,password=$password" Recorder__InternalKey="$internal_key" \
ASPNETCORE_ENVIRONMENT=Production Logging__LogLevel__Default=Warning \
  dotnet Conference.Recorder/bin/Release/net10.0/Conference.Recorder.dll --urls "http://127.0.0.1:$recorder_port" >"$work/recorder.log" 2>&1 &
pids+=($!)
ConnectionStrings__conference=$(database conference) ConnectionStrings__redis="127.0.0.1:$redis_port,password=$password" \
Recorder__Url="http://127.0.0.1:$recorder_port" Recorder__InternalKey="$internal_key" RateLimits__SignInPerIpPerMinute=1000000 \
ASPNETCORE_ENVIRONMENT=Production Logging__LogLevel__Default=Warning \
  dotnet Conference.Api/bin/Release/net10.0/Conference.Api.dll --urls "http://127.0.0.1:$api_port" >"$work/api.log" 2>&1 &
pids+=($!)
wait_for "http://127.0.0.1:$recorder_port/alive"
wait_for "http://127.0.0.1:$api_port/alive"

api=http://127.0.0.1:$api_port
curl -fs -H 'Content-Type: application/json' -d '{"email":"bench@example.org","password":"bench password 1","displayName":"Bench"}' "$api/api/accounts/signup" >/dev/null
token=$(curl -fs -H 'Content-Type: application/json' -d '{"email":"bench@example.org","password":"bench password 1"}' "$api/api/accounts/signin" | python3 -c 'import json,sys; print(json.load(sys.stdin)["accessToken"])')
host_id=$(sql -d conference -c "SELECT \"Id\" FROM \"AspNetUsers\" WHERE \"Email\" = 'bench@example.org'")

# 10,000 finished recordings of this host over 100 meetings, one a minute, plus 10,000 of another host beside them.
sql -d recordings -c "
  INSERT INTO recordings (id, meeting_slug, host_id, egress_id, status, layout, audio_only, object_key, started_at, ended_at, duration_seconds, size_bytes, location)
  SELECT gen_random_uuid(), 'ben-' || lpad((i % 100)::text, 4, '0') || '-chx', h.host, 'EG_' || h.host || i, 'Ready', 'grid', false,
         'recordings/bench/' || i || '.mp4', now() - i * interval '1 minute', now() - i * interval '1 minute' + interval '30 minutes', 1800, 123456789, 'http://storage/bench/' || i
  FROM generate_series(1, 10000) AS i, (VALUES ('$host_id'), ('someone-else')) AS h(host);
  ANALYZE recordings;"

echo "== listing: 10,000 recordings of one host through the api, $limit per page, one client"
node bench/api/recordings-list.mjs "$api/api/recordings" "$token" "$limit" "$walks"
echo "== for comparison, the recorder's internal list alone (no account check, no second hop)"
RECORDER_KEY=$internal_key node bench/api/recordings-list.mjs "http://127.0.0.1:$recorder_port/internal/hosts/$host_id/recordings" - "$limit" "$walks"

echo "== presigned download links (BenchmarkDotNet)"
dotnet run -c Release --project bench/Conference.Benchmarks -- --filter '*RecordingBenchmarks*' --job short 2>&1 \
  | grep -E "^\| (Method|PresignDownloadLink)" | tee "$work/presign.txt"
python3 - "$work/presign.txt" <<'PY'
import re, sys
for line in open(sys.argv[1]):
    cells = [c.strip() for c in line.strip().strip('|').split('|')]
    if cells[0] == 'PresignDownloadLink':
        value, unit = re.match(r'([\d.,]+)\s*(ns|μs|us|ms)', cells[1]).groups()
        seconds = float(value.replace(',', '')) * {'ns': 1e-9, 'μs': 1e-6, 'us': 1e-6, 'ms': 1e-3}[unit]
        print(f"presigned links: {1 / seconds:,.0f} per second on one core")
PY
