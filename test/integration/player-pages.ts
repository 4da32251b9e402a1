/**
 * Three independent HLS players in one page shape each, bundled from npm (no CDN): hls.js, Shaka Player and
 * Video.js (its HLS engine, VHS). Each page exposes the same small API on `window.__player` so one test
 * drives all three: levels (renditions), force(height), errors, and the <video> element; `window.__media`
 * records what a test of playing through joins needs: the <video> element's `waiting` events, its buffered
 * ranges, and what the player reports short of an error (non-fatal errors, stalls, gaps jumped).
 */
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { ROOT } from '../helpers/cli.js';

export type PlayerName = 'hls.js' | 'shaka' | 'videojs';
export const PLAYERS: PlayerName[] = ['hls.js', 'shaka', 'videojs'];

/** The dist files each page loads, from node_modules. */
const LIBRARIES: Record<string, string> = {
  'hls.js': 'node_modules/hls.js/dist/hls.min.js',
  'shaka.js': 'node_modules/shaka-player/dist/shaka-player.compiled.js',
  'video.js': 'node_modules/video.js/dist/video.min.js',
  'video-js.css': 'node_modules/video.js/dist/video-js.min.css',
};

// Every adapter fills window.__player = { ready, levels: [{ width, height }], errors: [], force(height),
// audioTracks() and subtitleTracks() (languages), currentAudio(), selectAudio(lang), showSubtitles(lang), cue() },
// and calls warn(what, detail?) for what the player reports short of an error.
const ADAPTERS: Record<PlayerName, { scripts: string[]; code: string }> = {
  'hls.js': {
    scripts: ['hls.js'],
    code: `
      const hls = new Hls();
      const state = { ready: false, levels: [], errors: [], force(height) {
        const index = hls.levels.findIndex((l) => l.height === height);
        hls.currentLevel = index; // switches now, flushing what is buffered
        return index >= 0;
      } };
      window.__player = state;
      state.audioTracks = () => hls.audioTracks.map((t) => t.lang);
      state.subtitleTracks = () => hls.subtitleTracks.map((t) => t.lang);
      state.currentAudio = () => (hls.audioTracks[hls.audioTrack] || {}).lang;
      state.selectAudio = (lang) => { const i = hls.audioTracks.findIndex((t) => sameLanguage(t.lang, lang)); hls.audioTrack = i; return i >= 0; };
      state.showSubtitles = (lang) => { const i = hls.subtitleTracks.findIndex((t) => sameLanguage(t.lang, lang)); hls.subtitleDisplay = true; hls.subtitleTrack = i; return i >= 0; };
      state.cue = nativeCue;
      hls.on(Hls.Events.MANIFEST_PARSED, () => { state.levels = hls.levels.map((l) => ({ width: l.width, height: l.height })); state.ready = true; });
      // Non-fatal errors are warnings: hls.js recovers from them (bufferStalledError, bufferSeekOverHole, ...).
      hls.on(Hls.Events.ERROR, (_, d) => { if (d.fatal) state.errors.push(d.type + ' ' + d.details); else warn(d.details, d.frag && d.frag.type + ' fragment ' + d.frag.sn + ' (' + d.frag.start.toFixed(3) + '-' + d.frag.end.toFixed(3) + ' s)'); });
      hls.loadSource(SRC);
      hls.attachMedia(video);`,
  },
  shaka: {
    scripts: ['shaka.js'],
    code: `
      shaka.polyfill.installAll();
      const player = new shaka.Player();
      const state = { ready: false, levels: [], errors: [], force(height) {
        const track = player.getVariantTracks().find((t) => t.height === height);
        if (!track) return false;
        player.configure({ abr: { enabled: false } });
        player.selectVariantTrack(track, true);
        return true;
      } };
      window.__player = state;
      player.addEventListener('error', (e) => state.errors.push('shaka ' + e.detail.code + ' ' + JSON.stringify(e.detail.data).slice(0, 300)));
      player.addEventListener('stalldetected', () => warn('stalldetected'));
      player.addEventListener('gapjumped', () => warn('gapjumped'));
      state.audioTracks = () => player.getAudioTracks().map((t) => t.language);
      state.subtitleTracks = () => player.getTextTracks().map((t) => t.language);
      state.currentAudio = () => (player.getVariantTracks().find((t) => t.active) || {}).language;
      state.selectAudio = (lang) => {
        const track = player.getAudioTracks().find((t) => sameLanguage(t.language, lang));
        if (track) player.selectAudioTrack(track);
        return !!track;
      };
      state.showSubtitles = (lang) => {
        const track = player.getTextTracks().find((t) => sameLanguage(t.language, lang));
        if (!track) return false;
        player.selectTextTrack(track); // Shaka 5: selecting a text track shows it (null hides)
        return true;
      };
      state.cue = nativeCue;
      // Shaka Player 5 creates its text engine when a text track is first chosen, and that engine holds every
      // WebVTT segment back until the next video append tells it the timestamp offset: a text track selected
      // after the whole (short) video is buffered never gets a cue. Choosing English text at load, as a
      // viewer's subtitle preference does, gives it the offset from the first video segment.
      player.configure({ preferredText: [{ language: 'en' }] });
      player.attach(video)
        .then(() => player.load(SRC))
        .then(() => {
          const seen = new Set();
          state.levels = player.getVariantTracks().filter((t) => !seen.has(t.height) && seen.add(t.height)).map((t) => ({ width: t.width, height: t.height }));
          state.ready = true;
        })
        .catch((e) => state.errors.push('shaka load ' + (e && e.code) + ' ' + JSON.stringify(e && e.data).slice(0, 300)));`,
  },
  videojs: {
    scripts: ['video.js'],
    code: `
      // VHS leaves FORCED=YES subtitle renditions out of its tracks by default (as Safari does); list them.
      const player = videojs(video, { html5: { vhs: { overrideNative: true, useForcedSubtitles: true } } });
      const state = { ready: false, levels: [], errors: [], force(height) {
        const vhs = player.tech({ IWillNotUseThisInPlugins: true }).vhs;
        const reps = vhs.representations();
        const target = reps.find((r) => r.height === height);
        if (!target) return false;
        reps.forEach((r) => { if (r !== target) r.enabled(false); });
        // VHS switches (and flushes its buffer) only when a rendition is enabled, not when others are disabled.
        target.enabled(false);
        target.enabled(true);
        // Switching back to a rendition whose playlist VHS already holds fires its 'mediachange' before VHS
        // starts waiting for it, leaving the switch pending for ever (VHS 3.x); finish it as VHS would.
        setTimeout(() => {
          const pc = vhs.playlistController_;
          if (pc && pc.waitingForFastQualityPlaylistReceived_) pc.runFastQualitySwitch_();
        }, 300);
        return true;
      } };
      window.__player = state;
      player.on('error', () => state.errors.push('videojs ' + JSON.stringify(player.error())));
      // VHS reports the gaps it skips and the stalls it finds as 'usage' events on the tech.
      player.ready(() => player.tech({ IWillNotUseThisInPlugins: true }).on('usage', (e) => {
        if (/^vhs-(gap-skip|unknown-waiting|video-underflow)$/.test(e.name)) warn(e.name);
      }));
      const list = (l) => Array.from({ length: l.length }, (_, i) => l[i]);
      const subtitles = () => list(player.textTracks()).filter((t) => t.kind === 'subtitles');
      state.audioTracks = () => list(player.audioTracks()).map((t) => t.language);
      state.subtitleTracks = () => subtitles().map((t) => t.language);
      state.currentAudio = () => (list(player.audioTracks()).find((a) => a.enabled) || {}).language;
      state.selectAudio = (lang) => { const t = list(player.audioTracks()).find((a) => sameLanguage(a.language, lang)); if (t) t.enabled = true; return !!t; };
      state.showSubtitles = (lang) => { let found = false; subtitles().forEach((t) => { const match = !found && sameLanguage(t.language, lang); t.mode = match ? 'showing' : 'disabled'; found = found || match; }); return found; };
      state.cue = () => subtitles().filter((t) => t.mode === 'showing').flatMap((t) => (t.activeCues ? list(t.activeCues) : []).map((c) => c.text)).join(' / ');
      player.on('loadedmetadata', () => {
        const vhs = player.tech({ IWillNotUseThisInPlugins: true }).vhs;
        state.levels = vhs.representations().map((r) => ({ width: r.width, height: r.height }));
        state.ready = true;
      });
      player.src({ src: SRC, type: 'application/x-mpegURL' });`,
  },
};

