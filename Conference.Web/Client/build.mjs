// Bundles the call module and LiveKit's e2ee worker into ../wwwroot/js (run by Conference.Web.csproj at build).
// Type errors fail the build too: esbuild only strips types.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';

execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', '.'], { stdio: 'inherit' });

const common = { bundle: true, minify: true, format: 'esm', target: 'es2022', legalComments: 'none', logLevel: 'warning' };
await build({ ...common, entryPoints: { call: 'src/index.ts' }, outdir: '../wwwroot/js' });
await build({ ...common, entryPoints: { 'livekit-e2ee-worker': 'livekit-client/e2ee-worker' }, outdir: '../wwwroot/js' });
