#!/usr/bin/env bash
# LiveKit hot paths, ours against LiveKit's official Node SDK on this machine: mint a join token, verify a token,
# receive a 2 KB webhook. Runs BenchmarkDotNet (short job) and bench/livekit-node/bench.mjs, then prints both side
# by side. Prints figures; asserts nothing about time.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
artifacts="$root/bench/BenchmarkDotNet.Artifacts"

if [ ! -d "$root/tools/node/node_modules/livekit-server-sdk" ]; then
  (cd "$root/tools/node" && npm ci --no-audit --no-fund)
fi

dotnet run -c Release --project "$root/bench/Conference.Benchmarks" -- \
  --filter '*LiveKitBenchmarks*' --job short --exporters json --artifacts "$artifacts"
node_results="$(node "$root/bench/livekit-node/bench.mjs")"

node - "$artifacts/results/Conference.Benchmarks.LiveKitBenchmarks-report-full-compressed.json" "$node_results" <<'JS'
const [report, nodeJson] = process.argv.slice(2);
const ours = require(report).Benchmarks;
const node = JSON.parse(nodeJson);
const targets = { MintJoinToken: 2, VerifyToken: 2, ReceiveWebhook: 8 };
const row = (cells) => console.log(cells.map((c, i) => String(c).padStart(i === 0 ? 16 : 14)).join(' '));
console.log();
row(['operation', 'ours µs', 'ours alloc B', 'node µs', 'node/ours', 'target µs']);
for (const b of ours) {
  const us = b.Statistics.Mean / 1000;
  row([b.Method, us.toFixed(2), b.Memory.BytesAllocatedPerOperation, node[b.Method].toFixed(2), `${(node[b.Method] / us).toFixed(1)}x`, `≤ ${targets[b.Method]}`]);
}
JS
