#!/usr/bin/env bash
# The web server's cost of a call, and join click → first remote video frame, printed (not asserted).
# Starts the stack as people run it — `dotnet run --project Conference.AppHost` (Processes variant), Caddy as the
# front door, the LiveKit emulator as `livekit-server` on PATH — then drives Debian's Chromium through Caddy with
# bench/web-call (Playwright for .NET): every person is a real call page (a Blazor circuit on Conference.Web), with
# a fake camera and a fake microphone that speaks in bursts, so who is speaking keeps changing. Samples
# Conference.Web's RSS and CPU from /proc while N people sit in one call (see bench/README.md).
#
# Usage: bench/web-call.sh
#   SIZES=2,5,10  people in the call, measured one after another (the call grows)
#   SECONDS_PER_SIZE=60  how long each size is sampled
#   JOINS=10  join clicks timed (each a fresh page joining a 2-person call)
#   VIDEO=0  cameras of the N people (1: on; 0: off, so 10 Chromium pages fit on 2 cores — the web's work per
#            participant change is the same); the timed joins always have their cameras on
#   CONFIGURATION=Release  how the AppHost and its projects are built
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
configuration=${CONFIGURATION:-Release}

work=$(mktemp -d /tmp/conference-webcall-XXXXXX)
chmod 755 "$work" # PostgreSQL runs as the postgres user when we are root
apphost=
harness=

# Every process of ours: the descendants of a pid (children of every thread), depth first.
descendants() {
  local child
  for child in $(cat /proc/"$1"/task/*/children 2>/dev/null); do
    echo "$child"
    descendants "$child"
  done
}

# Processes whose command line names our work directory or this checkout: PostgreSQL (its data is in $work), and what
# DCP runs for the AppHost — the projects' build outputs, the emulator, Caddy — which DCP starts in a session of its
# own, so they are neither our descendants nor in our session. Not this script itself (nor its subshells).
ours() {
  local file self
  self=$(tr '\0' ' ' < /proc/$$/cmdline)
  for file in $(grep -lsF -e "$work" -e "$root/" /proc/[0-9]*/cmdline); do
    [ "$(tr '\0' ' ' 2>/dev/null < "$file")" = "$self" ] || basename "$(dirname "$file")"
  done
  return 0
}

# Running, not ended (an ended child stays a zombie until waited for, and kill -0 still reaches it).
alive() { [ -r /proc/"$1"/stat ] && [ "$(sed -E 's/.*\) //' /proc/"$1"/stat 2>/dev/null | cut -c1)" != Z ]; }

cleanup() {
  local status=$? pid
  trap - EXIT INT TERM
  if [ -n "$harness" ]; then
    # The harness closes its Chromium when it ends; if it is stopped first, its Chromium goes with it here.
    local browser=($(descendants "$harness"))
    kill -TERM "$harness" 2>/dev/null || true
    for _ in $(seq 50); do alive "$harness" || break; sleep 0.2; done
    for pid in "$harness" "${browser[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  fi
  if [ -n "$apphost" ]; then
    # As Ctrl+C: dotnet run passes SIGTERM on to the AppHost, which stops its resources in order.
    kill -TERM "$apphost" 2>/dev/null || true
    for _ in $(seq 300); do alive "$apphost" || break; sleep 0.2; done
  fi
  # What did not stop with it. (DCP itself watches the AppHost's process and ends after it.)
  for pid in ${apphost:+$(descendants "$apphost")} $(ours); do kill -KILL "$pid" 2>/dev/null || true; done
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

echo "building the AppHost and its projects ($configuration) and the harness…" >&2
dotnet build Conference.AppHost -c "$configuration" -v:q -nologo >/dev/null
dotnet build bench/web-call -c Release -v:q -nologo >/dev/null
dotnet tool restore >/dev/null # dotnet-gcdump, for what the web's heap holds per page

# livekit-server on PATH is the emulator (docs/testing.md); the AppHost runs it with the config it renders.
mkdir -p "$work/bin"
printf '#!/usr/bin/env bash\nexec %q "$@"\n' "$root/tools/livekit-emulator/bin/livekit-server" > "$work/bin/livekit-server"
chmod 755 "$work/bin/livekit-server"
if [ ! -d tools/livekit-emulator/node_modules ]; then (cd tools/livekit-emulator && npm ci --no-audit --no-fund >&2); fi

: > "$work/apphost.log"
# The README's command, its data in $work, its dashboard off the default ports (a developer's own run keeps them).
PATH="$work/bin:$PATH" setsid dotnet run --no-build -c "$configuration" --project Conference.AppHost -- \
  "--ASPNETCORE_URLS=http://localhost:$(free_port)" \
  "--ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL=http://localhost:$(free_port)" \
  "--ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL=http://localhost:$(free_port)" \
  "--ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL=http://localhost:$(free_port)" \
  --Conference:Runtime=Processes "--Conference:DataDirectory=$work/data" \
  </dev/null >>"$work/apphost.log" 2>&1 &
apphost=$!

echo "waiting for the site…" >&2
site= code=
for _ in $(seq 1200); do
  site=$(grep -oE 'The site is ready at https?://[^ ]+' "$work/apphost.log" | head -1 | sed 's/.* at //') || true
  code=$(grep -oE 'setup code [A-Z0-9-]{14}' "$work/apphost.log" | head -1 | sed 's/setup code //') || true
  [ -n "$site" ] && [ -n "$code" ] && break
  if ! alive "$apphost" || grep -q 'FailedResourceReporter' "$work/apphost.log"; then
    sleep 1; cat "$work/apphost.log" >&2; echo "the AppHost did not start" >&2; exit 1
  fi
  sleep 0.25
done
[ -n "$site" ] && [ -n "$code" ] || { cat "$work/apphost.log" >&2; echo "no site within 5 minutes" >&2; exit 1; }

# Conference.Web: the process running this checkout's build of the web project.
web_pid=
for pid in $(ours); do
  if tr '\0' '\n' 2>/dev/null < /proc/"$pid"/cmdline | head -2 | grep -qxF -e "$root/Conference.Web/bin/$configuration/net10.0/Conference.Web" \
      -e "$root/Conference.Web/bin/$configuration/net10.0/Conference.Web.dll"; then web_pid=$pid; break; fi
done
[ -n "$web_pid" ] || { echo "Conference.Web's process not found under the AppHost" >&2; exit 1; }
echo "site $site, Conference.Web pid $web_pid" >&2

dotnet "bench/web-call/bin/Release/net10.0/Conference.WebCallBench.dll" \
  --site "$site" --setup-code "$code" --web-pid "$web_pid" --work "$work" \
  --sizes "${SIZES:-2,5,10}" --seconds "${SECONDS_PER_SIZE:-60}" --joins "${JOINS:-10}" --video "${VIDEO:-0}" &
harness=$!
wait "$harness"
harness=
