#!/usr/bin/env bash
# Wall time of `hlsify transcode` (with its checks, and with --no-verify) against an expert's hand-written
# decode-once ffmpeg command (encN) for the same ladder, runs interleaved, medians and ratios, and the
# median seconds of each of transcode's phases.
# usage: scripts/bench-vs-handwritten.sh [RUNS=5] [WORKDIR=/tmp/hlsify-bench] [SECONDS=20]
set -euo pipefail
RUNS=${1:-5}; W=${2:-/tmp/hlsify-bench}; SECONDS_OF_SOURCE=${3:-20}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$W"; cd "$W"
SRC=src1080-${SECONDS_OF_SOURCE}s.mp4
[ -f "$SRC" ] || ffmpeg -v error -y -f lavfi -i "testsrc2=size=1920x1080:rate=30" -f lavfi -i "sine=frequency=440:sample_rate=48000" -t "$SECONDS_OF_SOURCE" \
  -c:v libx264 -preset veryfast -crf 18 -pix_fmt yuv420p -c:a aac -b:a 128k "$SRC"

handwritten() { # the research script's encN: one process, decode once, split, one HLS output per rung
  rm -rf out; local fc="[0:v]split=4[s0][s1][s2][s3];" outs=() i=0
  for r in 1080:5000 720:2800 480:1400 360:800; do h=${r%:*}; b=${r#*:}; fc+="[s$i]scale=-2:$h[o$i];"; mkdir -p out/$h
    outs+=(-map "[o$i]" -map 0:a -c:v libx264 -preset veryfast -g 60 -keyint_min 60 -sc_threshold 0
      -b:v ${b}k -maxrate $(( b*107/100 ))k -bufsize $(( b*3/2 ))k -c:a aac -b:a 128k -ac 2
      -f hls -hls_time 6 -hls_playlist_type vod -hls_segment_filename "out/$h/s_%03d.ts" "out/$h/index.m3u8"); i=$((i+1)); done
  ffmpeg -v error -y -nostdin -i "$SRC" -filter_complex "${fc%;}" "${outs[@]}"; }
hlsify() {
  rm -rf out; node "$ROOT/bin/hlsify.js" transcode "$SRC" -o out -q --json --preset veryfast --segment-duration 6 \
    --ladder 1080:5000k,720:2800k,480:1400k,360:800k "$@" > "$W/last.json"; }
now() { date +%s.%N; }

echo "cores=$(nproc) $(ffmpeg -version | head -1 | cut -c1-40) runs=$RUNS"
declare -a HW=() HL=() NV=() PH=()
for i in $(seq "$RUNS"); do
  t0=$(now); handwritten; t1=$(now); hlsify; t2=$(now); PH+=("$(node -e 'const p=require(process.argv[1]).phases; console.log(Object.entries(p).map(([k,v])=>k+"="+v).join(" "))' "$W/last.json")"); hlsify --no-verify; t3=$(now)
  HW+=("$(awk "BEGIN{printf \"%.2f\", $t1 - $t0}")"); HL+=("$(awk "BEGIN{printf \"%.2f\", $t2 - $t1}")"); NV+=("$(awk "BEGIN{printf \"%.2f\", $t3 - $t2}")")
  echo "run $i: handwritten ${HW[-1]} s, hlsify ${HL[-1]} s (${PH[-1]}), hlsify --no-verify ${NV[-1]} s"
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
mh=$(median "${HW[@]}"); ml=$(median "${HL[@]}"); mn=$(median "${NV[@]}")
echo "median handwritten ${mh} s, hlsify ${ml} s, hlsify --no-verify ${mn} s; ratio hlsify/handwritten $(awk "BEGIN{printf \"%.3f\", $ml / $mh}"), without the checks $(awk "BEGIN{printf \"%.3f\", $mn / $mh}")"
for phase in probe encode playlists verify; do
  echo "median $phase $(median $(printf '%s\n' "${PH[@]}" | sed -n "s/.*\b$phase=\([0-9.]*\).*/\1/p")) s"
done
