#!/usr/bin/env bash
# LiveKit emulator figures: CPU and memory while relaying a 3-person call, and connect → first remote frame.
# DURATION=60 PEOPLE=3 by default. Needs Debian's chromium and tools/livekit-emulator's packages (npm ci there).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d tools/livekit-emulator/node_modules ] || [ tools/livekit-emulator/package-lock.json -nt tools/livekit-emulator/node_modules ]; then
  (cd tools/livekit-emulator && npm ci --no-audit --no-fund)
  touch tools/livekit-emulator/node_modules
fi
exec node bench/emulator/bench.mjs
