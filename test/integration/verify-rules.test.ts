/**
 * `verify` on hand-broken copies of one good ladder: each break changes exactly the rule it breaks
 * (compared with the unbroken ladder's report), with evidence naming the rendition or segment.
 */
import { mkdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { averageBandwidth, peakBandwidth } from '../../src/core/playlist/bandwidth.js';
import type { VerifyReport } from '../../src/core/verify/report.js';
import { changedRules, copyLadder, edit, evidence, ffmpeg, makeSource, scratch, transcodeLadder, verify } from './verify-support.js';
import { avcCodecFromAnnexB } from '../../src/core/playlist/codecs.js';

let dir: string;
let remove: () => Promise<void>;
let source: string;
let base: string;
let baseReport: VerifyReport;

beforeAll(async () => {
  ({ dir, remove } = await scratch('rules'));
  source = join(dir, 'source.mp4');
  makeSource(source);
  base = join(dir, 'base');
  await transcodeLadder(source, base);
  baseReport = await verify(base);
});
afterAll(() => remove());

/** Adds a third variant made by ffmpeg's HLS muxer with `args`, declared from its own segments. */
async function addVariant(ladder: string, name: string, args: string[]): Promise<void> {
  const out = join(ladder, name);
  await mkdir(out);
  ffmpeg(['-i', source, '-c:v', 'libx264', '-preset', 'ultrafast', '-b:v', '300k', '-s', '426x240', '-sc_threshold', '0', '-c:a', 'aac', '-b:a', '64k',
    // Timestamps from 0, as hlsify writes them (ffmpeg's TS muxer otherwise starts at 1.4 s).
    '-muxdelay', '0', '-muxpreload', '0',
    ...args, '-f', 'hls', '-hls_playlist_type', 'vod', '-hls_segment_filename', join(out, 's%d.ts'), join(out, 'index.m3u8')], undefined);
  const text = await readFile(join(out, 'index.m3u8'), 'utf8');
  const target = Number(/#EXT-X-TARGETDURATION:(\d+)/.exec(text)![1]);
  const segments = await Promise.all(
    [...text.matchAll(/#EXTINF:([\d.]+),\n(\S+)/g)].map(async (m) => ({ duration: Number(m[1]), bytes: (await stat(join(out, m[2]!))).size })),
  );
  const codec = avcCodecFromAnnexB(await readFile(join(out, 's0.ts')));
  await edit(join(ladder, 'master.m3u8'), (t) =>
    `${t}#EXT-X-STREAM-INF:BANDWIDTH=${peakBandwidth(segments, target)},AVERAGE-BANDWIDTH=${averageBandwidth(segments)},CODECS="${codec},mp4a.40.2",RESOLUTION=426x240,FRAME-RATE=25.000\n${name}/index.m3u8\n`,
  );
}

describe('verify: the good ladder', () => {
  it('passes every rule', () => {
    const notPassing = baseReport.rules.filter((r) => r.status === 'FAIL' || r.status === 'WARN');
    expect(notPassing).toEqual([]);
    // 4 segments and 4 I-frame ranges per rendition.
    expect(baseReport.segments).toEqual({ total: 8, decoded: 8 });
    expect(baseReport.iFrameRanges).toEqual({ total: 8, decoded: 8 });
  });
});

describe('verify: one broken rule at a time', () => {
  it('a missing EXT-X-ENDLIST fails RFC 8216 §4.3.3.4', async () => {
    const copy = await copyLadder(base, dir);
    await edit(join(copy, '240p/index.m3u8'), (t) => t.replace('#EXT-X-ENDLIST\n', ''));
    const report = await verify(copy);
    expect(changedRules(baseReport, report)).toEqual({ 'RFC 8216 §4.3.3.4': 'FAIL' });
    expect(evidence(report, 'RFC 8216 §4.3.3.4')).toContain('240p/index.m3u8: no EXT-X-ENDLIST');
  });

  it('BANDWIDTH 20% low fails 1.27 with measured vs declared', async () => {
    const copy = await copyLadder(base, dir);
    await edit(join(copy, 'master.m3u8'), (t) => t.replace(/BANDWIDTH=(\d+),AVERAGE/, (_, b: string) => `BANDWIDTH=${Math.round(Number(b) * 0.8)},AVERAGE`));
    const report = await verify(copy);
    expect(changedRules(baseReport, report)).toEqual({ '1.27': 'FAIL' });
    expect(evidence(report, '1.27')).toMatch(/360p\/index\.m3u8: measured peak \d+ kb\/s, BANDWIDTH \d+ kb\/s \(25\.0%\)/);
  });

  it('AVERAGE-BANDWIDTH 20% high fails 1.26', async () => {
    const copy = await copyLadder(base, dir);
    await edit(join(copy, 'master.m3u8'), (t) => t.replace(/AVERAGE-BANDWIDTH=(\d+)/, (_, b: string) => `AVERAGE-BANDWIDTH=${Math.round(Number(b) * 1.2)}`));
    const report = await verify(copy);
    expect(changedRules(baseReport, report)).toEqual({ '1.26': 'FAIL' });
  });

  it('no AVERAGE-BANDWIDTH on one variant fails 9.14', async () => {
    const copy = await copyLadder(base, dir);
    await edit(join(copy, 'master.m3u8'), (t) => t.replace(/AVERAGE-BANDWIDTH=\d+,(CODECS="[^"]+",RESOLUTION=426x240)/, '$1'));
    const report = await verify(copy);
    expect(changedRules(baseReport, report)).toEqual({ '9.14': 'FAIL' });
    expect(evidence(report, '9.14')).toBe('240p/index.m3u8: no AVERAGE-BANDWIDTH');
  });

  it('a wrong RESOLUTION fails 9.2', async () => {
    const copy = await copyLadder(base, dir);
    await edit(join(copy, 'master.m3u8'), (t) => t.replace('RESOLUTION=640x360', 'RESOLUTION=640x352'));
    const report = await verify(copy);
    expect(changedRules(baseReport, report)).toEqual({ '9.2': 'FAIL' });
    expect(evidence(report, '9.2')).toBe('360p/index.m3u8: RESOLUTION 640x352, frames are 640x360');
  });

  it('a wrong FRAME-RATE fails 9.15', async () => {
    const copy = await copyLadder(base, dir);
    await edit(join(copy, 'master.m3u8'), (t) => t.replace('FRAME-RATE=25.000', 'FRAME-RATE=30.000'));
    const report = await verify(copy);
    expect(changedRules(baseReport, report)).toEqual({ '9.15': 'FAIL' });
    expect(evidence(report, '9.15')).toContain('FRAME-RATE 30, measured 25.000');
  });

  it('a wrong H.264 level in CODECS fails 9.1', async () => {
    const copy = await copyLadder(base, dir);
    await edit(join(copy, 'master.m3u8'), (t) => t.replace(/CODECS="avc1\.(\w{4})\w\w/, 'CODECS="avc1.$133'));
    const report = await verify(copy);
    expect(changedRules(baseReport, report)).toEqual({ '9.1': 'FAIL' });
    expect(evidence(report, '9.1')).toMatch(/CODECS "avc1\.\w{4}33,mp4a\.40\.2", bitstream avc1\.\w{6},mp4a\.40\.2/);
  });

  it('no EXT-X-PLAYLIST-TYPE fails 8.6', async () => {
    const copy = await copyLadder(base, dir);
    await edit(join(copy, '360p/index.m3u8'), (t) => t.replace('#EXT-X-PLAYLIST-TYPE:VOD\n', ''));
    const report = await verify(copy);
    expect(changedRules(baseReport, report)).toEqual({ '8.6': 'FAIL' });
  });

  it('a 5.5 s EXTINF under TARGETDURATION 5 fails RFC 8216 §4.3.3.1 (and not 7.7: 0.5 s over is allowed)', async () => {
    const copy = await copyLadder(base, dir);
    for (const rung of ['360p', '240p']) await edit(join(copy, `${rung}/index.m3u8`), (t) => t.replace('#EXT-X-TARGETDURATION:2', '#EXT-X-TARGETDURATION:5'));
    // The durations still add up to the media's 8 s, so only the rounding rule breaks.
    const durations = ['5.500000', '0.900000', '0.800000', '0.800000'];
    await edit(join(copy, '240p/index.m3u8'), (t) => t.replace(/#EXTINF:2\.000000,/g, () => `#EXTINF:${durations.shift()},`));
    const report = await verify(copy);
    expect(changedRules(baseReport, report)).toEqual({ 'RFC 8216 §4.3.3.1': 'FAIL' });
    expect(evidence(report, 'RFC 8216 §4.3.3.1')).toBe('240p/index.m3u8: segment 0 (segment_00000.ts) EXTINF 5.5 rounds to 6 > TARGETDURATION 5');
  });

  it('a segment 0.6 s over the target fails 7.7 as well as the rounding rule', async () => {
    const copy = await copyLadder(base, dir);
    const durations = ['2.600000', '1.400000'];
    await edit(join(copy, '240p/index.m3u8'), (t) => t.replace(/#EXTINF:2\.000000,/g, (m) => (durations.length ? `#EXTINF:${durations.shift()},` : m)));
    const report = await verify(copy);
    expect(changedRules(baseReport, report)).toEqual({ 'RFC 8216 §4.3.3.1': 'FAIL', '7.7': 'FAIL' });
  });

  it('TARGETDURATIONs that differ between media playlists fail 8.2', async () => {
    const copy = await copyLadder(base, dir);
    await edit(join(copy, '240p/index.m3u8'), (t) => t.replace('#EXT-X-TARGETDURATION:2', '#EXT-X-TARGETDURATION:3'));
    const report = await verify(copy);
    expect(changedRules(baseReport, report)).toEqual({ '8.2': 'FAIL' });
  });

  it('EXTINFs that do not add up to the media fail 8.1', async () => {
    const copy = await copyLadder(base, dir);
    await edit(join(copy, '360p/index.m3u8'), (t) => t.replace('#EXTINF:2.000000,', '#EXTINF:1.800000,'));
    const report = await verify(copy);
    expect(changedRules(baseReport, report)).toEqual({ '8.1': 'FAIL' });
    expect(evidence(report, '8.1')).toMatch(/360p\/index\.m3u8: EXTINF sum 7\.800 s, media 8\.000 s/);
  });

  it('a decimal EXTINF under EXT-X-VERSION 2 fails RFC 8216 §7', async () => {
    const copy = await copyLadder(base, dir);
    await edit(join(copy, '240p/index.m3u8'), (t) => t.replace('#EXT-X-VERSION:6', '#EXT-X-VERSION:2'));
    const report = await verify(copy);
    expect(changedRules(baseReport, report)).toEqual({ 'RFC 8216 §7': 'FAIL' });
    expect(evidence(report, 'RFC 8216 §7')).toBe('240p/index.m3u8: decimal EXTINF durations needs EXT-X-VERSION 3, declared 2');
  });

  it('an attribute of the wrong type fails RFC 8216 §4', async () => {
    const copy = await copyLadder(base, dir);
    await edit(join(copy, 'master.m3u8'), (t) => t.replace(/(FRAME-RATE=25.000[^\n]*)\n240p/, '$1,HDCP-LEVEL="NONE"\n240p'));
    const report = await verify(copy);
    expect(changedRules(baseReport, report)).toEqual({ 'RFC 8216 §4': 'FAIL' });
    expect(evidence(report, 'RFC 8216 §4')).toMatch(/master: line \d+: EXT-X-STREAM-INF: HDCP-LEVEL: "NONE" is not an enumerated-string/);
  });

  for (const [what, uri] of [
    ['a ../ escape', '../../../../etc/passwd'],
    ['an absolute path', '/etc/passwd'],
    ['a file: URL', 'file:///etc/passwd'],
    ['an http URL', 'http://127.0.0.1:9/segment.ts'],
  ] as const) {
    it(`a segment URI with ${what} is refused and fails RFC 8216 §4.1`, async () => {
      const copy = await copyLadder(base, dir);
      await edit(join(copy, '240p/index.m3u8'), (t) => t.replace('segment_00002.ts', uri));
      const report = await verify(copy);
      expect(report.rules.find((r) => r.id === 'RFC 8216 §4.1')!.status).toBe('FAIL');
      expect(evidence(report, 'RFC 8216 §4.1')).toContain(uri);
      expect(report.summary.failedMust).toEqual(['RFC 8216 §4.1']);
    });
  }

  it('a symlink out of the ladder is refused', async () => {
    const copy = await copyLadder(base, dir);
    await writeFile(join(dir, 'outside.ts'), 'secret');
    await symlink(join(dir, 'outside.ts'), join(copy, '240p', 'link.ts'));
    await edit(join(copy, '240p/index.m3u8'), (t) => t.replace('segment_00002.ts', 'link.ts'));
    const report = await verify(copy);
    expect(evidence(report, 'RFC 8216 §4.1')).toContain('240p/link.ts: a symlink out of the ladder directory');
  });

  it('a segment that does not start with a keyframe fails 7.4 (and, having no SPS before its first frame, decoding)', async () => {
    const copy = await copyLadder(base, dir);
    // Keyframes at 0, 1, 3, 5, 7 s; segments cut at 2, 4, 6 s whatever the frame.
    await addVariant(copy, 'cut', ['-force_key_frames', 'expr:eq(n,0)+gte(t,1+n_forced*2-2)', '-hls_time', '2', '-hls_flags', 'split_by_time']);
    const report = await verify(copy);
    // 9.11 no longer applies: not every segment starts with an IDR any more.
    expect(changedRules(baseReport, report)).toEqual({ '7.4': 'FAIL', 'RFC 8216 §3': 'FAIL', '9.11': 'N/A' });
    expect(evidence(report, '7.4')).toMatch(/^cut\/s1\.ts: first frame is not a keyframe/);
  });

  it('misaligned segment boundaries warn 8.22', async () => {
    const copy = await copyLadder(base, dir);
    // Keyframes at 0, 1.6, 3.6, 5.6 s: segments of 1.6, 2, 2, 2, 0.4 s.
    await addVariant(copy, 'shifted', ['-force_key_frames', 'expr:eq(n,0)+gte(t,1.6+(n_forced-1)*2)', '-hls_time', '1.5']);
    const report = await verify(copy);
    expect(changedRules(baseReport, report)).toEqual({ '8.22': 'WARN' });
    expect(evidence(report, '8.22')).toContain('shifted/index.m3u8: 5 segments, 360p/index.m3u8: 4');
  });
});
