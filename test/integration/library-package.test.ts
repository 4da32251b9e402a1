/**
 * hlsify as a package: `npm pack`, installed into a fresh project beside nothing but its own runtime
 * dependencies, then the README's library example run from it (ESM import, progress events, upload to
 * the test S3 server, Ctrl-C through an AbortSignal) and a TypeScript consumer type-checked against the
 * shipped declarations.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, tempDir } from '../helpers/cli.js';
import { fixture } from '../../fixtures/recipes.js';
import { S3_TEST_ENV, startS3Server, type S3TestServer } from '../helpers/s3-server.js';

let server: S3TestServer;
let project: string;

/** The ```js block of the README's "Use it from code" section. */
async function readmeExample(): Promise<string> {
  const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Use it from code'));
  const match = /```js\n([\s\S]*?)```/.exec(section);
  if (!match) throw new Error('README has no ```js example under "Use it from code"');
  return match[1]!;
}

/** A fresh project with the packed tarball installed as node_modules/hlsify and its runtime dependencies linked beside it. */
async function installPackedPackage(dir: string): Promise<void> {
  const packDir = join(dir, 'pack');
  await mkdir(packDir);
  // dist/ is built by the global setup; --ignore-scripts skips the prepare build.
  const packed = JSON.parse(execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', packDir], { cwd: ROOT, encoding: 'utf8' })) as { filename: string }[];
  const modules = join(dir, 'project', 'node_modules');
  await mkdir(modules, { recursive: true });
  execFileSync('tar', ['-xzf', join(packDir, packed[0]!.filename), '-C', packDir]);
  await rename(join(packDir, 'package'), join(modules, 'hlsify'));
  // Offline and fast: the production dependency tree (`dependencies` only, not dev) is linked from this
  // checkout, so a runtime import of a devDependency would fail here as it would for a user.
  const parseable = execFileSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], { cwd: ROOT, encoding: 'utf8' });
  const top = join(ROOT, 'node_modules') + '/';
  const runtime = parseable.split('\n').filter((path) => path.startsWith(top) && !path.slice(top.length).includes('/node_modules/'));
  // The consumer's own dev tools for the type check.
  const tools = ['typescript', '@types/node', 'undici-types'].map((name) => top + name).filter((path) => existsSync(path));
  for (const path of new Set([...runtime, ...tools])) {
    const target = join(modules, path.slice(top.length));
    await mkdir(dirname(target), { recursive: true });
    if (!existsSync(target)) await symlink(path, target, 'dir');
  }
  await writeFile(join(dir, 'project', 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, type: 'module', dependencies: { hlsify: '0.1.0' } }));
}

beforeAll(async () => {
  server = await startS3Server();
});

afterAll(async () => {
  await server?.close();
});