function page(player: PlayerName, src: string): string {
  const adapter = ADAPTERS[player];
  return `<!doctype html><html><head><meta charset="utf-8"><title>${player}</title>
<link rel="stylesheet" href="/lib/video-js.css">
${adapter.scripts.map((s) => `<script src="/lib/${s}"></script>`).join('\n')}
</head><body>
<video id="video" class="video-js" muted playsinline width="640" height="360"></video>
<script>
  const SRC = ${JSON.stringify(src)};
  const video = document.getElementById('video');
  video.muted = true;
  // Languages compared by their first two letters: players give them as the playlist does (en, eng) or not.
  const sameLanguage = (a, b) => !!a && !!b && a.slice(0, 2) === b.slice(0, 2);
  // The subtitle text on screen now, from the browser's text tracks the player fills.
  const nativeCue = () => Array.from(video.textTracks).filter((t) => t.mode === 'showing')
    .flatMap((t) => (t.activeCues ? Array.from(t.activeCues) : []).map((c) => c.text)).join(' / ');
  // Buffered ranges as [start, end] pairs; the <video> element's 'waiting' events (media time, page time in
  // ms, buffered ranges then) and the player's warnings (what, its detail if any, media time), for window.__media.
  const ranges = (r) => Array.from({ length: r.length }, (_, i) => [r.start(i), r.end(i)]);
  const media = { waiting: [], warnings: [], buffered: () => ranges(video.buffered) };
  window.__media = media;
  video.addEventListener('waiting', () => media.waiting.push({ time: video.currentTime, at: Math.round(performance.now()), buffered: ranges(video.buffered) }));
  const warn = (what, detail) => media.warnings.push(detail ? { what, detail, time: video.currentTime } : { what, time: video.currentTime });
  try {${adapter.code}
  } catch (e) { window.__player = { ready: false, levels: [], errors: ['setup ' + e], force() { return false; } }; }
</script></body></html>`;
}

