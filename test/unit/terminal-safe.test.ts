import { describe, expect, it } from 'vitest';
import { terminalSafe } from '../../src/cli/render/format.js';

describe('terminalSafe', () => {
  it('escapes what could run a terminal sequence or fake a line, keeps the rest', () => {
    expect(terminalSafe('input /tmp/\u001b[2Jx\r✔ ok\u202e.mp4: no such file')).toBe('input /tmp/\\x1b[2Jx\\x0d✔ ok\\u202e.mp4: no such file');
    expect(terminalSafe('a\nb')).toBe('a\\x0ab');
    expect(terminalSafe('a\nb\u0007', true)).toBe('a\nb\\x07');
    expect(terminalSafe('C:\\videos\\ünï.mp4')).toBe('C:\\videos\\ünï.mp4');
  });
});
