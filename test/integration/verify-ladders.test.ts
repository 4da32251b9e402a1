/**
 * `verify` on whole ladders: hlsify's own (TS and fMP4), ones with I-frame playlists, audio and subtitle
 * renditions, and the ladder ffmpeg's own HLS muxer writes with its master playlist.
 */
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VerifyReport } from '../../src/core/verify/report.js';
import { changedRules, copyLadder, edit, evidence, ffmpeg, makeSource, scratch, statuses, transcodeLadder, verify } from './verify-support.js';

let dir: string;
let remove: () => Promise<void>;
let source: string;
let ts: string;
let withIFrames: string;
let iFrameReport: VerifyReport;

beforeAll(async () => {
  ({ dir, remove } = await scratch('ladders'));
  source = join(dir, 'source.mp4');
  makeSource(source);
  ts = join(dir, 'ts');
  await transcodeLadder(source, ts);
  await transcodeLadder(source, join(dir, 'fmp4'), ['--segment-type', 'fmp4']);
  withIFrames = ts;
  iFrameReport = await verify(withIFrames);
});
afterAll(() => remove());

const mustFailures = (report: VerifyReport) => report.rules.filter((r) => r.level === 'MUST' && r.status === 'FAIL').map((r) => `${r.id}: ${r.evidence.join('; ')}`);

describe("verify: hlsify's own ladders", () => {
  it('a TS ladder holds every MUST', async () => {
    expect(mustFailures(await verify(ts))).toEqual([]);
  });

  it('an fMP4 ladder holds every MUST', async () => {
    const report = await verify(join(dir, 'fmp4'));
    expect(mustFailures(report)).toEqual([]);
    expect(statuses(report)['8.20']).toBe('PASS');
  });
});