const TYPES: Record<string, string> = {
  '.m3u8': 'application/vnd.apple.mpegurl',
  '.ts': 'video/mp2t',
  '.m4s': 'video/mp4',
  '.vtt': 'text/vtt',
  '.mp4': 'video/mp4',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.html': 'text/html; charset=utf-8',
};

export interface PlayerServer {
  url: string;
  /** Paths requested so far, in order. */
  requests: string[];
  close(): Promise<void>;
}

/**
 * A loopback server: `/play/<player>/<ladder>` is a page playing `/ladders/<ladder>/master.m3u8`,
 * `/ladders/<ladder>/…` the files of `ladders[ladder]`, `/lib/…` the players' dist files.
 */
export async function startPlayerServer(ladders: Record<string, string>): Promise<PlayerServer> {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    requests.push(path);
    const send = (status: number, body: string | Buffer, type = 'text/plain') => {
      res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-cache', 'Access-Control-Allow-Origin': '*' });
      res.end(body);
    };
    const [, kind, name, ...rest] = path.split('/');
    void (async () => {
      if (kind === 'play' && PLAYERS.includes(name as PlayerName) && rest.length === 1 && ladders[rest[0]!]) {
        return send(200, page(name as PlayerName, `/ladders/${rest[0]}/master.m3u8`), TYPES['.html']);
      }
      let file: string | undefined;
      if (kind === 'lib' && name && LIBRARIES[name]) file = join(ROOT, LIBRARIES[name]);
      if (kind === 'ladders' && name && ladders[name]) {
        const root = ladders[name];
        const candidate = normalize(join(root, ...rest));
        if (candidate.startsWith(root + sep)) file = candidate;
      }
      if (!file) return send(404, 'not found');
      try {
        const body = await readFile(file);
        const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
        if (range) {
          const start = Number(range[1]);
          const end = range[2] ? Number(range[2]) : body.length - 1;
          res.writeHead(206, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Content-Range': `bytes ${start}-${end}/${body.length}`, 'Access-Control-Allow-Origin': '*' });
          return res.end(body.subarray(start, end + 1));
        }
        return send(200, body, TYPES[extname(file)] ?? 'application/octet-stream');
      } catch {
        return send(404, 'not found');
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
