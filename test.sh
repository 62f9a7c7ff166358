#!/usr/bin/env bash
# The one test command, for developers and CI alike: installs the real services the test fixtures start
# (Debian packages and the pinned npm tools), then runs every test in the solution.
set -euo pipefail
cd "$(dirname "$0")"

# apt-get runs only when something is missing, so a prepared machine starts testing at once.
missing=()
for package in redis-server caddy chromium fonts-liberation fonts-noto-color-emoji; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if ! command -v initdb >/dev/null && [ ! -x /usr/lib/postgresql/15/bin/initdb ]; then
  missing+=(postgresql-15)
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=600 update
  apt-get -o DPkg::Lock::Timeout=600 install -y "${missing[@]}"
  # Installing may start system-wide services; the tests start their own on free ports, so stop them.
  # (chromium and the fonts — Liberation for text, Noto Color Emoji for emoji in names and reactions — have no service; postgresql-15's service is named postgresql.)
  for service in "${missing[@]/postgresql-15/postgresql}"; do
    if [ -d /run/systemd/system ]; then
      systemctl disable --now "$service" >/dev/null 2>&1 || true
    else
      service "$service" stop >/dev/null 2>&1 || true
    fi
  done
fi

# The deploy tests check the compose file (docker-compose config, offline), YAML (yamllint) and the deploy/
# scripts (shellcheck). Without recommends: docker-compose would bring docker.io, a daemon nothing here needs.
tools=()
for package in docker-compose yamllint shellcheck; do
  dpkg -s "$package" >/dev/null 2>&1 || tools+=("$package")
done
if [ ${#tools[@]} -gt 0 ]; then
  echo "Installing ${tools[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends "${tools[@]}" ||
    { apt-get -o DPkg::Lock::Timeout=600 update && DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends "${tools[@]}"; }
fi

# npm ci only when the lock file is newer than what was installed from it.
if [ ! -d tools/node/node_modules ] || [ tools/node/package-lock.json -nt tools/node/node_modules ]; then
  (cd tools/node && npm ci --no-audit --no-fund)
  touch tools/node/node_modules
fi

# The LiveKit emulator (a test double of livekit-server that the call tests connect browsers through): same stamp.
if [ ! -d tools/livekit-emulator/node_modules ] || [ tools/livekit-emulator/package-lock.json -nt tools/livekit-emulator/node_modules ]; then
  (cd tools/livekit-emulator && npm ci --no-audit --no-fund)
  touch tools/livekit-emulator/node_modules
fi

# maildev, the AppHost's local mail server: installed here (same stamp the AppHost reads) so AppHosts the tests
# start side by side never run npm ci in one directory at once.
if [ ! -f tools/maildev/node_modules/.install-stamp ] || [ tools/maildev/package-lock.json -nt tools/maildev/node_modules/.install-stamp ]; then
  (cd tools/maildev && npm ci --no-audit --no-fund --ignore-scripts && touch node_modules/.install-stamp)
fi

# dotnet test prints a summary per test assembly; close with one line for the whole run.
log=$(mktemp)
vitest_report=$(mktemp)
trap 'rm -f "$log" "$vitest_report"' EXIT
status=0
dotnet test Conference.slnx --logger "console;verbosity=normal" "$@" | tee "$log" || status=$?

# The call page's TypeScript module (Conference.Web/Client) has vitest unit tests; their counts join the line below.
# The build installs its node_modules (same stamp), so this npm ci runs only when that build did not.
client=Conference.Web/Client
if [ ! -f "$client/node_modules/.install-stamp" ] || [ "$client/package-lock.json" -nt "$client/node_modules/.install-stamp" ]; then
  (cd "$client" && npm ci --no-audit --no-fund --ignore-scripts && touch node_modules/.install-stamp)
fi
(cd "$client" && npx vitest run --reporter=default --reporter=json --outputFile="$vitest_report") || status=$?
vitest_counts=$(node -e 'try { const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  console.log(r.numPassedTests, r.numFailedTests, r.numPendingTests + r.numTodoTests) } catch { console.log("0 1 0") }' "$vitest_report")
read -r vitest_passed vitest_failed vitest_skipped <<<"$vitest_counts"

awk -v passed="$vitest_passed" -v failed="$vitest_failed" -v skipped="$vitest_skipped" \
  '/^ +Passed: +[0-9]+$/ { passed += $2 } /^ +Failed: +[0-9]+$/ { failed += $2 } /^ +Skipped: +[0-9]+$/ { skipped += $2 }
  END { printf "tests: %d passed, %d failed, %d skipped\n", passed, failed, skipped }' "$log"
# CI shows only the end of this output: name each failed test and the first lines of its message there
# (ten: a Playwright message names the locator it waited for only after its call log's header).
awk '/^ +Failed [A-Za-z_][A-Za-z0-9_.]+(\(.*\))? \[/ { name = $0; sub(/^ +Failed /, "", name); sub(/ \[[^]]*\]$/, "", name); lines = 0; print "  failed: " name; next }
  name != "" && /^ +Error Message:/ { grab = 1; next }
  grab && /^ +Stack Trace:/ { grab = 0; name = ""; next }
  grab && lines < 10 && !/^ *$/ { sub(/^ */, "    "); print; lines++ }' "$log"
# A build error runs no tests and counts no failures: say so rather than leave a clean-looking line.
if [ "$status" != 0 ] && grep -q ': error ' "$log"; then
  echo "tests: the build failed (exit $status); see the errors above"
fi
exit "$status"
