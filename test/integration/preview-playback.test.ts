/**
 * Playlists that parse are not playlists that play: real ladders, served by `hlsify preview`, played by
 * hls.js on MSE in Debian's Chromium (driven by playwright-core), through the preview page itself.
 * A second, independent client reads the same served ladder: ffmpeg decoding every stream.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hlsify } from '../helpers/cli.js';
import { fixture } from '../../fixtures/recipes.js';
import { readLadder } from '../helpers/ladder-checks.js';
import { startServing } from './preview-support.js';

const CHROMIUM = process.env.HLSIFY_TEST_CHROMIUM ?? '/usr/bin/chromium';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
if (!HAVE_CHROMIUM) {
  console.warn(`preview playback tests SKIPPED: no Chromium at ${CHROMIUM} (apt-get install chromium; .ci/run installs it)`);
}
/** Screenshots of the page go here when set (to look at the player by eye). */
const SCREENSHOTS = process.env.HLSIFY_TEST_SCREENSHOTS;

// As the machine notes advise: no background connections (the network is loopback only), no sandbox as root.
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

interface Case {
  name: string;
  slug: string;
  fixture: string;
  args: string[];
  /** The renditions' sizes (WxH) the ladder must have. */
  sizes: string[];
  audio: boolean;
  portrait: boolean;
  /** Serve with `transcode --preview` instead of `transcode` then `preview`. */
  viaTranscode: boolean;
}

const CASES: Case[] = [
  { name: 'TS ladder with audio (720p30, 3 renditions), served by transcode --preview', slug: 'ts-audio', fixture: 'landscape-720p30.mp4', args: ['--segment-type', 'ts'], sizes: ['1280x720', '854x480', '640x360'], audio: true, portrait: false, viaTranscode: true },
  { name: 'fMP4 ladder without audio (853x479 at 29.97 fps, 3 renditions)', slug: 'fmp4-silent', fixture: 'odd-2997-yuv444.mp4', args: ['--segment-type', 'fmp4', '--ladder', '480,360,240'], sizes: ['852x478', '640x360', '426x240'], audio: false, portrait: false, viaTranscode: false },
  { name: 'fMP4 ladder with audio muxed into each rendition, from a portrait phone clip (2 renditions)', slug: 'fmp4-portrait', fixture: 'portrait-rotated.mp4', args: ['--segment-type', 'fmp4', '--ladder', '360,240', '--audio', 'muxed'], sizes: ['360x640', '240x426'], audio: true, portrait: true, viaTranscode: false },
  { name: 'TS ladder without audio from a 10-bit 60 fps source (2 renditions)', slug: 'ts-silent', fixture: '10bit-60fps.mkv', args: ['--segment-type', 'ts', '--ladder', '360,240'], sizes: ['640x360', '426x240'], audio: false, portrait: false, viaTranscode: false },
];

/** The page's `window.__hlsify` plus what the <video> element says, as plain data. */
interface Snapshot {
  ready: boolean;
  levels: { index: number; width: number; height: number; bitrate: number; uri: string }[];
  errors: { type: string; details: string; fatal: boolean; url: string; message: string }[];
  fragsLoaded: { level: number; sn: number; type: string }[];
  currentLevel: number;
  autoLevel: boolean;
  video: { currentTime: number; paused: boolean; ended: boolean; width: number; height: number; audioBytes: number | null; frames: number };
  player: { autoLevelEnabled: boolean; manualLevel: number } | null;
  playingText: string;
}

// Strings, not functions: evaluated in the page (whose globals the Node-side types do not know).
const SNAPSHOT = `(() => {
  const v = document.querySelector('video');
  const p = window.__hlsifyPlayer;
  return Object.assign(JSON.parse(JSON.stringify(window.__hlsify)), {
    video: { currentTime: v.currentTime, paused: v.paused, ended: v.ended, width: v.videoWidth, height: v.videoHeight,
      audioBytes: typeof v.webkitAudioDecodedByteCount === 'number' ? v.webkitAudioDecodedByteCount : null,
      frames: v.getVideoPlaybackQuality().totalVideoFrames },
    player: p ? { autoLevelEnabled: p.autoLevelEnabled, manualLevel: p.manualLevel } : null,
    playingText: (document.getElementById('status-playing') || { textContent: '' }).textContent,
  });
})()`;
const PLAY_FROM_START = `(() => { const v = document.querySelector('video'); v.currentTime = 0; return v.play().then(() => true, (e) => String(e)); })()`;

