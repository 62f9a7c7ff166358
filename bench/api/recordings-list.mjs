// Walks a host's recordings page by page (GET <list URL>?limit=&cursor=, e.g. the api's /api/recordings) and prints
// the latency of every page request: one client in sequence, so each figure is one request's own time.
// Usage: [RECORDER_KEY=…] node recordings-list.mjs <list URL> <bearer token or -> <limit> <walks>
// RECORDER_KEY: the recorder's internal key, sent as X-Recorder-Key (for the recorder's own list).
const [listUrl, token, limitText = "50", walksText = "5"] = process.argv.slice(2);
const limit = Number(limitText);
const walks = Number(walksText);

async function walk(times) {
  let cursor = null;
  let items = 0;
  do {
    const url = `${listUrl}?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
    const started = process.hrtime.bigint();
    const headers = token === "-" ? {} : { authorization: `Bearer ${token}` };
    if (process.env.RECORDER_KEY) headers["x-recorder-key"] = process.env.RECORDER_KEY;
    const response = await fetch(url, { headers });
    const page = await response.json();
    times?.push(Number(process.hrtime.bigint() - started) / 1e6);
    if (!response.ok) throw new Error(`${response.status} ${JSON.stringify(page)}`);
    items += page.items.length;
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}

const warm = await walk(null);
const times = [];
const started = Date.now();
for (let i = 0; i < walks; i++) await walk(times);
const seconds = (Date.now() - started) / 1000;
times.sort((a, b) => a - b);
const at = (q) => times[Math.min(times.length - 1, Math.ceil(q * times.length) - 1)].toFixed(1);
console.log(`recordings listed per walk: ${warm}; ${walks} walks of ${times.length / walks} pages (limit ${limit}) after one warm-up walk`);
console.log(`page latency ms: p50 ${at(0.5)}  p90 ${at(0.9)}  p99 ${at(0.99)}  max ${times.at(-1).toFixed(1)}  (${(times.length / seconds).toFixed(0)} pages/s, one client)`);
