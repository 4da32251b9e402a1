#!/bin/sh
# Makes a fresh clone ready: npm dependencies (npm ci also builds dist/ through `prepare`), a fresh
# build, and ffmpeg/ffprobe (installed from the OS packages when running as root, else a clear message).
set -e
cd "$(dirname "$0")/.."

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing npm dependencies (npm ci)" >&2
  npm ci --no-audit --no-fund
else
  npm run --silent build
fi

have_ffmpeg() {
  if [ -n "${HLSIFY_FFMPEG:-}" ] && [ -n "${HLSIFY_FFPROBE:-}" ]; then return 0; fi
  command -v ffmpeg >/dev/null 2>&1 && command -v ffprobe >/dev/null 2>&1
}

if ! have_ffmpeg; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing ffmpeg from the OS packages (apt-get install ffmpeg)" >&2
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ffmpeg >/dev/null
  else
    echo "setup: ffmpeg and ffprobe (5.0 or newer, with libx264) are needed but not on PATH." >&2
    echo "       Install them: Debian/Ubuntu 'sudo apt-get install ffmpeg', Fedora 'sudo dnf install ffmpeg'," >&2
    echo "       macOS 'brew install ffmpeg'; or set HLSIFY_FFMPEG and HLSIFY_FFPROBE to their paths." >&2
    exit 1
  fi
fi

# The worker tests need a RabbitMQ broker (AMQP_URL, default amqp://guest:guest@127.0.0.1:5672).
if [ "${HLSIFY_SETUP_SKIP_RABBITMQ:-}" != 1 ] && [ -z "${AMQP_URL:-}" ]; then
  amqp_up() { node -e "require('net').connect(5672,'127.0.0.1').on('connect',()=>process.exit(0)).on('error',()=>process.exit(1))"; }
  if ! amqp_up; then
    if ! command -v rabbitmq-server >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      echo "setup: installing RabbitMQ from the OS packages (apt-get install rabbitmq-server)" >&2
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends rabbitmq-server >/dev/null
    fi
    if command -v rabbitmq-server >/dev/null 2>&1; then
      echo "setup: starting RabbitMQ (rabbitmq-server -detached)" >&2
      rabbitmq-server -detached >/dev/null 2>&1 || true
      i=0; while [ $i -lt 90 ] && ! amqp_up; do sleep 1; i=$((i+1)); done
    fi
    if ! amqp_up; then
      echo "setup: the worker tests need RabbitMQ on 127.0.0.1:5672 (guest/guest), or AMQP_URL pointing at one." >&2
      echo "       Install and start it: Debian/Ubuntu 'sudo apt-get install rabbitmq-server', macOS 'brew install rabbitmq'." >&2
      exit 1
    fi
  fi
fi