const snapshot = (page: Page) => page.evaluate(SNAPSHOT) as Promise<Snapshot>;

/** Polls the page until `done` holds; returns the last snapshot either way (the assertions say what failed). */
async function waitForState(page: Page, done: (s: Snapshot) => boolean, timeoutMs: number): Promise<Snapshot> {
  const deadline = Date.now() + timeoutMs;
  let last = await snapshot(page);
  while (!done(last) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 150));
    last = await snapshot(page);
  }
  return last;
}

const fatal = (s: Snapshot) => s.errors.filter((e) => e.fatal);
const describeErrors = (s: Snapshot) => `hls.js errors: ${JSON.stringify(s.errors)}`;

/** What the page shows for a bandwidth (same rule as the page). */
const rateText = (bps: number) => (bps >= 1e6 ? `${(bps / 1e6).toFixed(2)} Mb/s` : `${Math.round(bps / 1e3)} kb/s`);

describe.skipIf(!HAVE_CHROMIUM)(`playback in Chromium (${CHROMIUM}) through the preview page`, () => {
  let browser: Browser;

  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 60_000 });
    if (SCREENSHOTS) await mkdir(SCREENSHOTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
  });

  describe.each(CASES)('$name', (testCase) => {
    let serving: Awaited<ReturnType<typeof startServing>>;
    let outputDir: string;
    let expected: { width: number; height: number; bandwidth: number; uri: string }[];
    let page: Page;
    let work: string;

    beforeAll(async () => {
      work = await mkdtemp(join(tmpdir(), `hlsify-test-preview-${testCase.slug}-`));
      outputDir = join(work, 'out');
      const transcodeArgs = ['transcode', fixture(testCase.fixture), '-o', outputDir, '--tmp-dir', join(work, 'tmp'), '--preset', 'ultrafast', '--segment-duration', '2', ...testCase.args];
      if (testCase.viaTranscode) {
        serving = await startServing([...transcodeArgs, '--preview'], { timeoutMs: 150_000 });
      } else {
        const transcoded = await hlsify(transcodeArgs);
        if (transcoded.exitCode !== 0) throw new Error(`transcode failed (${transcoded.exitCode}): ${String(transcoded.stderr)}`);
        serving = await startServing(['preview', outputDir, '--port', '0']);
      }
      const ladder = await readLadder(outputDir);
      expected = ladder.master.variants.filter((v) => !v.isIFrameOnly).map((v) => ({ width: v.resolution!.width, height: v.resolution!.height, bandwidth: v.bandwidth, uri: v.uri }));
      page = await (await browser.newContext({ viewport: { width: 1000, height: 900 } })).newPage();
    });
    afterAll(async () => {
      await page?.context().close().catch(() => undefined);
      serving?.child.kill('SIGKILL');
      await serving?.child;
      if (work) await rm(work, { recursive: true, force: true });
    });

    it('loads the master playlist: every rendition is a level with its height, listed with resolution and bandwidth', async () => {
      await page.goto(serving.url);
      const state = await waitForState(page, (s) => s.ready || fatal(s).length > 0, 20_000);
      expect(fatal(state), describeErrors(state)).toEqual([]);
      expect(expected.map((v) => `${v.width}x${v.height}`).sort(), 'master.m3u8 RESOLUTIONs').toEqual([...testCase.sizes].sort());
      expect(state.levels.map((l) => `${l.width}x${l.height}`).sort(), 'hls.js levels').toEqual([...testCase.sizes].sort());
      if (testCase.portrait) for (const level of state.levels) expect(level.height).toBeGreaterThan(level.width);
      for (const level of state.levels) {
        const variant = expected.find((v) => level.uri === new URL(v.uri, serving.url).href);
        expect(variant, `level ${level.uri} is in master.m3u8`).toBeDefined();
        expect(level.height).toBe(variant!.height);
        expect(level.bitrate).toBe(variant!.bandwidth);
        const row = await page.textContent(`tr[data-level="${level.index}"]`);
        expect(row).toContain(`${level.width}x${level.height}`);
        expect(row).toContain(rateText(variant!.bandwidth));
      }
    });

    it('plays past 3 s with no fatal hls.js error', async () => {
      await page.evaluate(`document.querySelector('video').play().catch(() => {})`);
      const state = await waitForState(page, (s) => s.video.currentTime > 3 || fatal(s).length > 0, 25_000);
      expect(fatal(state), describeErrors(state)).toEqual([]);
      expect(state.video.currentTime).toBeGreaterThan(3);
      expect(state.video.frames).toBeGreaterThan(60);
      expect(state.fragsLoaded.length).toBeGreaterThanOrEqual(2);
      // Sound is decoded when the ladder has it, and nothing pretends to be audio when it has not.
      expect(state.video.audioBytes, 'Chromium reports webkitAudioDecodedByteCount').not.toBeNull();
      if (testCase.audio) expect(state.video.audioBytes).toBeGreaterThan(0);
      else expect(state.video.audioBytes).toBe(0);
      if (SCREENSHOTS) await page.screenshot({ path: join(SCREENSHOTS, `${testCase.slug}-auto.png`) });
    });

    it('forcing each rendition from the page loads its fragments and plays them at its size; Auto goes back', async () => {
      const { levels } = await snapshot(page);
      for (const level of levels) {
        const mark = (await snapshot(page)).fragsLoaded.length;
        await page.click(`button[data-level="${level.index}"]`);
        expect(await page.evaluate(PLAY_FROM_START)).toBe(true);
        const state = await waitForState(
          page,
          (s) =>
            fatal(s).length > 0 ||
            (s.currentLevel === level.index &&
              s.fragsLoaded.slice(mark).some((f) => f.level === level.index) &&
              s.video.height === level.height &&
              s.video.width === level.width &&
              s.video.currentTime > 1 &&
              !s.video.paused),
          20_000,
        );
        const label = `forced level ${level.index} (${level.width}x${level.height}); ${describeErrors(state)}`;
        expect(fatal(state), label).toEqual([]);
        expect(state.player?.manualLevel, label).toBe(level.index);
        expect(state.autoLevel, label).toBe(false);
        expect(state.currentLevel, label).toBe(level.index);
        expect(state.fragsLoaded.slice(mark).filter((f) => f.level === level.index).length, label).toBeGreaterThan(0);
        expect({ width: state.video.width, height: state.video.height }, label).toEqual({ width: level.width, height: level.height });
        expect(state.video.currentTime, label).toBeGreaterThan(1);
        expect(state.playingText, label).toContain(`${level.width}x${level.height}`);
        expect(await page.getAttribute(`button[data-level="${level.index}"]`, 'aria-pressed')).toBe('true');
        expect(await page.getAttribute(`tr[data-level="${level.index}"]`, 'class')).toBe('playing');
        if (SCREENSHOTS && level.index === 0) await page.screenshot({ path: join(SCREENSHOTS, `${testCase.slug}-forced-${level.height}.png`) });
      }
      await page.click('#auto');
      const back = await snapshot(page);
      expect(back.player?.autoLevelEnabled).toBe(true);
      expect(back.autoLevel).toBe(true);
      expect(await page.getAttribute('#auto', 'aria-pressed')).toBe('true');
    });

    it('ffmpeg, a second client, decodes every stream of the served master playlist with no error', async () => {
      const master = `${serving.url}master.m3u8`;
      const decoded = await execa('ffmpeg', ['-hide_banner', '-nostdin', '-v', 'error', '-i', master, '-map', '0', '-f', 'null', '-'], { reject: false });
      expect(decoded.exitCode, String(decoded.stderr)).toBe(0);
      expect(String(decoded.stderr)).toBe('');
      const probed = await execa('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_type,width,height', '-of', 'json', master]);
      const streams = (JSON.parse(probed.stdout) as { streams: { codec_type: string; width?: number; height?: number }[] }).streams;
      expect(streams.filter((s) => s.codec_type === 'video').map((s) => `${s.width}x${s.height}`).sort()).toEqual(expected.map((v) => `${v.width}x${v.height}`).sort());
      // Muxed: one audio stream per rendition; separate: one per audio rendition (a single track here).
      const muxed = testCase.args.includes('muxed');
      expect(streams.filter((s) => s.codec_type === 'audio')).toHaveLength(testCase.audio ? (muxed ? expected.length : 1) : 0);
    });

    it('stops on SIGTERM with exit 0', async () => {
      serving.child.kill('SIGTERM');
      const result = await serving.child;
      expect(result.exitCode, String(result.stderr)).toBe(0);
    });
  });
});
