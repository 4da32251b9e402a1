/**
 * Whether the CLI colours its output. In order: `--no-color`; `FORCE_COLOR` (0/false: none, 1/true or
 * empty: basic, 2: 256 colours, 3: truecolor); `NO_COLOR` set and not empty (https://no-color.org);
 * else a terminal on the stream. Applied once, to chalk, before anything is printed.
 */
import chalk, { type ColorSupportLevel } from 'chalk';

export function colorLevel(argv: readonly string[], env: NodeJS.ProcessEnv, isTTY: boolean): ColorSupportLevel {
  // Only flags before a `--` count: after it, `--no-color` would be an argument.
  const end = argv.indexOf('--');
  const flags = end < 0 ? argv : argv.slice(0, end);
  if (flags.includes('--no-color')) return 0;
  const force = env.FORCE_COLOR;
  if (force !== undefined) {
    if (force === '' || force === 'true' || force === '1') return 1;
    if (force === 'false' || force === '0') return 0;
    if (force === '2' || force === '3') return Number(force) as ColorSupportLevel;
  }
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return 0;
  if (!isTTY || env.TERM === 'dumb') return 0;
  return Math.max(1, chalk.level) as ColorSupportLevel;
}

/** Sets chalk's level for this run from the flags, the environment and whether stderr is a terminal. */
export function applyColorPreference(argv: readonly string[], env: NodeJS.ProcessEnv = process.env, isTTY = process.stderr.isTTY === true): void {
  chalk.level = colorLevel(argv, env, isTTY);
}
