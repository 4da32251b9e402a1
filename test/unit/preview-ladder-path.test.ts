import { describe, expect, it } from 'vitest';
import { isInside, requestRelativePath } from '../../src/preview/ladder-path.js';
import { isLoopbackHost, previewUrl } from '../../src/preview/preview-server.js';
import { renderPreviewPage } from '../../src/preview/page.js';

describe('requestRelativePath', () => {
  it.each([
    ['/master.m3u8', 'master.m3u8'],
    ['/720p/segment_00000.ts', '720p/segment_00000.ts'],
    ['/my%20ladder/index.m3u8', 'my ladder/index.m3u8'],
    ['/720p/', '720p/'],
  ])('%s → %s', (url, relativePath) => {
    expect(requestRelativePath(url)).toEqual({ ok: true, relativePath });
  });

  it.each([
    ['/../etc/passwd', 'dot segment in path'],
    ['/720p/../../x', 'dot segment in path'],
    ['/%2e%2e/x', 'dot segment in path'],
    ['/%2e%2e%2fx', 'dot segment in path'],
    ['/./master.m3u8', 'dot segment in path'],
    ['//etc/passwd', 'absolute path'],
    ['/%2Fetc%2Fpasswd', 'absolute path'],
    ['/%2F..', 'absolute path'],
    ['/a//b', 'empty segment in path'],
    ['/..%5cx', 'NUL or backslash in path'],
    ['/x%00.ts', 'NUL or backslash in path'],
    ['/%zz', 'malformed percent-encoding'],
    ['master.m3u8', 'not an absolute URL path'],
  ])('refuses %s (%s)', (url, reason) => {
    expect(requestRelativePath(url)).toEqual({ ok: false, reason });
  });
});

describe('isInside', () => {
  it.each([
    ['/srv/ladder', '/srv/ladder', true],
    ['/srv/ladder', '/srv/ladder/720p/a.ts', true],
    ['/srv/ladder', '/srv/ladder/..hidden', true],
    ['/srv/ladder', '/srv/ladder-2/a.ts', false],
    ['/srv/ladder', '/srv', false],
    ['/srv/ladder', '/etc/passwd', false],
  ] as const)('%s contains %s: %s', (root, target, inside) => {
    expect(isInside(root, target)).toBe(inside);
  });
});

describe('isLoopbackHost and previewUrl', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.1.2.3', true],
    ['localhost', true],
    ['[::1]', true],
    ['::1', true],
    ['0.0.0.0', false],
    ['192.168.1.5', false],
    ['attacker.example', false],
    ['127.0.0.1.attacker.example', false],
  ] as const)('%s is loopback: %s', (host, loopback) => {
    expect(isLoopbackHost(host)).toBe(loopback);
  });

  it('gives a URL a local browser can open', () => {
    expect(previewUrl('127.0.0.1', 8080)).toBe('http://127.0.0.1:8080/');
    expect(previewUrl('0.0.0.0', 80)).toBe('http://127.0.0.1:80/');
    expect(previewUrl('::', 9000)).toBe('http://[::1]:9000/');
    expect(previewUrl('::1', 9000)).toBe('http://[::1]:9000/');
  });
});

describe('renderPreviewPage', () => {
  it('escapes the ladder name and keeps the master URL from closing the script', () => {
    const html = renderPreviewPage({ title: '<b>"clip"</b>', masterUrl: 'a</script><script>alert(1)//.m3u8', hlsScriptUrl: '_hlsify/hls.min.js' });
    expect(html).not.toContain('<b>"clip"</b>');
    expect(html).toContain('&#60;b&#62;&#34;clip&#34;&#60;/b&#62;');
    expect(html.match(/<\/script>/g)).toHaveLength(2);
    expect(html).toContain('"a\\u003c/script>\\u003cscript>alert(1)//.m3u8"');
  });

  it('has an inline script that parses (template-literal escapes survive)', () => {
    const html = renderPreviewPage({ title: 'clip-hls', masterUrl: 'master.m3u8', hlsScriptUrl: '_hlsify/hls.min.js' });
    const script = html.split('<script>')[1]!.split('</script>')[0]!;
    expect(() => new Function(script)).not.toThrow();
    expect(script).toContain('/^\\d+p$/');
  });
});
