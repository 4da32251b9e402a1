import { describe, expect, it } from 'vitest';
import { colorLevel } from '../../src/cli/color.js';

describe('colorLevel', () => {
  const tty = true;
  it.each([
    ['a terminal, nothing set', [], {}, tty, 1],
    ['not a terminal', [], {}, false, 0],
    ['NO_COLOR=1 on a terminal', [], { NO_COLOR: '1' }, tty, 0],
    ['NO_COLOR set but empty (ignored, as no-color.org says)', [], { NO_COLOR: '' }, tty, 1],
    ['--no-color on a terminal', ['node', 'hlsify', 'upload', '--no-color'], {}, tty, 0],
    ['--no-color after -- is an argument, not the flag', ['node', 'hlsify', '--', '--no-color'], {}, tty, 1],
    ['FORCE_COLOR=1 into a pipe', [], { FORCE_COLOR: '1' }, false, 1],
    ['FORCE_COLOR=3 into a pipe', [], { FORCE_COLOR: '3' }, false, 3],
    ['FORCE_COLOR=0 on a terminal', [], { FORCE_COLOR: '0' }, tty, 0],
    ['FORCE_COLOR=1 wins over NO_COLOR', [], { FORCE_COLOR: '1', NO_COLOR: '1' }, false, 1],
    ['--no-color wins over FORCE_COLOR', ['--no-color'], { FORCE_COLOR: '1' }, tty, 0],
    ['TERM=dumb', [], { TERM: 'dumb' }, tty, 0],
  ] as const)('%s', (_label, argv, env, isTTY, level) => {
    expect(colorLevel(argv, env, isTTY)).toBe(level);
  });
});