describe('verify: I-frame playlists', () => {
  it("hlsify's TS I-frame playlists (PAT/PMT + keyframe PES per range) pass every rule", () => {
    expect(report(iFrameReport).notPassing).toEqual([]);
    expect(statuses(iFrameReport)).toMatchObject({ '6.1': 'PASS', '6.8': 'PASS', '9.3/9.4': 'PASS', 'RFC 8216 §4.3.3.6': 'PASS' });
    expect(evidence(iFrameReport, 'RFC 8216 §4.3.3.6')).toBe('8 byte ranges decoded to a keyframe');
  });

  it('a byte range that starts on a P-frame fails RFC 8216 §4.3.3.6', async () => {
    const copy = await copyLadder(withIFrames, dir);
    // Move the second range of 360p onto the next frame: the one after the keyframe.
    await edit(join(copy, '360p/iframes.m3u8'), (t) => {
      const ranges = [...t.matchAll(/#EXT-X-BYTERANGE:(\d+)@(\d+)\nsegment_00001\.ts/g)];
      const [whole, length, offset] = ranges[0]!;
      return t.replace(whole, `#EXT-X-BYTERANGE:${Math.floor(Number(length) / 4)}@${Number(offset) + Number(length)}\nsegment_00001.ts`);
    });
    const report = await verify(copy);
    expect(changedRules(iFrameReport, report)).toEqual({ 'RFC 8216 §4.3.3.6': 'FAIL' });
    expect(evidence(report, 'RFC 8216 §4.3.3.6')).toMatch(/^360p\/segment_00001\.ts@\d+: /);
  });

  it('no EXT-X-I-FRAMES-ONLY fails 6.8; no RESOLUTION on the I-frame variant fails 9.3/9.4', async () => {
    const copy = await copyLadder(withIFrames, dir);
    await edit(join(copy, '240p/iframes.m3u8'), (t) => t.replace('#EXT-X-I-FRAMES-ONLY\n', ''));
    await edit(join(copy, 'master.m3u8'), (t) => t.replace(/RESOLUTION=426x240,(VIDEO-RANGE=SDR,)?URI="240p\/iframes/, '$1URI="240p/iframes'));
    const report = await verify(copy);
    expect(changedRules(iFrameReport, report)).toEqual({ '6.8': 'FAIL', '9.3/9.4': 'FAIL' });
    expect(evidence(report, '9.3/9.4')).toBe('240p/iframes.m3u8: no RESOLUTION');
  });

  it('the CLI exits 0 when every MUST holds, and prints one line per rule and a summary', async () => {
    const { hlsify } = await import('../helpers/cli.js');
    const result = await hlsify(['verify', withIFrames]);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    const lines = String(result.stdout).trim().split('\n');
    expect(lines.at(-1)).toMatch(/^✔ every MUST holds \(\d+ pass, 0 fail, 0 warn, \d+ n\/a; 8 segments \(8 decoded\), 8 I-frame ranges \(8 decoded\)\)$/);
    expect(lines).toContainEqual(expect.stringMatching(/^PASS 1\.27 +MUST +measured peak/));
  });
});

describe('verify: fMP4 specifics, GOP length, quick mode', () => {
  it('fMP4 without EXT-X-MAP fails 8.20; EXT-X-MAP under version 5 fails RFC 8216 §7', async () => {
    const fmp4 = join(dir, 'fmp4');
    const noMap = await copyLadder(fmp4, dir);
    await edit(join(noMap, '240p/index.m3u8'), (t) => t.replace('#EXT-X-MAP:URI="init.mp4"\n', ''));
    const report = await verify(noMap);
    expect(statuses(report)['8.20']).toBe('FAIL');
    expect(evidence(report, '8.20')).toBe('240p/index.m3u8: fragmented MP4 segments without EXT-X-MAP');

    const oldVersion = await copyLadder(fmp4, dir);
    await edit(join(oldVersion, '360p/index.m3u8'), (t) => t.replace('#EXT-X-VERSION:7', '#EXT-X-VERSION:5'));
    const before = await verify(fmp4);
    expect(changedRules(before, await verify(oldVersion))).toEqual({ 'RFC 8216 §7': 'FAIL' });
  });

  it('fMP4 I-frame ranges without their moof fail 6.10', async () => {
    const fmp4 = join(dir, 'fmp4');
    const copy = await copyLadder(fmp4, dir);
    // Start each range at the mdat instead of the moof before it.
    await edit(join(copy, '360p/iframes.m3u8'), (t) => t.replace(/#EXT-X-BYTERANGE:(\d+)@(\d+)\nsegment_00002/, (_, length: string, offset: string) => {
      const data = readFileSync(join(copy, '360p/segment_00002.m4s'));
      const moofSize = data.readUInt32BE(Number(offset));
      return `#EXT-X-BYTERANGE:${Number(length) - moofSize}@${Number(offset) + moofSize}\nsegment_00002`;
    }));
    const report = await verify(copy, { quick: true });
    expect(statuses(report)['6.10']).toBe('FAIL');
    expect(evidence(report, '6.10')).toMatch(/^360p\/segment_00002\.m4s@\d+: the range holds mdat, no moof$/);
  });

  it('4 s between IDR frames warns 1.13 (a SHOULD: the MUSTs still hold)', async () => {
    const long = join(dir, 'gop4');
    await transcodeLadder(source, long, ['--segment-duration', '4', '--keyframe-interval', '4']);
    const report = await verify(long, { quick: true });
    expect(statuses(report)['1.13']).toBe('WARN');
    expect(evidence(report, '1.13')).toContain('360p/index.m3u8: keyframes at most 4.00 s apart');
    expect(mustFailures(report)).toEqual([]);
  });

  it('--quick decodes first, middle and last segments only', async () => {
    const report = await verify(withIFrames, { quick: true });
    // 4 segments per rendition: indexes 0, 2, 3 decoded; 3 of 4 I-frame ranges too.
    expect(report.segments).toEqual({ total: 8, decoded: 6 });
    expect(report.iFrameRanges).toEqual({ total: 8, decoded: 6 });
    expect(report.summary.ok).toBe(true);
  });
});

describe('verify: audio and subtitle renditions', () => {
  let withRenditions: string;
  let renditionsReport: VerifyReport;
  beforeAll(async () => {
    withRenditions = await copyLadder(withIFrames, dir);
    await mkdir(join(withRenditions, 'audio'));
    ffmpeg(['-i', source, '-vn', '-c:a', 'aac', '-b:a', '128k', '-f', 'hls', '-hls_time', '2', '-hls_playlist_type', 'vod', '-hls_segment_filename', join(withRenditions, 'audio/a%d.ts'), join(withRenditions, 'audio/index.m3u8')]);
    await mkdir(join(withRenditions, 'subs'));
    const playlist = ['#EXTM3U', '#EXT-X-VERSION:3', '#EXT-X-TARGETDURATION:2', '#EXT-X-PLAYLIST-TYPE:VOD'];
    for (let i = 0; i < 4; i++) {
      await writeFile(join(withRenditions, `subs/s${i}.vtt`), `WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:126000,LOCAL:00:00:00.000\n\n00:00:0${i * 2}.000 --> 00:00:0${i * 2 + 1}.500\nline ${i}\n`);
      playlist.push('#EXTINF:2.000000,', `s${i}.vtt`);
    }
    await writeFile(join(withRenditions, 'subs/index.m3u8'), `${[...playlist, '#EXT-X-ENDLIST'].join('\n')}\n`);
    await edit(join(withRenditions, 'master.m3u8'), (t) =>
      t.replace('#EXT-X-INDEPENDENT-SEGMENTS\n', '#EXT-X-INDEPENDENT-SEGMENTS\n#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",NAME="English",LANGUAGE="en",DEFAULT=YES,AUTOSELECT=YES,URI="audio/index.m3u8"\n#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="English",LANGUAGE="en",URI="subs/index.m3u8"\n'),
    );
    renditionsReport = await verify(withRenditions);
  });

  it('renditions declared with LANGUAGE, WebVTT with X-TIMESTAMP-MAP: 8.10 and 5.3 pass, nothing else changes', () => {
    expect(changedRules(iFrameReport, renditionsReport)).toEqual({ '8.10': 'PASS', '5.3': 'PASS' });
  });

  it('a rendition without LANGUAGE fails 8.10', async () => {
    const copy = await copyLadder(withRenditions, dir);
    await edit(join(copy, 'master.m3u8'), (t) => t.replace('NAME="English",LANGUAGE="en",DEFAULT', 'NAME="English",DEFAULT'));
    const report = await verify(copy, { quick: true });
    expect(changedRules(renditionsReport, report)).toEqual({ '8.10': 'FAIL' });
    expect(evidence(report, '8.10')).toBe('AUDIO "English" (GROUP-ID aud): no LANGUAGE');
  });

  it('a WebVTT segment without X-TIMESTAMP-MAP fails 5.3', async () => {
    const copy = await copyLadder(withRenditions, dir);
    await edit(join(copy, 'subs/s2.vtt'), (t) => t.replace(/X-TIMESTAMP-MAP=.*\n/, ''));
    const report = await verify(copy, { quick: true });
    expect(changedRules(renditionsReport, report)).toEqual({ '5.3': 'FAIL' });
    expect(evidence(report, '5.3')).toBe('subs/s2.vtt: no X-TIMESTAMP-MAP in the WebVTT header');
  });

  it("a variant whose BANDWIDTH and AVERAGE-BANDWIDTH leave out its audio group fails 1.27 and 1.26", async () => {
    const copy = await copyLadder(withRenditions, dir);
    await edit(join(copy, 'master.m3u8'), (t) => t.replace(/(FRAME-RATE=25\.000[^\n]*)\n240p/, '$1,AUDIO="aud"\n240p'));
    const report = await verify(copy, { quick: true });
    expect(changedRules(renditionsReport, report)).toEqual({ '1.27': 'FAIL', '1.26': 'FAIL' });
    expect(evidence(report, '1.27')).toMatch(/^240p\/index\.m3u8: measured peak \d+ kb\/s \(with audio "English"\), BANDWIDTH/);
  });
});

describe("verify: ffmpeg's own master playlist", () => {
  it('is checked and its known defects are reported', async () => {
    const ladder = join(dir, 'ffmpeg');
    await mkdir(ladder);
    ffmpeg([
      '-i', source, '-filter_complex', '[0:v]split=2[a][b];[b]scale=426:240[b2]', '-map', '[a]', '-map', '[b2]', '-map', '0:a', '-map', '0:a',
      '-c:v', 'libx264', '-preset', 'ultrafast', '-b:v:0', '800k', '-b:v:1', '400k', '-c:a', 'aac', '-b:a', '96k',
      '-g', '50', '-keyint_min', '50', '-sc_threshold', '0',
      '-f', 'hls', '-hls_time', '2', '-hls_playlist_type', 'vod', '-master_pl_name', 'master.m3u8', '-var_stream_map', 'v:0,a:0 v:1,a:1',
      '-hls_segment_filename', 'v%v/seg%03d.ts', 'v%v/index.m3u8',
    ], ladder);
    const report = await verify(ladder);
    expect(report.summary.ok).toBe(false);
    expect(report.summary.failedMust).toEqual(expect.arrayContaining(['9.14', '9.15', '6.1']));
    expect(evidence(report, '9.14')).toBe('v0/index.m3u8: no AVERAGE-BANDWIDTH\nv1/index.m3u8: no AVERAGE-BANDWIDTH');
    expect(evidence(report, '9.15')).toContain('v0/index.m3u8: no FRAME-RATE (measured 25.000)');
    expect(statuses(report)['9.11']).toBe('WARN');
    expect(statuses(report)['1.26']).toBe('N/A');
  });
});

function report(r: VerifyReport) {
  return { notPassing: r.rules.filter((rule) => rule.status === 'FAIL' || rule.status === 'WARN').map((rule) => `${rule.id} ${rule.status}: ${rule.evidence.join('; ')}`) };
}
