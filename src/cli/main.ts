/**
 * The CLI: declares commands, runs one, and maps any error to a one-line message and an exit code
 * (0 success, 1 failure, 2 usage or configuration, 130 interrupted). Returns the exit code; only bin/ exits.
 */
import { Command, CommanderError } from 'commander';
import chalk from 'chalk';
import { toHlsifyError, type HlsifyError } from '../errors.js';
import { LadderCheckError } from '../core/verify/ladder-check-error.js';
import { registerTranscode } from './commands/transcode.js';
import { registerUpload } from './commands/upload.js';
import { registerConsume } from './commands/consume.js';
import { registerCleanup } from './commands/cleanup.js';
import { registerBench } from './commands/bench.js';
import { registerPreview } from './commands/preview.js';
import { registerSubmit } from './commands/submit.js';
import { registerVerify } from './commands/verify.js';
import { createRunContext, type RunContext } from './run-context.js';
import { applyColorPreference } from './color.js';
import { applyHelpConventions } from './help.js';
import { terminalSafe } from './render/format.js';

const VERSION = '0.1.0';

function report(error: HlsifyError, ctx: RunContext, options: { json: boolean; verbose: boolean }): void {
  if (options.json) {
    // A ladder that fails its checks keeps the report in the JSON (hlsify transcode --json).
    const verify = error instanceof LadderCheckError ? { verify: error.report } : {};
    ctx.stdout.write(`${JSON.stringify({ ok: false, error: { kind: error.kind, message: error.message }, ...verify })}\n`);
  }
  // One line, whatever the message quotes (a URL, a file name, a server's words): --json keeps it raw.
  ctx.stderr.write(`${chalk.red('hlsify: error:')} ${terminalSafe(error.message)}\n`);
  if (options.verbose && error.details) ctx.stderr.write(`${chalk.dim(terminalSafe(error.details, true))}\n`);
  else if (error.kind === 'internal') ctx.stderr.write(chalk.dim('(this is a bug in hlsify; run again with --verbose for details)\n'));
}

export async function main(argv: readonly string[]): Promise<number> {
  let exitCode = 0;
  applyColorPreference(argv);
  const program = new Command('hlsify')
    .description('Turn a video into an adaptive-bitrate HLS ladder, fast and correctly.')
    .version(VERSION)
    .option('--no-color', 'no colours in the output (also: env NO_COLOR; FORCE_COLOR=1 forces them)')
    .exitOverride()
    .showHelpAfterError('(run hlsify --help for usage)')
    .configureOutput({ outputError: (text, write) => write(`${chalk.red('hlsify: error:')} ${text.replace(/^error: /, '')}`) });

  const run = async (action: (ctx: RunContext) => Promise<void>) => {
    const ctx = createRunContext();
    try {
      await action(ctx);
      if (ctx.exitCode !== undefined) exitCode = ctx.exitCode;
    } catch (thrown) {
      const error = toHlsifyError(thrown);
      const flags = program.commands.find((c) => c.name() === program.args[0])?.opts() ?? {};
      report(error, ctx, { json: flags.json === true, verbose: flags.verbose === true });
      exitCode = error.exitCode;
    } finally {
      ctx.dispose();
    }
  };

  registerTranscode(program, run);
  registerUpload(program, run);
  registerConsume(program, run);
  registerCleanup(program, run);
  registerBench(program, run);
  registerPreview(program, run);
  registerSubmit(program, run);
  registerVerify(program, run);
  applyHelpConventions(program);

  try {
    await program.parseAsync([...argv], { from: 'node' });
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here with exit code 0; unknown flags and missing arguments with 2
      // (commander has already printed the message on stderr).
      if (error.exitCode === 0) return 0;
      if (argv.includes('--json')) {
        process.stdout.write(`${JSON.stringify({ ok: false, error: { kind: 'usage', message: error.message.replace(/^error: /, '') } })}\n`);
      }
      return 2;
    }
    throw error;
  }
  return exitCode;
}
