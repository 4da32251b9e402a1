/**
 * Three independent players play the ladders hlsify writes, in Debian's Chromium (playwright-core, no
 * browser download): hls.js, Shaka Player and Video.js (VHS), all bundled from npm and served with the
 * ladders by a loopback server in the test. The source has English and French audio and English (SubRip)
 * and French (ASS, forced) subtitles; for the TS and the fMP4 ladder hlsify makes of it, each player lists
 * the renditions, both audio languages and both subtitle tracks, plays past a segment boundary, switches
 * audio language while playing (the new language's segments load, playback continues), shows a subtitle
 * cue at its time, and plays every rendition forced (its segments are requested and the decoded picture
 * has its size). Ladders of an interlaced, an HDR10 and a variable-frame-rate source play past a segment
 * boundary in each player. A ladder encoded in 4 s chunks (`--chunk-seconds 4`: the TS continuity counters
 * and x264's rate control restart at each join) plays from the start through three joins in each player,
 * at about 1x, with no gap in what is buffered, no stall at a join and no stall or gap reported by the player.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hlsify } from '../helpers/cli.js';
import { fixture } from '../../fixtures/recipes.js';
import { readLadder } from '../helpers/ladder-checks.js';
import { PLAYERS, startPlayerServer, type PlayerServer } from './player-pages.js';

const CHROMIUM = process.env.HLSIFY_TEST_CHROMIUM ?? '/usr/bin/chromium';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
if (!HAVE_CHROMIUM) console.warn(`player tests SKIPPED: no Chromium at ${CHROMIUM} (apt-get install chromium; .ci/run installs it)`);
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic', '--autoplay-policy=no-user-gesture-required'];

const LADDERS = ['ts', 'fmp4'] as const;
/** 2 s segments: playback crosses a segment boundary within seconds. */
const SEGMENT_SECONDS = 2;
/** The first English cue of subtitles.mkv (0.5–1.5 s in the source). */
const FIRST_CUE = { text: 'First cue', at: 1 };
/** Ladders of the sources a camera or a broadcaster gives: one rendition each, 1 s segments (the HDR source is 2 s long). */
const SOURCES = [
  { name: 'interlaced', fixture: 'interlaced-576i25.mp4', ladder: '240' },
  { name: 'hdr10', fixture: 'hdr10-pq.mp4', ladder: '144' },
  { name: 'vfr', fixture: 'vfr-30s.mp4', ladder: '144' },
] as const;
const SOURCE_SEGMENT_SECONDS = 1;
/** The chunked ladder: 2 s segments in 4 s chunks of the 60 s source, joined at about 4, 8 and 12 s. */
const CHUNK = { fixture: 'chunked-60s.mkv', seconds: 4, segmentSeconds: 2, ladder: '240' } as const;
/** Media time past the third join (12.012 s of 2.002 s segments, plus the stream's start offset). */
const PAST_JOINS = 12.5;
const JOINS = [1, 2, 3].map((k) => k * CHUNK.seconds);
/** Wall seconds from play() to PAST_JOINS: 12.5 s at 1x plus start-up, far below a stuck player's. */
const PAST_JOINS_WALL_SECONDS = 40;
/** Media time below which a player's gap hop is its own start-up, not a hole in the ladder. */
const START_SLACK_SECONDS = 0.05;
/** What players report when playback stalls or jumps a gap (hls.js non-fatal error details, Shaka events, VHS usage events). */
const STALL_WARNINGS = ['bufferStalledError', 'bufferSeekOverHole', 'bufferNudgeOnStall', 'stalldetected', 'gapjumped', 'vhs-gap-skip', 'vhs-unknown-waiting', 'vhs-video-underflow'];

interface State {
  ready: boolean;
  levels: { width: number; height: number }[];
  errors: string[];
  time: number;
  paused: boolean;
  width: number;
  height: number;
}

const STATE = `(() => {
  const v = document.querySelector('video');
  const p = window.__player || { ready: false, levels: [], errors: ['no player'] };
  return { ready: p.ready, levels: p.levels, errors: p.errors, time: v.currentTime, paused: v.paused, width: v.videoWidth, height: v.videoHeight };
})()`;
/** window.__media (player-pages.ts): buffered ranges now, the <video> element's 'waiting' events, the player's warnings. */
interface MediaReport {
  buffered: [number, number][];
  waiting: { time: number; at: number; buffered: [number, number][] }[];
  warnings: { what: string; detail?: string; time: number }[];
}
const MEDIA_REPORT = `({ buffered: window.__media.buffered(), waiting: window.__media.waiting, warnings: window.__media.warnings })`;
const PLAY_FROM_START = `(() => { const v = document.querySelector('video'); v.currentTime = 0; return v.play().then(() => true, (e) => String(e)); })()`;

