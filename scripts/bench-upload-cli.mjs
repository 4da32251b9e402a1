// `hlsify upload` vs `aws s3 sync` as a user runs them: the two CLIs, the same ~220 MB ladder-shaped
// tree, the same local server (its own process), a fresh prefix per run, runs interleaved; median wall
// time and CPU seconds (user+sys of the CLI process and its children, from /usr/bin/time), and the
// server's CPU seconds during each run (Linux). Each run's order alternates.
//   npm run build && node scripts/bench-upload-cli.mjs [RUNS=5] [--server s3rver|null] [--rtt MS] [-- extra hlsify upload flags]
// --server s3rver (default) stores every object (MD5 and a file each); on a small machine it is the limit
// for both CLIs, which its CPU column shows. --server null (scripts/s3-null-server.mjs) drops what it
// receives, so the figures are the clients' own; with --rtt MS it answers each request one round trip of
// MS milliseconds late, as a distant endpoint would (unlimited bandwidth).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { writeSyntheticLadder } from '../dist/bench/synthetic-ladder.js';

const args = process.argv.slice(2);
const dash = args.indexOf('--');
const own = dash >= 0 ? args.slice(0, dash) : args;
const extra = dash >= 0 ? args.slice(dash + 1) : [];
const serverAt = own.indexOf('--server');
const serverKind = serverAt >= 0 ? own[serverAt + 1] : 's3rver';
if (serverKind !== 's3rver' && serverKind !== 'null') throw new Error(`--server ${serverKind}: expected s3rver or null`);
const rttAt = own.indexOf('--rtt');
const rtt = rttAt >= 0 ? own[rttAt + 1] : undefined;
if (rtt !== undefined && serverKind !== 'null') throw new Error('--rtt needs --server null');
const runs = Number(own.find((a, i) => /^\d+$/.test(a) && own[i - 1] !== '--server' && own[i - 1] !== '--rtt') ?? 5);
const root = new URL('..', import.meta.url).pathname;
const env = { ...process.env, AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_REGION: 'us-east-1', AWS_EC2_METADATA_DISABLED: 'true', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', AWS_REQUEST_CHECKSUM_CALCULATION: 'when_required', AWS_RESPONSE_CHECKSUM_VALIDATION: 'when_required' };
const which = (name) => spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).stdout.trim();
// A pyenv shim is a shell script that starts pyenv first: time the real program, as an installed one runs.
let aws = process.env.AWS_BIN ?? (existsSync('/usr/bin/aws') ? '/usr/bin/aws' : which('aws'));
if (aws.includes('/shims/')) aws = spawnSync('pyenv', ['which', 'aws'], { encoding: 'utf8' }).stdout.trim() || aws;
const bucket = 'bench-cli';
const serverArgs = serverKind === 'null' ? [join(root, 'scripts', 's3-null-server.mjs'), '0', ...(rtt ? ['--rtt', rtt] : [])] : [join(root, 'scripts', 's3-server.mjs'), '0', bucket];
const server = spawn(process.execPath, serverArgs, { stdio: ['ignore', 'pipe', 'inherit'] });
/** The server process's CPU seconds so far (user + system, Linux), or NaN elsewhere. */
const serverCpu = async () => {
  try {
    const fields = (await readFile(`/proc/${server.pid}/stat`, 'utf8')).split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
};
const [line] = await once(server.stdout, 'data');
const endpoint = String(line).trim().split(' ')[1];
const dir = await mkdtemp(join(tmpdir(), 'hlsify-bench-cli-'));
const ladder = join(dir, 'ladder');
const timeFile = join(dir, 'time');
const median = (values) => {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
async function timed(command) {
  const before = await serverCpu();
  const result = spawnSync('/usr/bin/time', ['-f', '%e %U %S', '-o', timeFile, ...command], { env, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${command.join(' ')} failed:\n${result.stderr}`);
  const [wall, user, sys] = (await readFile(timeFile, 'utf8')).trim().split(/\s+/).map(Number);
  return { wall, cpu: user + sys, server: (await serverCpu()) - before };
}
try {
  const bytes = await writeSyntheticLadder(ladder);
  console.log(`ladder ${(bytes / 2 ** 20).toFixed(0)} MiB; ${serverKind} server${rtt ? ` (${rtt} ms round trip)` : ''} at ${endpoint}; ${runs} runs; aws = ${aws}; hlsify flags: ${extra.join(' ') || '(none)'}`);
  const stamp = Date.now().toString(36);
  const seen = { hlsify: [], aws: [] };
  for (let run = 1; run <= runs; run++) {
    const runHlsify = () => timed([process.execPath, join(root, 'bin', 'hlsify.js'), 'upload', ladder, `s3://${bucket}/${stamp}-hlsify-${run}`, '--endpoint', endpoint, '-q', ...extra]);
    const runAws = () => timed([aws, 's3', 'sync', ladder, `s3://${bucket}/${stamp}-aws-${run}`, '--endpoint-url', endpoint, '--only-show-errors', '--no-progress']);
    // Alternate which goes first, so neither always follows the other's writes to the server's disk.
    let h, a;
    if (run % 2) {
      h = await runHlsify();
      a = await runAws();
    } else {
      a = await runAws();
      h = await runHlsify();
    }
    seen.hlsify.push(h);
    seen.aws.push(a);
    console.log(`run ${run}: hlsify ${h.wall.toFixed(2)} s ${h.cpu.toFixed(2)} cpu-s (server ${h.server.toFixed(2)}) | aws ${a.wall.toFixed(2)} s ${a.cpu.toFixed(2)} cpu-s (server ${a.server.toFixed(2)}) | wall ratio aws/hlsify ${(a.wall / h.wall).toFixed(2)}`);
  }
  const summary = (list) => ({ wall: median(list.map((r) => r.wall)), cpu: median(list.map((r) => r.cpu)), server: median(list.map((r) => r.server)) });
  const h = summary(seen.hlsify);
  const a = summary(seen.aws);
  const ratios = seen.hlsify.map((r, i) => seen.aws[i].wall / r.wall);
  console.log(`median hlsify ${h.wall.toFixed(2)} s = ${(bytes / 1e6 / h.wall).toFixed(1)} MB/s, ${h.cpu.toFixed(2)} cpu-s; server ${h.server.toFixed(2)} cpu-s`);
  console.log(`median aws    ${a.wall.toFixed(2)} s = ${(bytes / 1e6 / a.wall).toFixed(1)} MB/s, ${a.cpu.toFixed(2)} cpu-s; server ${a.server.toFixed(2)} cpu-s`);
  console.log(`throughput ratio hlsify/aws: ${(a.wall / h.wall).toFixed(2)} (from medians), per-run median ${median(ratios).toFixed(2)}; cpu ratio hlsify/aws ${(h.cpu / a.cpu).toFixed(2)}`);
} finally {
  server.kill('SIGTERM');
  await rm(dir, { recursive: true, force: true });
}
