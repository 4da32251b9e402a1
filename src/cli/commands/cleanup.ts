/** `hlsify cleanup`: removes stale hlsify work dirs (never a live one, never anything not hlsify's). */
import { tmpdir } from 'node:os';
import type { Command } from 'commander';
import { z } from 'zod';
import { durationSchema, readEnv } from '../../config.js';
import { cleanupStaleWorkspaces } from '../../core/finish/cleanup.js';
import { formatBytes } from '../../core/finish/disk-space.js';
import { parseFlags } from '../options.js';
import type { RunContext } from '../run-context.js';

const cleanupFlagsSchema = z
  .object({
    tmpDir: z.string().min(1).optional(),
    olderThan: durationSchema.optional(),
    dryRun: z.boolean().optional(),
    json: z.boolean().optional(),
    quiet: z.boolean().optional(),
    verbose: z.boolean().optional(),
  })
  .strict();

export function registerCleanup(program: Command, run: (action: (ctx: RunContext) => Promise<void>) => Promise<void>): void {
  program
    .command('cleanup')
    .description("remove hlsify's stale temp dirs (never one a live hlsify still uses)")
    .option('--tmp-dir <dir>', 'temp root to sweep (env HLSIFY_TMP_DIR; default: the OS temp dir)')
    .option('--older-than <duration>', 'only dirs older than this (env TEMP_FILE_RETENTION; default 1h)')
    .option('--dry-run', 'list what would be removed')
    .option('--json', 'print a JSON summary on stdout')
    .option('-q, --quiet', 'print nothing but errors')
    .option('-v, --verbose', 'show details on failure')
    .action(async (rawFlags: Record<string, unknown>) => {
      await run(async (ctx) => {
        const flags = parseFlags(cleanupFlagsSchema, rawFlags);
        const env = readEnv(ctx.env);
        const root = flags.tmpDir ?? env.HLSIFY_TMP_DIR ?? tmpdir();
        const olderThan = flags.olderThan ?? env.TEMP_FILE_RETENTION ?? 3600;
        const outcomes = await cleanupStaleWorkspaces({ root, olderThanMs: olderThan * 1000, dryRun: flags.dryRun });
        const removed = outcomes.filter((o) => o.action !== 'kept');
        const bytes = removed.reduce((sum, o) => sum + o.bytes, 0);
        if (flags.json) {
          ctx.stdout.write(`${JSON.stringify({ ok: true, root, dryRun: flags.dryRun ?? false, olderThanSeconds: olderThan, removed: removed.length, bytesFreed: flags.dryRun ? 0 : bytes, outcomes }, null, 2)}\n`);
        } else if (!flags.quiet) {
          for (const o of outcomes) ctx.stdout.write(`${o.action.padEnd(12)} ${o.dir} (${o.reason}${o.detail ? `: ${o.detail}` : ''}, ${formatBytes(o.bytes)})\n`);
          ctx.stdout.write(
            flags.dryRun
              ? `dry run: ${removed.length} stale dir(s) in ${root} would free ${formatBytes(bytes)}\n`
              : `removed ${removed.length} stale dir(s) from ${root}, freed ${formatBytes(bytes)}\n`,
          );
        }
      });
    });
}
