/**
 * What a CLI user expects from any command: colours that NO_COLOR, FORCE_COLOR and --no-color control
 * (checked on a real pseudo-terminal through util-linux `script`), and a --help that shows defaults one
 * way and ends with examples.
 */
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { BIN, hlsify } from '../helpers/cli.js';
import { linesOf } from './support.js';

const RED = '\u001b[31m';
const ANY_ESCAPE = /\u001b\[/;

/** Runs hlsify on a pseudo-terminal (`script`) with exactly `env` (plus PATH/HOME/TERM); returns what the terminal showed. */
async function onTerminal(args: string[], env: Record<string, string>): Promise<string> {
  const quoted = [process.execPath, BIN, ...args].map((arg) => `'${arg.replace(/'/g, `'\\''`)}'`).join(' ');
  const result = await execa('script', ['-qec', quoted, '/dev/null'], {
    reject: false,
    extendEnv: false,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', TERM: 'xterm-256color', ...env },
    stdin: 'ignore',
  });
  return `${result.stdout}${result.stderr}`;
}

// A usage error: printed at once, with a red "hlsify: error:" where colours are on.
const FAILING = ['cleanup', '--older-than', 'soon'];

describe('colours', () => {
  it('on a terminal the error is red (the baseline the other cases switch off)', async () => {
    const shown = await onTerminal(FAILING, {});
    expect(shown).toContain(`${RED}hlsify: error:`);
  });

  it('NO_COLOR=1 on a terminal: no escape codes at all', async () => {
    const shown = await onTerminal(FAILING, { NO_COLOR: '1' });
    expect(shown).toContain('hlsify: error:');
    expect(shown).not.toMatch(ANY_ESCAPE);
  });

  it('--no-color on a terminal (after the command name too): no escape codes', async () => {
    const shown = await onTerminal([...FAILING, '--no-color'], {});
    expect(shown).toContain('hlsify: error:');
    expect(shown).not.toMatch(ANY_ESCAPE);
  });

  it('FORCE_COLOR=0 on a terminal: no escape codes', async () => {
    expect(await onTerminal(FAILING, { FORCE_COLOR: '0' })).not.toMatch(ANY_ESCAPE);
  });

  it('FORCE_COLOR=1 into a pipe: red; without it a pipe gets plain text', async () => {
    const forced = await hlsify(FAILING, { env: { FORCE_COLOR: '1', NO_COLOR: '' } });
    expect(String(forced.stderr)).toContain(`${RED}hlsify: error:`);
    const plain = await execa(process.execPath, [BIN, ...FAILING], { reject: false, extendEnv: false, env: { PATH: process.env.PATH ?? '' } });
    expect(String(plain.stderr)).toContain('hlsify: error:');
    expect(String(plain.stderr)).not.toMatch(ANY_ESCAPE);
  });
});

describe('error lines', () => {
  it('quote what the user or a server sent without its control characters: one line, no escape sequence run', async () => {
    const result = await execa(process.execPath, [BIN, 'cleanup', '--older-than', 'soon\u001b[2J\nhlsify: all good\u202e'], { reject: false, extendEnv: false, env: { PATH: process.env.PATH ?? '' } });
    expect(result.exitCode).toBe(2);
    const stderr = String(result.stderr);
    expect(stderr).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u202e]/);
    expect(linesOf(stderr)[0]).toMatch(/^hlsify: error: .*soon\\x1b\[2J\\x0ahlsify: all good\\u202e/);
    expect(linesOf(stderr).filter((line) => line.startsWith('hlsify:'))).toHaveLength(1);
  });
});

describe('--help', () => {
  const COMMANDS = ['transcode', 'upload', 'cleanup', 'bench', 'preview', 'consume', 'submit', 'verify'];

  it('lists no command without help examples (a new command adds its own in src/cli/help.ts)', async () => {
    const root = String((await hlsify(['--help'])).stdout);
    const listed = root
      .slice(root.indexOf('Commands:'))
      .split('\n')
      .map((line) => /^ {2}([a-z-]+) /.exec(line)?.[1])
      .filter((name): name is string => name !== undefined && name !== 'help');
    expect(listed).toEqual(expect.arrayContaining(COMMANDS));
    for (const name of listed) expect(String((await hlsify([name, '--help'])).stdout), `${name} --help`).toContain('\nExamples:\n');
  });

  it.each(['', ...COMMANDS])('hlsify %s --help ends with 2-3 examples and shows defaults one way', async (name) => {
    const result = await hlsify(name ? [name, '--help'] : ['--help']);

    expect(result.exitCode).toBe(0);
    const lines = linesOf(String(result.stdout));
    const examples = lines.slice(lines.lastIndexOf('Examples:') + 1);
    expect(lines).toContain('Examples:');
    expect(examples.length).toBeGreaterThanOrEqual(2);
    expect(examples.length).toBeLessThanOrEqual(3);
    for (const line of examples) expect(line).toMatch(/^ {2}\$ hlsify /);
    if (name) expect(examples.some((line) => line.startsWith(`  $ hlsify ${name}`))).toBe(true);

    const text = String(result.stdout).replace(/\s*\n\s*/g, ' ');
    expect(text, 'commander-style quoted default').not.toMatch(/default: "/);
    expect(text, '"(default X)" without a colon').not.toMatch(/\bdefault (?!:)[^ ]*\)/);
    expect(text, 'default before env').not.toMatch(/\(default: [^()]*; env /);
  });

  it('consume --help shows the default broker URL and queue', async () => {
    const text = String((await hlsify(['consume', '--help'])).stdout).replace(/\s*\n\s*/g, ' ');
    expect(text).toContain('default: amqp://guest:guest@127.0.0.1:5672');
    expect(text).toContain('default: hlsify.jobs');
  });
});
