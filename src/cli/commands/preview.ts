/** `hlsify preview <dir | master.m3u8>`: serves the ladder with an hls.js player page until Ctrl-C. */
import type { Command } from 'commander';
import { z } from 'zod';
import { wholeNumberSchema } from '../../config.js';
import { locateLadder } from '../../preview/locate-ladder.js';
import { openBrowser } from '../../preview/open-browser.js';
import { DEFAULT_PREVIEW_HOST, DEFAULT_PREVIEW_PORT, isLoopbackHost, startPreviewServer } from '../../preview/preview-server.js';
import { parseFlags } from '../options.js';
import type { RunContext } from '../run-context.js';

const previewFlagsSchema = z
  .object({
    port: wholeNumberSchema(0, 65535).optional(),
    host: z.string().min(1).optional(),
    open: z.boolean().optional(),
    verbose: z.boolean().optional(),
  })
  .strict();

export interface PreviewOptions {
  host: string;
  port: number;
  /** The port was not chosen by the user: take a free one when it is taken. */
  fallbackToFreePort: boolean;
  open: boolean;
  verbose: boolean;
}

export const DEFAULT_PREVIEW_OPTIONS: PreviewOptions = { host: DEFAULT_PREVIEW_HOST, port: DEFAULT_PREVIEW_PORT, fallbackToFreePort: true, open: false, verbose: false };

/**
 * Serves the ladder at `input` and prints its URL on `out`; returns once the run is interrupted
 * (SIGINT/SIGTERM), with the server closed. Shared by `preview` and `transcode --preview`.
 */
export async function servePreview(input: string, options: PreviewOptions, ctx: RunContext, out: NodeJS.WritableStream = ctx.stdout): Promise<void> {
  const ladder = await locateLadder(input);
  const server = await startPreviewServer({
    ladder,
    host: options.host,
    port: options.port,
    fallbackToFreePort: options.fallbackToFreePort,
    onRequest: options.verbose ? (r) => ctx.stderr.write(`${r.status} ${r.method} ${r.path}\n`) : undefined,
  });
  try {
    if (options.port !== 0 && server.port !== options.port) ctx.stderr.write(`port ${options.port} is in use: serving on port ${server.port} instead\n`);
    out.write(`Preview of ${ladder.root}: ${server.url}\n`);
    if (!isLoopbackHost(options.host)) ctx.stderr.write(`warning: listening on ${options.host}: anyone who can reach this machine can watch the ladder\n`);
    if (options.open) {
      const opened = await openBrowser(server.url, ctx.env);
      if (opened.status === 'no-opener') ctx.stderr.write(`no browser opener (${opened.looked}) on this machine: open the URL yourself\n`);
      else if (opened.status === 'failed') ctx.stderr.write(`could not start ${opened.command} (${opened.reason}): open the URL yourself\n`);
    }
    ctx.stderr.write('Press Ctrl-C to stop.\n');
    await new Promise<void>((resolve) => {
      if (ctx.signal.aborted) resolve();
      else ctx.signal.addEventListener('abort', () => resolve(), { once: true });
    });
  } finally {
    await server.close();
  }
}

export function registerPreview(program: Command, run: (action: (ctx: RunContext) => Promise<void>) => Promise<void>): void {
  program
    .command('preview')
    .description('serve a ladder on a local port with an hls.js player page, to watch it and switch renditions')
    .argument('<ladder>', 'ladder directory (holding master.m3u8) or its master playlist')
    .option('--port <port>', `port to listen on, 0 = any free port (default: ${DEFAULT_PREVIEW_PORT}, or a free one when taken)`)
    .option('--host <host>', `address to listen on; anything but loopback exposes the ladder to the network (default: ${DEFAULT_PREVIEW_HOST})`)
    .option('--open', 'open the page in the desktop browser (xdg-open/open) when there is one')
    .option('-v, --verbose', 'log every request on stderr, and details on failure')
    .action(async (input: string, rawFlags: Record<string, unknown>) => {
      await run(async (ctx) => {
        const flags = parseFlags(previewFlagsSchema, rawFlags);
        await servePreview(
          input,
          {
            host: flags.host ?? DEFAULT_PREVIEW_HOST,
            port: flags.port ?? DEFAULT_PREVIEW_PORT,
            fallbackToFreePort: flags.port === undefined,
            open: flags.open ?? false,
            verbose: flags.verbose ?? false,
          },
          ctx,
        );
      });
    });
}
