#!/usr/bin/env bash
# The article page under load, side by side with nginx serving the same bytes statically in the
# same run (the issue's target: >= 0.5x nginx's requests/s, p99 <= 10 ms at 64 connections).
# Loopback only; every process started here is stopped by pid at the end.
# Usage: crates/web/bench/article_vs_nginx.sh [duration, default 10s]
set -euo pipefail
cd "$(dirname "$0")/../../.."
DUR=${1:-10s}
APP_PORT=18081
NGINX_PORT=18082
WORK=$(mktemp -d)
# LTO off to keep the build short on a shared machine: the figures are, if anything, pessimistic.
CARGO_PROFILE_RELEASE_LTO=off CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
  cargo build --release --quiet -p newsdesk-web --example serve_seed
BIN=${CARGO_TARGET_DIR:-target}/release/examples/serve_seed
"$BIN" 127.0.0.1:$APP_PORT 120 2>"$WORK/app.log" &
APP_PID=$!
cleanup() {
  kill "$APP_PID" 2>/dev/null || true
  [ -f "$WORK/nginx.pid" ] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$APP_PORT/healthz" >/dev/null && break; sleep 0.1; done
mkdir -p "$WORK/root/news"
curl -sf "http://127.0.0.1:$APP_PORT/news/1" -o "$WORK/root/news/1"
echo "page: $(wc -c <"$WORK/root/news/1") bytes"
cat >"$WORK/nginx.conf" <<CONF
worker_processes auto;
pid $WORK/nginx.pid;
error_log $WORK/nginx.err;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $WORK; proxy_temp_path $WORK; fastcgi_temp_path $WORK;
  uwsgi_temp_path $WORK; scgi_temp_path $WORK;
  server {
    listen 127.0.0.1:$NGINX_PORT;
    root $WORK/root;
    default_type text/html;
  }
}
CONF
nginx -c "$WORK/nginx.conf"
sleep 0.3
run() {
  local name=$1 url=$2
  wrk -t2 -c64 -d"$DUR" --latency "$url" >"$WORK/$name.txt"
  local rps p99
  rps=$(awk '/Requests\/sec/ {print $2}' "$WORK/$name.txt")
  p99=$(awk '$1=="99%" {print $2}' "$WORK/$name.txt")
  echo "$name: $rps req/s, p99 $p99"
  echo "$rps" >"$WORK/$name.rps"
}
run nginx "http://127.0.0.1:$NGINX_PORT/news/1"
run newsdesk "http://127.0.0.1:$APP_PORT/news/1"
awk -v a="$(cat "$WORK/newsdesk.rps")" -v b="$(cat "$WORK/nginx.rps")" \
  'BEGIN { printf "ratio newsdesk/nginx: %.2f\n", a / b }'
