/** `hlsify verify <dir | master.m3u8 | URL>`: checks a ladder against RFC 8216 and Apple's HLS rules. */
import type { Command } from 'commander';
import { z } from 'zod';
import { durationSchema, readEnv } from '../../config.js';
import { parseFlags } from '../options.js';
import { verifyReportJson, verifyReportText } from '../render/verify-report.js';
import type { RunContext } from '../run-context.js';

const verifyFlagsSchema = z
  .object({
    json: z.boolean().optional(),
    quick: z.boolean().optional(),
    ffprobe: z.string().min(1).optional(),
    ffmpeg: z.string().min(1).optional(),
    verbose: z.boolean().optional(),
    timeout: durationSchema.optional(),
    requestTimeout: durationSchema.optional(),
  })
  .strict();

export function registerVerify(program: Command, run: (action: (ctx: RunContext) => Promise<void>) => Promise<void>): void {
  program
    .command('verify')
    .description('check an HLS ladder (any encoder) against RFC 8216 and Apple\'s HLS Authoring Specification')
    .argument('<ladder>', 'ladder directory (holding master.m3u8), its master playlist, or an http(s) URL of it')
    .option('--quick', 'decode a few segments per rendition instead of every one')
    .option('--json', 'print the report as JSON on stdout')
    .option('--ffprobe <path>', 'ffprobe binary (env HLSIFY_FFPROBE; default: from PATH)')
    .option('--ffmpeg <path>', 'ffmpeg binary, which decodes the segments (env HLSIFY_FFMPEG; default: from PATH)')
    .option('--timeout <duration>', 'stop the whole run after this long: 600, 90s, 30m, 2h (default: 1h)')
    .option('--request-timeout <duration>', 'longest single HTTP request, headers and body: 10, 30s (default: 30s)')
    .option('-v, --verbose', 'show details on failure')
    .addHelpText(
      'after',
      [
        '',
        'Limits per run (a limit reached fails the check "hlsify limits"): 100 media playlists, 50000 segments,',
        '16 GiB read, playlists of 4 MiB, segments of 256 MiB; an HTTP request past --request-timeout is a slow server.',
        '',
        'Exit status: 0 when every MUST rule holds, 1 when one fails (or the ladder cannot be read), 2 on usage errors.',
      ].join('\n'),
    )
    .action(async (location: string, rawFlags: Record<string, unknown>) => {
      await run(async (ctx) => {
        const flags = parseFlags(verifyFlagsSchema, rawFlags);
        const env = readEnv(ctx.env);
        // Loaded on use: the checks (and the process runner under them) are not needed for --help or another command.
        const { verifyLadder } = await import('../../core/verify/verify-ladder.js');
        const limits = {
          ...(flags.timeout === undefined ? {} : { runTimeoutMs: flags.timeout * 1000 }),
          ...(flags.requestTimeout === undefined ? {} : { requestTimeoutMs: flags.requestTimeout * 1000 }),
        };
        const report = await verifyLadder(location, { ffprobe: flags.ffprobe ?? env.HLSIFY_FFPROBE ?? 'ffprobe', ffmpeg: flags.ffmpeg ?? env.HLSIFY_FFMPEG ?? 'ffmpeg', quick: flags.quick, limits, signal: ctx.signal });
        ctx.stdout.write(flags.json ? `${JSON.stringify(verifyReportJson(report), null, 2)}\n` : `${verifyReportText(report)}\n`);
        ctx.exitCode = report.summary.ok ? 0 : 1;
      });
    });
}
