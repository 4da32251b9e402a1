/**
 * The preview page: an hls.js player on the ladder, its renditions with resolution and bandwidth, which
 * one is playing, buttons to force one or go back to automatic, and the audio and subtitle tracks to
 * switch between. `window.__hlsify` holds the player's
 * state as plain data for tests (and curious users in the devtools console).
 */

import { TRACKS_HTML, TRACKS_SCRIPT, TRACKS_STYLE } from './page-tracks.js';

export interface PreviewPageOptions {
  /** Shown as the page title: the ladder directory's name. */
  title: string;
  /** URL of the master playlist, relative to the page. */
  masterUrl: string;
  /** URL of hls.min.js, relative to the page. */
  hlsScriptUrl: string;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** JSON safe inside a <script> element (no "</script>", no "<!--"). */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

export function renderPreviewPage(options: PreviewPageOptions): string {
  const title = escapeHtml(options.title);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · hlsify preview</title>
<style>
  :root { color-scheme: light dark; font-family: system-ui, sans-serif; }
  body { margin: 0 auto; max-width: 980px; padding: 16px; }
  h1 { font-size: 1.2rem; margin: 0 0 12px; }
  h1 small { font-weight: normal; opacity: .6; }
  video { width: 100%; max-height: 60vh; background: #000; display: block; }
  #status { margin: 8px 0; font-variant-numeric: tabular-nums; }
  #status b { font-weight: 600; }
  table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
  th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #8884; }
  tr.playing td { background: #2a7de133; }
  tr.playing td:first-child::before { content: "▶ "; }
  button { font: inherit; padding: 2px 10px; cursor: pointer; }
  button[aria-pressed="true"] { font-weight: 600; outline: 2px solid #2a7de1; }
  #errors { font-family: ui-monospace, monospace; font-size: .85rem; margin-top: 8px; }
  #errors .fatal { color: #d33; font-weight: 600; }
  #errors .recovered { opacity: .6; }
${TRACKS_STYLE}
</style>
</head>
<body>
<h1>${title} <small>hlsify preview</small></h1>
<video id="video" controls muted autoplay playsinline></video>
<div id="status">loading the master playlist…</div>
<p><button id="auto" type="button" aria-pressed="true">Auto</button> <span id="mode">automatic rendition choice (hls.js ABR)</span></p>
<table>
  <thead><tr><th>rendition</th><th>resolution</th><th>bandwidth (peak)</th><th>average</th><th>frame rate</th><th>codecs</th><th></th></tr></thead>
  <tbody id="levels"></tbody>
</table>
${TRACKS_HTML}
<div id="errors"></div>
<script src="${escapeHtml(options.hlsScriptUrl)}"></script>
<script>
"use strict";
(function () {
  var MASTER = ${scriptJson(options.masterUrl)};
  var state = { ready: false, native: false, levels: [], errors: [], fragsLoaded: [], currentLevel: -1, autoLevel: true };
  window.__hlsify = state;
  var video = document.getElementById('video');
  var $ = function (id) { return document.getElementById(id); };
  var rate = function (bps) {
    if (!bps) return '–';
    return bps >= 1e6 ? (bps / 1e6).toFixed(2) + ' Mb/s' : Math.round(bps / 1e3) + ' kb/s';
  };
  // hlsify names a rendition by its folder (720p/index.m3u8); a flat ladder falls back to the short side.
  var levelName = function (l) {
    var parts = (l.uri || '').split('?')[0].split('/');
    return parts.length > 1 && /^\\d+p$/.test(parts[parts.length - 2]) ? parts[parts.length - 2] : Math.min(l.width, l.height) + 'p';
  };
  var hls;

  function renderLevels() {
    var body = $('levels');
    body.textContent = '';
    state.levels.forEach(function (l) {
      var tr = document.createElement('tr');
      tr.dataset.level = String(l.index);
      if (l.index === state.currentLevel) tr.className = 'playing';
      [levelName(l), l.width + 'x' + l.height, rate(l.bitrate), rate(l.averageBitrate), l.frameRate ? String(l.frameRate) : '–', l.codecs || '–']
        .forEach(function (text) { var td = document.createElement('td'); td.textContent = text; tr.appendChild(td); });
      var td = document.createElement('td');
      var button = document.createElement('button');
      button.type = 'button';
      button.textContent = 'Play this';
      button.dataset.level = String(l.index);
      button.setAttribute('aria-pressed', String(!state.autoLevel && hls && hls.manualLevel === l.index));
      button.disabled = !hls;
      button.addEventListener('click', function () { force(l.index); });
      td.appendChild(button);
      tr.appendChild(td);
      body.appendChild(tr);
    });
    $('auto').setAttribute('aria-pressed', String(state.autoLevel));
    $('auto').disabled = !hls;
  }

  function renderStatus() {
    var current = state.levels[state.currentLevel];
    var playing = current ? levelName(current) + ' (' + current.width + 'x' + current.height + ', ' + rate(current.bitrate) + ')' : '–';
    var shown = video.videoWidth ? video.videoWidth + 'x' + video.videoHeight : '–';
    $('status').innerHTML = '';
    [['playing', playing], ['decoded', shown], ['time', video.currentTime.toFixed(1) + ' s'], ['fragments loaded', String(state.fragsLoaded.length)]]
      .forEach(function (pair, i) {
        if (i) $('status').appendChild(document.createTextNode(' · '));
        var b = document.createElement('b'); b.textContent = pair[0] + ': ';
        var span = document.createElement('span'); span.id = 'status-' + pair[0].replace(/ /g, '-'); span.textContent = pair[1];
        $('status').appendChild(b); $('status').appendChild(span);
      });
    $('mode').textContent = state.native ? 'native HLS playback: the browser chooses the rendition'
      : state.autoLevel ? 'automatic rendition choice (hls.js ABR)' : 'forced: ' + (state.levels[hls.manualLevel] ? levelName(state.levels[hls.manualLevel]) : '');
  }

  function render() { renderLevels(); renderStatus(); }

  function force(index) {
    hls.currentLevel = index; // immediate switch: flushes the buffer and loads this rendition from here
    state.autoLevel = index === -1;
    render();
  }

  function error(entry) {
    state.errors.push(entry);
    var div = document.createElement('div');
    div.className = entry.fatal ? 'fatal' : 'recovered';
    div.textContent = (entry.fatal ? 'fatal ' : 'non-fatal (hls.js carries on) ') + entry.type + ': ' + entry.details
      + (entry.url ? ' (' + entry.url + ')' : '') + (entry.message ? ' ' + entry.message : '');
    $('errors').appendChild(div);
  }

  video.addEventListener('timeupdate', renderStatus);
  video.addEventListener('resize', renderStatus);
  video.addEventListener('error', function () {
    var e = video.error;
    error({ type: 'mediaElementError', details: e ? 'code ' + e.code : 'unknown', fatal: true, message: e && e.message ? e.message : '' });
  });

  if (window.Hls && window.Hls.isSupported()) {
    var Hls = window.Hls;
    hls = new Hls();
    window.__hlsifyPlayer = hls;
${TRACKS_SCRIPT}
    var recoveredMedia = false;
    hls.on(Hls.Events.MANIFEST_PARSED, function (_event, data) {
      state.levels = data.levels.map(function (l, index) {
        return {
          index: index, width: l.width, height: l.height, bitrate: l.bitrate, averageBitrate: l.averageBitrate,
          frameRate: l.frameRate, codecs: [l.videoCodec, l.audioCodec].filter(Boolean).join(', '), uri: l.uri,
        };
      });
      state.ready = true;
      render();
      video.play().catch(function () { /* autoplay refused: the user presses play */ });
    });
    hls.on(Hls.Events.LEVEL_SWITCHED, function (_event, data) { state.currentLevel = data.level; render(); });
    hls.on(Hls.Events.FRAG_LOADED, function (_event, data) {
      if (typeof data.frag.sn === 'number') state.fragsLoaded.push({ level: data.frag.level, sn: data.frag.sn, type: data.frag.type });
      renderStatus();
    });
    hls.on(Hls.Events.ERROR, function (_event, data) {
      error({
        type: data.type, details: data.details, fatal: data.fatal,
        url: (data.frag && data.frag.url) || data.url || (data.context && data.context.url) || '',
        message: data.error && data.error.message ? data.error.message : '',
      });
      // One attempt to get past a fatal decode error, as the hls.js docs advise; it stays in the list.
      if (data.fatal && data.type === Hls.ErrorTypes.MEDIA_ERROR && !recoveredMedia) { recoveredMedia = true; hls.recoverMediaError(); }
    });
    $('auto').addEventListener('click', function () { force(-1); });
    hls.loadSource(MASTER);
    hls.attachMedia(video);
  } else if (video.canPlayType('application/vnd.apple.mpegurl')) {
    state.native = true;
    video.src = MASTER;
    render();
  } else {
    $('status').textContent = 'This browser has no Media Source Extensions and no native HLS: it cannot play the ladder.';
  }
})();
</script>
</body>
</html>
`;
}
