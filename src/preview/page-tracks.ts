/**
 * The preview page's audio and subtitle track pickers: the alternate renditions of the master playlist
 * (EXT-X-MEDIA TYPE=AUDIO and TYPE=SUBTITLES) as hls.js lists them, a button per track to switch, and
 * "Off" for subtitles. A ladder without alternate tracks shows "none". Plain browser JavaScript, inserted
 * into the page's script, where `hls`, `state`, `$` and `Hls` are defined.
 */

export const TRACKS_HTML = `<div id="tracks">
  <p><b>Audio:</b> <span id="audio-tracks">none</span></p>
  <p><b>Subtitles:</b> <span id="subtitle-tracks">none</span> <span id="cue"></span></p>
</div>`;

export const TRACKS_STYLE = `  #tracks p { margin: 6px 0; }
  #cue { font-style: italic; }`;

/** Sets up the pickers once `hls` exists. */
export const TRACKS_SCRIPT = `
  state.audioTracks = []; state.audioTrack = -1; state.subtitleTracks = []; state.subtitleTrack = -1; state.cue = '';
  var trackLabel = function (t) { return (t.name || t.lang || 'track ' + t.id) + (t.lang && t.name !== t.lang ? ' (' + t.lang + ')' : ''); };
  function trackButton(kind, index, text, pressed, onClick) {
    var button = document.createElement('button');
    button.type = 'button';
    button.textContent = text;
    button.dataset[kind] = String(index);
    button.setAttribute('aria-pressed', String(pressed));
    button.addEventListener('click', onClick);
    return button;
  }
  function renderTracks() {
    var audio = $('audio-tracks'), subtitles = $('subtitle-tracks');
    audio.textContent = state.audioTracks.length ? '' : 'none';
    state.audioTracks.forEach(function (t) {
      audio.appendChild(trackButton('audioTrack', t.index, trackLabel(t), t.index === state.audioTrack, function () { hls.audioTrack = t.index; }));
      audio.appendChild(document.createTextNode(' '));
    });
    subtitles.textContent = state.subtitleTracks.length ? '' : 'none';
    if (state.subtitleTracks.length) {
      subtitles.appendChild(trackButton('subtitleTrack', -1, 'Off', state.subtitleTrack === -1, function () { hls.subtitleTrack = -1; }));
      subtitles.appendChild(document.createTextNode(' '));
    }
    state.subtitleTracks.forEach(function (t) {
      subtitles.appendChild(trackButton('subtitleTrack', t.index, trackLabel(t), t.index === state.subtitleTrack, function () {
        hls.subtitleDisplay = true;
        hls.subtitleTrack = t.index;
      }));
      subtitles.appendChild(document.createTextNode(' '));
    });
    $('cue').textContent = state.cue ? '“' + state.cue + '”' : '';
  }
  var asTracks = function (list) {
    return (list || []).map(function (t, index) { return { index: index, id: t.id, name: t.name, lang: t.lang || '', default: !!t.default }; });
  };
  hls.on(Hls.Events.AUDIO_TRACKS_UPDATED, function (_event, data) { state.audioTracks = asTracks(data.audioTracks); state.audioTrack = hls.audioTrack; renderTracks(); });
  hls.on(Hls.Events.AUDIO_TRACK_SWITCHED, function () { state.audioTrack = hls.audioTrack; renderTracks(); });
  hls.on(Hls.Events.AUDIO_TRACK_LOADED, function () { if (state.audioTrack !== hls.audioTrack) { state.audioTrack = hls.audioTrack; renderTracks(); } });
  hls.on(Hls.Events.SUBTITLE_TRACKS_UPDATED, function (_event, data) { state.subtitleTracks = asTracks(data.subtitleTracks); state.subtitleTrack = hls.subtitleTrack; renderTracks(); });
  hls.on(Hls.Events.SUBTITLE_TRACK_SWITCH, function () { state.subtitleTrack = hls.subtitleTrack; renderTracks(); });
  // The cue on screen now, from the text track hls.js fills (shown by the browser too).
  var showCue = function () {
    var text = '';
    for (var i = 0; i < video.textTracks.length; i++) {
      var track = video.textTracks[i];
      if (track.mode !== 'showing' || !track.activeCues) continue;
      for (var j = 0; j < track.activeCues.length; j++) text += (text ? ' / ' : '') + track.activeCues[j].text;
    }
    if (text !== state.cue) { state.cue = text; renderTracks(); }
  };
  video.addEventListener('timeupdate', showCue);
  renderTracks();
`;
