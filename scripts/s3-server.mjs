// A local S3-protocol server (s3rver) on loopback for trying uploads and benchmarks:
//   node scripts/s3-server.mjs [PORT] [BUCKET...]   → prints "listening http://127.0.0.1:PORT"
// Credentials: the access key S3RVER (s3rver's default; other keys get 403), e.g.
//   AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER hlsify upload DIR s3://BUCKET/x --endpoint http://127.0.0.1:PORT
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';

const [portArg = '0', ...buckets] = process.argv.slice(2);
// HLSIFY_S3RVER_DIR: the parent of its storage (hlsify bench puts it in its own work dir).
const directory = mkdtempSync(join(process.env.HLSIFY_S3RVER_DIR || tmpdir(), 'hlsify-s3rver-'));
const server = new S3rver({ port: Number(portArg), address: '127.0.0.1', silent: true, directory, configureBuckets: buckets.map((name) => ({ name })) });
const { port } = await server.run();
console.log(`listening http://127.0.0.1:${port}`);
if (process.stderr.isTTY) console.error('credentials: AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER');
const stop = async () => {
  await server.close();
  rmSync(directory, { recursive: true, force: true });
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
