/**
 * Starts the local S3-protocol server of scripts/s3-server.mjs (s3rver, a devDependency) in its own
 * process, so its work does not share hlsify's event loop. Undefined when it is not installed (a user
 * install without devDependencies) or does not start.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

export interface LocalS3Server {
  endpoint: string;
  bucket: string;
  /** The server's process, to read its CPU time. */
  pid: number | undefined;
  /** Credentials s3rver accepts, for the clients that talk to it. */
  env: NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

const SCRIPT = fileURLToPath(new URL('../../scripts/s3-server.mjs', import.meta.url));

export interface LocalS3ServerOptions {
  /** Parent of the server's storage dir: the bench's locked work dir, so that `hlsify cleanup` finds it. */
  dir: string;
  /** What ffmpeg is started through (`setpriv --pdeathsig KILL --`): the server dies with a SIGKILLed bench too. */
  launcher: readonly string[];
  signal?: AbortSignal | undefined;
}

export async function startLocalS3Server(bucket: string, options: LocalS3ServerOptions): Promise<LocalS3Server | undefined> {
  if (!existsSync(SCRIPT)) return undefined;
  const [command, ...args] = [...options.launcher, process.execPath, SCRIPT, '0', bucket];
  const child = execa(command!, args, {
    stdin: 'ignore',
    stderr: 'pipe',
    reject: false,
    cancelSignal: options.signal,
    forceKillAfterDelay: 3000,
    env: { HLSIFY_S3RVER_DIR: options.dir },
  });
  const endpoint = await new Promise<string | undefined>((resolve) => {
    const timer = setTimeout(() => resolve(undefined), 15_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      const match = /listening (\S+)/.exec(chunk.toString());
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    void child.then(() => {
      clearTimeout(timer);
      resolve(undefined);
    });
  });
  const stop = async () => {
    child.kill('SIGTERM');
    await child;
  };
  if (!endpoint) {
    await stop();
    return undefined;
  }
  return {
    endpoint,
    bucket,
    pid: child.pid,
    env: { ...process.env, AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_REGION: 'us-east-1', AWS_EC2_METADATA_DISABLED: 'true' },
    stop,
  };
}
