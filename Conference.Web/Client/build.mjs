// Bundles the call module, LiveKit's e2ee worker and the fragment script into ../wwwroot/js (run by
// Conference.Web.csproj at build). Type errors fail the build too: esbuild only strips types.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';

execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', '.'], { stdio: 'inherit' });

const common = { bundle: true, minify: true, target: 'es2022', legalComments: 'none', logLevel: 'warning', outdir: '../wwwroot/js' };
await build({ ...common, format: 'esm', entryPoints: { call: 'src/index.ts' } });
await build({ ...common, format: 'esm', entryPoints: { 'livekit-e2ee-worker': 'livekit-client/e2ee-worker' } });
// A classic script, run before blazor.web.js starts the circuit (see src/passphrase.ts).
await build({ ...common, format: 'iife', entryPoints: { 'e2ee-fragment': 'src/fragment-entry.ts' } });
