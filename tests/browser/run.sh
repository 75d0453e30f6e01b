#!/usr/bin/env bash
# Browser test of the web page: installs Debian's chromium and playwright-core (npm ci), builds
# the binary, serves the fixtures from a fresh temporary index on a free port, runs test.mjs
# against it headless and stops the server. Screenshots go to target/browser-screenshots/ (or
# $SCREENSHOT_DIR). Exits non-zero on any failure; test.mjs prints "N passed, N failed".
#
#   bash tests/browser/run.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"

if [ ! -x /usr/bin/chromium ]; then
  echo "installing chromium"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-noto-cjk
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "installing nodejs and npm"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm
fi
(cd "$here" && npm ci --no-audit --no-fund --loglevel=error)

# CI passes the binary `cargo test` already built (BIAOZHUN_BIN): a plain `cargo build` would
# rebuild dependencies with other features (resolver 2 does not unify dev-dependencies).
target_dir="$(cargo metadata --format-version 1 --no-deps | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).target_directory))')"
if [ -n "${BIAOZHUN_BIN:-}" ]; then
  bin="$BIAOZHUN_BIN"
else
  cargo build -p biaozhun-api --bin biaozhun
  bin="$target_dir/debug/biaozhun"
fi

work="$(mktemp -d)"
log="$work/serve.log"
pid=""
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# Port 0: the OS picks a free port and the server prints the URL it bound.
"$bin" serve --addr 127.0.0.1:0 --index "$work/index" --index-config "$root/index-config" \
  --bootstrap "$root/fixtures" --rate-limit-per-minute 0 >"$log" 2>&1 &
pid=$!

url=""
for _ in $(seq 1 600); do
  url="$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$log" | head -1 || true)"
  if [ -n "$url" ] && curl -fs "$url/readyz" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "biaozhun serve exited early:"; tail -40 "$log"; exit 1
  fi
  sleep 0.2
done
if ! curl -fs "$url/readyz" >/dev/null 2>&1; then
  echo "biaozhun serve not ready after 120 s:"; tail -40 "$log"; exit 1
fi
echo "server ready at $url"

export BASE_URL="$url"
export SCREENSHOT_DIR="${SCREENSHOT_DIR:-$target_dir/browser-screenshots}"
status=0
node "$here/test.mjs" || status=$?
if [ "$status" -ne 0 ]; then
  echo "server log (last 30 lines):"; tail -30 "$log"
fi
exit "$status"
