#!/usr/bin/env node
// The only place that exits: runs the CLI and turns its result into the process exit code.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// The AWS SDK warns on every run that its 2027 releases will need Node 22; hlsify pins the SDK (see README).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const entry = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write('hlsify: error: not built yet: run `npm install` (or `npm run build`) in the hlsify folder first\n');
  process.exit(2);
}
const { main } = await import(entry.href);
try {
  process.exit(await main(process.argv));
} catch (error) {
  process.stderr.write(`hlsify: error: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
