/** Finds ffmpeg and ffprobe (flag, then HLSIFY_FFMPEG/HLSIFY_FFPROBE, then PATH) and checks they are usable. */
import { UsageError, abortReason } from '../../errors.js';

export interface Binaries {
  ffmpeg: string;
  ffprobe: string;
  /** e.g. "5.1.9-0+deb12u1" */
  ffmpegVersion: string;
  /**
   * Command that ffmpeg is started through so that it dies with hlsify even when hlsify is SIGKILLed:
   * util-linux `setpriv --pdeathsig KILL --` where available (Linux). ffmpeg ignores SIGPIPE, so a
   * closed progress pipe alone does not stop it. Empty where no such tool exists.
   */
  launcher: string[];
}

export const MIN_FFMPEG_MAJOR = 5;

const INSTALL_HINT = 'install it (Debian/Ubuntu: apt-get install ffmpeg; macOS: brew install ffmpeg) or point --ffmpeg/--ffprobe at it';

/** Parses the major version from `ffmpeg -version`'s first line; git builds ("N-…") count as new. */
export function parseFfmpegVersion(firstLine: string): { version: string; major: number | undefined } {
  const match = /version\s+(\S+)/.exec(firstLine);
  const version = match?.[1] ?? 'unknown';
  const numeric = /^n?(\d+)\.(\d+)/.exec(version);
  return { version, major: numeric ? Number(numeric[1]) : undefined };
}

// execa (a hundred modules) loads on first use: commands that never start ffmpeg (upload, --help) skip it.
const loadExeca = () => import('execa').then((module) => module.execa);

async function versionLine(path: string, name: string, signal?: AbortSignal): Promise<string> {
  const execa = await loadExeca();
  try {
    const result = await execa(path, ['-hide_banner', '-version'], { cancelSignal: signal, timeout: 15_000, stdin: 'ignore' });
    return result.stdout.split('\n')[0] ?? '';
  } catch (error) {
    if (signal?.aborted) throw abortReason(signal);
    const code = (error as { code?: string }).code;
    if (code === 'ENOENT') throw new UsageError(`${name} not found at "${path}": ${INSTALL_HINT}`);
    if (code === 'EACCES') throw new UsageError(`${name} at "${path}" is not executable`);
    throw new UsageError(`${name} at "${path}" does not run (${(error as Error).message.split('\n')[0]}): ${INSTALL_HINT}`, { cause: error });
  }
}

/** Resolves and checks both binaries; every problem is a one-line UsageError. */
export async function findBinaries(
  options: { ffmpeg?: string | undefined; ffprobe?: string | undefined },
  env: { HLSIFY_FFMPEG?: string | undefined; HLSIFY_FFPROBE?: string | undefined },
  signal?: AbortSignal,
): Promise<Binaries> {
  const ffmpeg = options.ffmpeg ?? env.HLSIFY_FFMPEG ?? 'ffmpeg';
  const ffprobe = options.ffprobe ?? env.HLSIFY_FFPROBE ?? 'ffprobe';
  const [ffmpegLine, ffprobeLine] = await Promise.all([versionLine(ffmpeg, 'ffmpeg', signal), versionLine(ffprobe, 'ffprobe', signal)]);
  if (!ffmpegLine.startsWith('ffmpeg version')) throw new UsageError(`"${ffmpeg}" does not look like ffmpeg (it printed "${ffmpegLine.slice(0, 60)}")`);
  if (!ffprobeLine.startsWith('ffprobe version')) throw new UsageError(`"${ffprobe}" does not look like ffprobe (it printed "${ffprobeLine.slice(0, 60)}")`);
  const { version, major } = parseFfmpegVersion(ffmpegLine);
  if (major !== undefined && major < MIN_FFMPEG_MAJOR) {
    throw new UsageError(`ffmpeg ${version} at "${ffmpeg}" is too old: hlsify needs ffmpeg ${MIN_FFMPEG_MAJOR}.0 or newer`);
  }
  const execa = await loadExeca();
  const [encoders, launcher] = await Promise.all([
    execa(ffmpeg, ['-hide_banner', '-encoders'], { cancelSignal: signal, timeout: 15_000, stdin: 'ignore', reject: false }),
    deathSignalLauncher(signal),
  ]);
  if (signal?.aborted) throw abortReason(signal);
  if (encoders.failed) throw new UsageError(`ffmpeg at "${ffmpeg}" could not list its encoders (${(encoders.shortMessage ?? '').split('\n')[0]})`);
  if (!/\blibx264\b/.test(encoders.stdout)) throw new UsageError(`ffmpeg at "${ffmpeg}" was built without libx264, which hlsify needs`);
  return { ffmpeg, ffprobe, ffmpegVersion: version, launcher };
}

/** `setpriv --pdeathsig KILL --` when this machine's setpriv supports it, else []. */
export async function deathSignalLauncher(signal?: AbortSignal): Promise<string[]> {
  const launcher = ['setpriv', '--pdeathsig', 'KILL', '--'];
  const execa = await loadExeca();
  const probe = await execa(launcher[0]!, [...launcher.slice(1), 'true'], { reject: false, timeout: 5_000, stdin: 'ignore', cancelSignal: signal });
  return probe.exitCode === 0 ? launcher : [];
}