async function waitFor(page: Page, done: (s: State) => boolean, timeoutMs: number): Promise<State> {
  const deadline = Date.now() + timeoutMs;
  let last = (await page.evaluate(STATE)) as State;
  while (!done(last) && last.errors.length === 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 150));
    last = (await page.evaluate(STATE)) as State;
  }
  return last;
}

function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 60_000 });
}

async function transcode(source: string, out: string, args: string[]): Promise<void> {
  const result = await hlsify(['transcode', source, '-o', out, '--preset', 'ultrafast', '--processes', '1', '-q', ...args]);
  if (result.exitCode !== 0) throw new Error(`transcode ${source} → ${out} failed: ${String(result.stderr)}`);
}

/** Rendition directory by language ("en" → "audio-en-stereo") for one EXT-X-MEDIA type of a master. */
function mediaDirs(master: string, type: 'AUDIO' | 'SUBTITLES'): Map<string, string> {
  const dirs = new Map<string, string>();
  for (const line of master.split('\n').filter((l) => l.startsWith(`#EXT-X-MEDIA:TYPE=${type},`))) {
    const language = /LANGUAGE="([^"]+)"/.exec(line)?.[1];
    const uri = /URI="([^"]+)"/.exec(line)?.[1];
    if (language && uri) dirs.set(language.slice(0, 2), uri.split('/')[0]!);
  }
  return dirs;
}

