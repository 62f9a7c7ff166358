// Figures for the LiveKit emulator (printed, not asserted): a 3-person call of Chromium browsers (fake 640x480
// camera and microphone, livekit-client from tools/livekit-emulator) relayed for DURATION seconds. Prints the
// emulator's CPU (% of one core) and RSS, sampled from /proc, and each person's time from room.connect() to the
// first remote video frame. Driven over the Chrome DevTools Protocol with ws; nothing but loopback is contacted.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const emulatorDir = join(root, 'tools', 'livekit-emulator');
const require = createRequire(join(emulatorDir, 'package.json'));
const { AccessToken } = require('livekit-server-sdk');
const WebSocket = require('ws');

const duration = Number(process.env.DURATION ?? 60);
const people = Number(process.env.PEOPLE ?? 3);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const cleanups = [];
process.on('exit', () => cleanups.reverse().forEach((f) => { try { f(); } catch {} }));
process.on('SIGINT', () => process.exit(130));

const freePort = () => new Promise((resolve) => { const s = createServer().listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); }); });

// The emulator.
const port = await freePort();
const emulator = spawn(join(emulatorDir, 'bin', 'livekit-server'), ['--dev', '--port', String(port)], { stdio: ['ignore', 'ignore', 'inherit'] });
cleanups.push(() => emulator.kill('SIGTERM'));
for (let i = 0; i < 100; i++) { try { if ((await fetch(`http://127.0.0.1:${port}/`)).ok) break; } catch {} await sleep(100); }
// bin/livekit-server execs node, so the child's pid is the emulator's.
const pid = emulator.pid;

// The call page (the tests' page) and livekit-client, served from loopback.
const page = readFileSync(join(root, 'Conference.Tests', 'Emulator', 'call-page.html'));
const bundle = readFileSync(join(emulatorDir, 'node_modules', 'livekit-client', 'dist', 'livekit-client.umd.js'));
const pagePort = await freePort();
const pageServer = createServer((req, res) => {
  const js = req.url.endsWith('.js');
  res.writeHead(200, { 'Content-Type': js ? 'text/javascript' : 'text/html' }).end(js ? bundle : page);
}).listen(pagePort, '127.0.0.1');
cleanups.push(() => pageServer.close());

async function openBrowser(index) {
  const profile = mkdtempSync(join(tmpdir(), 'emulator-bench-'));
  const chromium = spawn('/usr/bin/chromium', ['--headless=new', '--no-sandbox', '--disable-gpu', '--use-fake-device-for-media-stream',
    '--use-fake-ui-for-media-stream', '--autoplay-policy=no-user-gesture-required', '--no-first-run', '--disable-background-networking',
    `--user-data-dir=${profile}`, '--remote-debugging-port=0', `http://localhost:${pagePort}/`], { stdio: 'ignore' });
  cleanups.push(() => { chromium.kill('SIGKILL'); rmSync(profile, { recursive: true, force: true }); });
  const portFile = join(profile, 'DevToolsActivePort');
  for (let i = 0; i < 200 && !existsSync(portFile); i++) await sleep(100);
  const [devtoolsPort] = readFileSync(portFile, 'utf8').split('\n');
  let target;
  for (let i = 0; i < 100 && !target; i++) {
    const targets = await (await fetch(`http://127.0.0.1:${devtoolsPort}/json`)).json();
    target = targets.find((t) => t.type === 'page' && t.url.startsWith(`http://localhost:${pagePort}`));
    if (!target) await sleep(100);
  }
  const ws = new WebSocket(target.webSocketDebuggerUrl);
  await new Promise((r) => ws.once('open', r));
  let id = 0;
  const pending = new Map();
  ws.on('message', (m) => { const msg = JSON.parse(m); pending.get(msg.id)?.(msg); pending.delete(msg.id); });
  const evaluate = (expression) => new Promise((resolve, reject) => {
    const n = ++id;
    pending.set(n, (msg) => msg.result?.exceptionDetails ? reject(new Error(msg.result.exceptionDetails.exception?.description)) : resolve(msg.result?.result?.value));
    ws.send(JSON.stringify({ id: n, method: 'Runtime.evaluate', params: { expression, awaitPromise: true, returnByValue: true } }));
  });
  for (let i = 0; i < 100 && !(await evaluate('typeof window.join === "function"')); i++) await sleep(100);
  return { evaluate, identity: `person-${index}` };
}

const token = async (identity) => {
  const t = new AccessToken('devkey', 'secret', { identity, name: identity });
  t.addGrant({ roomJoin: true, room: 'bench' });
  return t.toJwt();
};

const browsers = [];
for (let i = 0; i < people; i++) browsers.push(await openBrowser(i));
// Each person records when connect() started and when the first frame of each remote video was presented.
const firstFrames = [];
for (const b of browsers) {
  await b.evaluate(`(() => {
    window.benchStart = performance.now(); window.firstFrame = {};
    const observer = new MutationObserver(() => document.querySelectorAll('video').forEach((v) => {
      if (v.dataset.watched) return; v.dataset.watched = '1';
      v.requestVideoFrameCallback(() => { window.firstFrame[v.id] ??= performance.now() - window.benchStart; });
    }));
    observer.observe(document.getElementById('videos'), { childList: true });
  })()`);
  await b.evaluate(`window.join(${JSON.stringify(`ws://127.0.0.1:${port}`)}, ${JSON.stringify(await token(b.identity))}, true).then(() => 'ok')`);
}

function sample() {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  const ticks = Number(stat[11]) + Number(stat[12]);
  const rss = Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]) * 4096;
  return { ticks, rss, at: performance.now() };
}
await sleep(5000); // everyone connected and subscribed
const before = sample();
let maxRss = before.rss;
for (let s = 0; s < duration; s++) { await sleep(1000); maxRss = Math.max(maxRss, sample().rss); }
const after = sample();
const clockTicks = 100; // USER_HZ on Linux
const cpu = ((after.ticks - before.ticks) / clockTicks) / ((after.at - before.at) / 1000) * 100;

for (const b of browsers) {
  const frames = await b.evaluate('JSON.stringify(window.firstFrame)');
  const videos = await b.evaluate(`JSON.stringify([...document.querySelectorAll('video')].map(v => [v.id, v.videoWidth, v.videoHeight]))`);
  firstFrames.push({ identity: b.identity, firstFrameMs: JSON.parse(frames), videos: JSON.parse(videos) });
}
console.log(`LiveKit emulator, ${people}-person call (fake camera + microphone each), ${duration} s of relaying:`);
console.log(`  emulator CPU: ${cpu.toFixed(1)} % of one core   RSS: ${(after.rss / 1048576).toFixed(0)} MB (max ${(maxRss / 1048576).toFixed(0)} MB)`);
for (const f of firstFrames) {
  const times = Object.entries(f.firstFrameMs).map(([id, ms]) => `${id.replace(/^video-|-camera$/g, '')} ${ms.toFixed(0)} ms`).join(', ');
  console.log(`  ${f.identity}: connect() → first remote frame: ${times || 'none'}; decoding ${f.videos.map(v => `${v[1]}x${v[2]}`).join(', ')}`);
}
process.exit(0);
