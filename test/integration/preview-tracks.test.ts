/**
 * The preview page's audio and subtitle pickers in Chromium: a ladder with English and French audio and
 * English subtitles lists them and switches while playing; a ladder without alternate tracks says "none".
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hlsify } from '../helpers/cli.js';
import { fixture } from '../../fixtures/recipes.js';
import { FIRST_CUE, makeAlternateTracksLadder } from './alternate-tracks-ladder.js';
import { startServing } from './preview-support.js';

const CHROMIUM = process.env.HLSIFY_TEST_CHROMIUM ?? '/usr/bin/chromium';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

interface Tracks {
  audioTracks: { index: number; name: string; lang: string }[];
  audioTrack: number;
  subtitleTracks: { index: number; name: string; lang: string }[];
  subtitleTrack: number;
  cue: string;
  fragsLoaded: { level: number; sn: number; type: string }[];
  errors: { fatal: boolean }[];
  time: number;
  paused: boolean;
}
const TRACKS = `(() => { const s = window.__hlsify; const v = document.querySelector('video');
  return { audioTracks: s.audioTracks, audioTrack: s.audioTrack, subtitleTracks: s.subtitleTracks, subtitleTrack: s.subtitleTrack, cue: s.cue,
    fragsLoaded: s.fragsLoaded, errors: s.errors, time: v.currentTime, paused: v.paused }; })()`;

async function waitFor(page: Page, done: (t: Tracks) => boolean, timeoutMs = 20_000): Promise<Tracks> {
  const deadline = Date.now() + timeoutMs;
  let last = (await page.evaluate(TRACKS)) as Tracks;
  while (!done(last) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 150));
    last = (await page.evaluate(TRACKS)) as Tracks;
  }
  return last;
}

describe.skipIf(!HAVE_CHROMIUM)('preview page: audio and subtitle tracks', () => {
  let browser: Browser;
  let work: string;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'hlsify-test-preview-tracks-'));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 60_000 });
  });
  afterAll(async () => {
    await browser?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('lists both audio languages and the subtitles, switches audio while playing and shows a cue at its time', async () => {
    const ladder = await makeAlternateTracksLadder(work);
    const serving = await startServing(['preview', ladder, '--port', '0']);
    const page = await (await browser.newContext()).newPage();
    try {
      await page.goto(serving.url);
      const listed = await waitFor(page, (t) => t.audioTracks.length === 2 && t.subtitleTracks.length === 1 && t.audioTrack === 0);
      expect(listed.audioTrack).toBe(0); // the DEFAULT=YES one
      expect(listed.audioTracks.map((t) => [t.name, t.lang])).toEqual([['English', 'eng'], ['Français', 'fra']]);
      expect(listed.subtitleTracks.map((t) => [t.name, t.lang])).toEqual([['English', 'eng']]);
      expect(await page.textContent('#audio-tracks')).toBe('English (eng) Français (fra) ');
      expect(await page.getAttribute('button[data-audio-track="0"]', 'aria-pressed')).toBe('true');

      await page.evaluate(`document.querySelector('video').play()`);
      await waitFor(page, (t) => t.time > 0.5);
      const mark = (await page.evaluate(TRACKS) as Tracks).fragsLoaded.length;
      await page.click('button[data-audio-track="1"]');
      const switched = await waitFor(page, (t) => t.audioTrack === 1 && t.fragsLoaded.slice(mark).some((f) => f.type === 'audio' && f.level === 1) && t.time > 2.5);
      expect(switched.audioTrack).toBe(1);
      expect(switched.fragsLoaded.slice(mark).filter((f) => f.type === 'audio' && f.level === 1).length).toBeGreaterThan(0);
      expect(switched.time).toBeGreaterThan(2.5);
      expect(switched.paused).toBe(false);
      expect(await page.getAttribute('button[data-audio-track="1"]', 'aria-pressed')).toBe('true');

      await page.click('button[data-subtitle-track="0"]');
      await page.evaluate(`document.querySelector('video').currentTime = ${FIRST_CUE.start + 0.5}`);
      const cued = await waitFor(page, (t) => t.cue === FIRST_CUE.text);
      const debug = String(await page.evaluate(`JSON.stringify(Array.from(document.querySelector('video').textTracks).map((t) => [t.kind, t.label, t.mode, t.cues ? Array.from(t.cues).map((c) => [c.startTime, c.endTime, c.text]) : null]))`));
      expect(cued.subtitleTrack, debug).toBe(0);
      expect(cued.cue, debug + ' t=' + cued.time).toBe(FIRST_CUE.text);
      expect(await page.textContent('#cue')).toBe(`“${FIRST_CUE.text}”`);
      expect(cued.errors.filter((e) => e.fatal)).toEqual([]);
    } finally {
      await page.context().close();
      serving.child.kill('SIGKILL');
      await serving.child;
    }
  });

  it('says "none" for a ladder without alternate tracks', async () => {
    const out = join(work, 'plain');
    const result = await hlsify(['transcode', fixture('mjpeg-tiny.avi'), '-o', out, '--preset', 'ultrafast', '--audio', 'muxed', '-q']);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    const serving = await startServing(['preview', out, '--port', '0']);
    const page = await (await browser.newContext()).newPage();
    try {
      await page.goto(serving.url);
      await page.waitForFunction('window.__hlsify.ready');
      const state = (await page.evaluate(TRACKS)) as Tracks;
      expect(state.subtitleTracks).toEqual([]);
      expect(await page.textContent('#subtitle-tracks')).toBe('none');
      // Audio muxed into the video segments is no alternate track: nothing to choose.
      expect(state.audioTracks).toEqual([]);
      expect(await page.textContent('#audio-tracks')).toBe('none');
      expect(await page.$$('button[data-audio-track], button[data-subtitle-track]')).toHaveLength(0);
    } finally {
      await page.context().close();
      serving.child.kill('SIGKILL');
      await serving.child;
    }
  });
});