describe.skipIf(!HAVE_CHROMIUM)('three players in Chromium', () => {
  let browser: Browser;
  let work: string;
  let server: PlayerServer;
  /** Per ladder: rendition directory by height, e.g. 240 → "240p". */
  const renditions: Record<string, Map<number, string>> = {};
  /** Per ladder: audio rendition directory by two-letter language. */
  const audio: Record<string, Map<string, string>> = {};

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'hlsify-test-players-'));
    // Two audio languages and two subtitle languages in one 640x360, 6 s source: the video and audio of
    // two-languages.mp4 with the subtitles of subtitles.mkv, stream-copied.
    const source = join(work, 'source.mkv');
    await execa('ffmpeg', ['-hide_banner', '-v', 'error', '-i', fixture('two-languages.mp4'), '-i', fixture('subtitles.mkv'), '-map', '0:v', '-map', '0:a', '-map', '1:s', '-c', 'copy', '-t', '6', source]);
    const dirs: Record<string, string> = {};
    await Promise.all([
      ...LADDERS.map(async (type) => {
        const out = join(work, type);
        await transcode(source, out, ['--ladder', '240,144', '--segment-type', type, '--segment-duration', String(SEGMENT_SECONDS)]);
        dirs[type] = out;
        const { variants } = await readLadder(out);
        renditions[type] = new Map(variants.map((v) => [v.variant.resolution!.height, v.variant.uri.split('/')[0]!]));
        audio[type] = mediaDirs(await readFile(join(out, 'master.m3u8'), 'utf8'), 'AUDIO');
      }),
      ...SOURCES.map(async ({ name, fixture: input, ladder }) => {
        const out = join(work, name);
        await transcode(fixture(input), out, ['--ladder', ladder, '--segment-duration', String(SOURCE_SEGMENT_SECONDS)]);
        dirs[name] = out;
      }),
    ]);
    server = await startPlayerServer(dirs);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('hlsify wrote both ladders with English and French audio and subtitle renditions', async () => {
    for (const ladder of LADDERS) {
      const master = await readFile(join(work, ladder, 'master.m3u8'), 'utf8');
      expect([...mediaDirs(master, 'AUDIO').keys()].sort(), ladder).toEqual(['en', 'fr']);
      expect([...mediaDirs(master, 'SUBTITLES').keys()].sort(), ladder).toEqual(['en', 'fr']);
    }
  });

  describe.each(PLAYERS)('%s', (player) => {
    describe.each(LADDERS)('%s ladder', (ladder) => {
      let page: Page;
      beforeAll(async () => {
        page = await (await browser.newContext()).newPage();
      });
      afterAll(async () => {
        await page?.context().close().catch(() => undefined);
      });

      it('lists both renditions, both audio languages and both subtitle tracks, and plays past a segment boundary', async () => {
        const mark = server.requests.length;
        await page.goto(`${server.url}/play/${player}/${ladder}`);
        const ready = await waitFor(page, (s) => s.ready, 20_000);
        expect(ready.errors).toEqual([]);
        expect(ready.levels.map((l) => `${l.width}x${l.height}`).sort()).toEqual(['256x144', '426x240']);
        const tracks = async () => (await page.evaluate(`({ audio: window.__player.audioTracks(), subtitles: window.__player.subtitleTracks() })`)) as { audio: string[]; subtitles: string[] };
        const deadline = Date.now() + 10_000;
        while ((await tracks()).subtitles.length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 150));
        // Two-letter prefixes: players give languages as the playlist does (en) or in another form (en-US).
        expect((await tracks()).audio.map((l) => l.slice(0, 2)).sort()).toEqual(['en', 'fr']);
        expect((await tracks()).subtitles.map((l) => l.slice(0, 2)).sort()).toEqual(['en', 'fr']);
        expect(await page.evaluate(PLAY_FROM_START)).toBe(true);
        const played = await waitFor(page, (s) => s.time > SEGMENT_SECONDS + 0.5 && !s.paused, 25_000);
        expect(played.errors).toEqual([]);
        expect(played.time).toBeGreaterThan(SEGMENT_SECONDS + 0.5);
        const segments = server.requests.slice(mark).filter((p) => p.startsWith(`/ladders/${ladder}/`) && /\d+p\/segment_\d+\.(ts|m4s)$/.test(p));
        expect(segments.length).toBeGreaterThanOrEqual(2);
      });

      it('switches audio language while playing: the other language loads and playback continues', async () => {
        expect(await page.evaluate(PLAY_FROM_START)).toBe(true);
        await waitFor(page, (s) => s.time > 0.5, 15_000);
        // Switch to the language the player is not playing now (players choose the default or the browser's).
        const playing = String(await page.evaluate('window.__player.currentAudio()')).slice(0, 2);
        const target = playing === 'fr' ? 'en' : 'fr';
        const dir = `/ladders/${ladder}/${audio[ladder]!.get(target)}/segment_`;
        const mark = server.requests.length;
        const startTime = (await waitFor(page, () => true, 0)).time;
        expect(await page.evaluate(`window.__player.selectAudio('${target}')`)).toBe(true);
        const switched = await waitFor(page, (s) => s.time > startTime + SEGMENT_SECONDS && server.requests.slice(mark).some((p) => p.startsWith(dir)), 20_000);
        expect(switched.errors).toEqual([]);
        expect(server.requests.slice(mark).filter((p) => p.startsWith(dir)).length, `${player} ${ladder} from ${playing}: ${JSON.stringify(server.requests.slice(mark))}`).toBeGreaterThan(0);
        expect(String(await page.evaluate('window.__player.currentAudio()')).slice(0, 2)).toBe(target);
        expect(switched.time).toBeGreaterThan(startTime + SEGMENT_SECONDS);
        expect(switched.paused).toBe(false);
      });

      it('shows the English subtitle cue at its time', async () => {
        expect(await page.evaluate(`window.__player.showSubtitles('en')`)).toBe(true);
        await page.evaluate(`document.querySelector('video').currentTime = ${FIRST_CUE.at}`);
        const deadline = Date.now() + 15_000;
        let cue = '';
        while (cue !== FIRST_CUE.text && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 150));
          cue = String(await page.evaluate('window.__player.cue()'));
        }
        const vtt = server.requests.filter((p) => p.startsWith(`/ladders/${ladder}/`) && p.endsWith('.vtt'));
        expect(vtt.length).toBeGreaterThan(0);
        expect(cue, `${player} ${ladder} at ${(await waitFor(page, () => true, 0)).time} s, WebVTT loaded: ${JSON.stringify(vtt)}`).toBe(FIRST_CUE.text);
      });

      it('plays every rendition forced: its segments load and the picture has its size', async () => {
        for (const [height, name] of [...renditions[ladder]!.entries()].sort((a, b) => a[0] - b[0])) {
          const mark = server.requests.length;
          expect(await page.evaluate(`window.__player.force(${height})`)).toBe(true);
          // Video.js debounces its switch by 100 ms: seek after it, so the seek loads the new rendition.
          await new Promise((resolve) => setTimeout(resolve, 500));
          expect(await page.evaluate(PLAY_FROM_START)).toBe(true);
          const state = await waitFor(page, (s) => s.height === height && s.time > SEGMENT_SECONDS + 0.5 && !s.paused, 25_000);
          const label = `${player} ${ladder} forced ${name}`;
          expect(state.errors, label).toEqual([]);
          const loaded = server.requests.slice(mark).filter((p) => p.startsWith(`/ladders/${ladder}/${name}/segment_`));
          expect(loaded.length, `${label}: segments requested ${JSON.stringify(server.requests.slice(mark))}`).toBeGreaterThanOrEqual(1);
          expect(state.height, label).toBe(height);
          expect(state.time, label).toBeGreaterThan(SEGMENT_SECONDS + 0.5);
        }
      });
    });

    describe.each(SOURCES)('$name source', ({ name }) => {
      it('loads and plays past a segment boundary', async () => {
        const page = await (await browser.newContext()).newPage();
        try {
          const mark = server.requests.length;
          await page.goto(`${server.url}/play/${player}/${name}`);
          const ready = await waitFor(page, (s) => s.ready, 20_000);
          expect(ready.errors).toEqual([]);
          expect(ready.levels.length).toBe(1);
          expect(await page.evaluate(PLAY_FROM_START)).toBe(true);
          const played = await waitFor(page, (s) => s.time > SOURCE_SEGMENT_SECONDS + 0.25 && s.height > 0, 25_000);
          expect(played.errors, `${player} ${name}`).toEqual([]);
          expect(played.time).toBeGreaterThan(SOURCE_SEGMENT_SECONDS + 0.25);
          expect(played.height).toBe(ready.levels[0]!.height);
          const segments = server.requests.slice(mark).filter((p) => p.startsWith(`/ladders/${name}/`) && /\d+p\/segment_\d+\.(ts|m4s)$/.test(p));
          expect(segments.length, JSON.stringify(server.requests.slice(mark))).toBeGreaterThanOrEqual(2);
        } finally {
          await page.context().close();
        }
      });
    });
  });
});