describe('the packed package', () => {
  beforeAll(async () => {
    const dir = await import('node:fs/promises').then(({ mkdtemp }) => mkdtemp(join(process.env.TMPDIR ?? '/tmp', 'hlsify-test-package-')));
    await installPackedPackage(dir);
    project = join(dir, 'project');
    await writeFile(join(project, 'example.mjs'), await readmeExample());
  });

  afterAll(async () => {
    if (project) await import('node:fs/promises').then(({ rm }) => rm(dirname(project), { recursive: true, force: true }));
  });

  it('ships only the built code and declares its entry point and types', async () => {
    const pkg = JSON.parse(await readFile(join(project, 'node_modules', 'hlsify', 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(pkg.exports).toMatchObject({ '.': { types: './dist/index.d.ts', import: './dist/index.js' } });
    expect(pkg.types).toBe('./dist/index.d.ts');
    const shipped = await readdir(join(project, 'node_modules', 'hlsify'));
    expect(shipped.sort()).toEqual(expect.arrayContaining(['bin', 'dist', 'package.json', 'README.md']));
    expect(shipped).not.toContain('src');
    expect(shipped).not.toContain('test');
  });

  it("runs the README's example: transcode with progress events, then upload to S3", async () => {
    const bucket = await server.bucket('library');
    const result = await execa(process.execPath, ['example.mjs', fixture('mjpeg-tiny.avi'), `s3://${bucket}/lib/clip`], {
      cwd: project,
      reject: false,
      env: { ...S3_TEST_ENV, AWS_ENDPOINT_URL_S3: server.endpoint },
      timeout: 120_000,
    });

    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^encoding \d+% at [\d.]+x$/m);
    expect(result.stdout).toContain(join(project, 'clip-hls', 'master.m3u8'));
    expect(result.stdout).toMatch(/^uploaded \d+ files, 0 already there: s3:\/\/.*\/lib\/clip\/master\.m3u8$/m);
    const keys = (await server.list(bucket)).map((o) => o.key);
    expect(keys).toContain('lib/clip/master.m3u8');
    expect(keys.length).toBeGreaterThanOrEqual(3);
    expect(result.stderr).not.toMatch(/NodeVersionSupportWarning|ExperimentalWarning/);

    // The ladder the example wrote, checked through the package's verifyLadder.
    const check = `const { verifyLadder } = await import('hlsify'); const r = await verifyLadder(process.argv[1], { quick: true }); console.log(JSON.stringify(r.summary));`;
    const verified = await execa(process.execPath, ['--input-type=module', '-e', check, join(project, 'clip-hls')], { cwd: project, reject: false, timeout: 120_000 });
    expect(verified.exitCode, verified.stderr).toBe(0);
    expect(JSON.parse(verified.stdout)).toMatchObject({ ok: true, fail: 0 });
  });

  it("stops through the example's AbortSignal on Ctrl-C: exit 1 saying so, nothing published, no temp dir left", async () => {
    const tmp = await tempDir('package-abort');
    const child = execa(process.execPath, ['example.mjs', fixture('landscape-720p30.mp4')], { cwd: join(project), reject: false, env: { TMPDIR: tmp, HOME: tmp }, timeout: 120_000 });
    let sent = false;
    child.stdout!.on('data', (chunk: Buffer) => {
      if (!sent && String(chunk).includes('encoding')) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    const result = await child;

    expect(sent, result.stdout).toBe(true);
    expect(result.exitCode, result.stderr).toBe(1);
    expect(result.stderr.trim()).toBe('stopped');
    expect(result.stdout).not.toContain('master.m3u8');
    expect(await readdir(tmp)).toEqual([]);
  });

  it('type-checks a TypeScript consumer against the shipped declarations (strict; wrong calls are errors)', async () => {
    await writeFile(
      join(project, 'consumer.ts'),
      `import { transcode, uploadLadder, verifyLadder, probeInput, planLadder, InputError, type PipelineEvent, type TranscodeResult, type UploadResult, type VerifyReport } from 'hlsify';

const onEvent = (event: PipelineEvent): void => {
  if (event.type === 'encode-progress') console.log(event.fraction.toFixed(2), event.speed);
  if (event.type === 'upload-progress') console.log(event.bytesDone / event.bytesTotal);
};

export async function run(input: string, signal: AbortSignal): Promise<UploadResult | undefined> {
  const media = await probeInput(input, { signal });
  const plan = planLadder(media, { ladder: [720, { size: 360, bitrate: 800_000 }], segmentType: 'fmp4' });
  console.log(plan.renditions.map((r) => r.name));
  let result: TranscodeResult;
  try {
    result = await transcode({ input, outputDir: 'out', plan: { ladder: [720] }, signal, onEvent });
  } catch (error) {
    if (error instanceof InputError) return undefined;
    throw error;
  }
  const report: VerifyReport = await verifyLadder(result.outputDir, { quick: true, signal });
  if (!report.summary.ok) console.log(report.rules.filter((r) => r.status === 'FAIL').map((r) => r.id));
  // @ts-expect-error quick is a boolean
  void verifyLadder(result.outputDir, { quick: 'yes' });
  // @ts-expect-error the destination is required
  void uploadLadder({ dir: result.outputDir });
  // @ts-expect-error segmentType is 'ts' or 'fmp4'
  planLadder(media, { segmentType: 'mkv' });
  return uploadLadder({ dir: result.outputDir, destination: 's3://bucket/prefix', concurrency: 4, signal, onEvent });
}
`,
    );
    await writeFile(
      join(project, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: true, types: ['node'] }, files: ['consumer.ts'] }),
    );
    const result = await execa(process.execPath, [join(project, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(project, 'tsconfig.json')], { cwd: project, reject: false });

    expect(result.exitCode, `${result.stdout}\n${result.stderr}`).toBe(0);
  });
});