describe.skipIf(!HAVE_CHROMIUM)('three players in Chromium, chunked ladder', () => {
  let browser: Browser;
  let work: string;
  let server: PlayerServer;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'hlsify-test-players-chunked-'));
    const out = join(work, 'chunked');
    await transcode(fixture(CHUNK.fixture), out, ['--ladder', CHUNK.ladder, '--segment-duration', String(CHUNK.segmentSeconds), '--chunk-seconds', String(CHUNK.seconds), '--parallel', '2']);
    server = await startPlayerServer({ chunked: out });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it.each(PLAYERS)('%s plays from the start through three chunk joins at 1x, with no gap or stall at a join', async (player) => {
    const page = await (await browser.newContext()).newPage();
    try {
      await page.goto(`${server.url}/play/${player}/chunked`);
      const ready = await waitFor(page, (s) => s.ready, 20_000);
      expect(ready.errors).toEqual([]);
      const started = Date.now();
      expect(await page.evaluate(PLAY_FROM_START)).toBe(true);
      // Waits a little longer than the limit, so a slow player's time is measured, not cut off.
      const played = await waitFor(page, (s) => s.time > PAST_JOINS, (PAST_JOINS_WALL_SECONDS + 5) * 1000);
      const wallSeconds = (Date.now() - started) / 1000;
      const media = (await page.evaluate(MEDIA_REPORT)) as MediaReport;
      const label = `${player}: ${JSON.stringify({ wallSeconds, time: played.time, ...media })}`;
      console.info(`chunked ladder, ${label}`);
      expect(played.errors, label).toEqual([]);
      expect(played.time, label).toBeGreaterThan(PAST_JOINS);
      expect(wallSeconds, label).toBeLessThan(PAST_JOINS_WALL_SECONDS);
      // One buffered range from the start to past the third join: no gap at 4, 8 or 12 s.
      const covering = media.buffered.find(([from, to]) => from <= PAST_JOINS && to >= PAST_JOINS);
      expect(covering, label).toBeDefined();
      expect(covering![0], label).toBeLessThanOrEqual(0.25);
      // No 'waiting' (the player ran out of data) within 1 s of a join, nor a stall or gap the player reports
      // anywhere but at the very start: Shaka places its playhead at 0.001 s and the first frame is buffered from
      // 0.001001 s, a microsecond it sometimes reports as a gap jumped before playing (the unchunked ladder of this
      // source has the same first timestamps).
      const nearJoin = (time: number): boolean => JOINS.some((at) => Math.abs(time - at) <= 1);
      expect(media.waiting.filter((w) => nearJoin(w.time)), label).toEqual([]);
      expect(media.warnings.filter((w) => STALL_WARNINGS.includes(w.what) && w.time > START_SLACK_SECONDS), label).toEqual([]);
    } finally {
      await page.context().close();
    }
  });
});
