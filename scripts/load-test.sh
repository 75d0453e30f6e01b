#!/usr/bin/env bash
# Sustained load on 127.0.0.1 with wrk: serves an index (default: fixtures/ ingested into a temp
# dir) with the rate limit off, probes the maximum throughput for a few seconds, then runs at
# about 80 % of it for SECONDS (default 600), one wrk run per minute so every minute reports its
# own p50/p99, errors and the server's RSS. A Lua script cycles through a query list (search with
# and without snippets and filters, suggest, record pages) and paces each connection with
# `delay()` (wrk has no rate option).
#
#   scripts/load-test.sh [SECONDS]
#
# Env: BIN (default target/release/biaozhun, built when missing), INDEX (serve this index
# instead of the fixtures), CONNECTIONS (default 16), THREADS (default 2), PROBE_SECS (default 15),
# KEEP=1 keeps the temp dir. Exits non-zero if any request failed (socket error, non-2xx/3xx) or
# the server died. Needs `wrk` (apt-get install -y wrk).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
DURATION=${1:-600}
CONNS=${CONNECTIONS:-16}
THREADS=${THREADS:-2}
PROBE_SECS=${PROBE_SECS:-15}
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install -y wrk)"; exit 2; }
BIN=${BIN:-$ROOT/target/release/biaozhun}
[ -x "$BIN" ] || cargo build --release -p biaozhun-api --bin biaozhun
WORK=$(mktemp -d /tmp/biaozhun-load.XXXXXX)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
BASE=http://127.0.0.1:$PORT
pid=""
cleanup() {
  if [ -n "$pid" ]; then kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  [ -n "${KEEP:-}" ] && echo "kept $WORK" || rm -rf "$WORK"
}
trap cleanup EXIT

INDEX=${INDEX:-}
if [ -z "$INDEX" ]; then
  INDEX=$WORK/index
  "$BIN" ingest --no-ocr --index "$INDEX" fixtures >/dev/null 2>&1 || true
fi
"$BIN" serve --index "$INDEX" --index-config index-config --bootstrap none \
  --addr "127.0.0.1:$PORT" --rate-limit-per-minute 0 >"$WORK/server.log" 2>&1 &
pid=$!
for _ in $(seq 1 120); do
  curl -fsS "$BASE/readyz" >/dev/null 2>&1 && break
  kill -0 "$pid" 2>/dev/null || { cat "$WORK/server.log"; exit 1; }
  sleep 0.5
done
rss() { ps -o rss= -p "$pid" | tr -d ' '; }

# The query list: paths cycled by every connection from a different start.
cat >"$WORK/paths.txt" <<'EOF'
/api/v1/search?q=gbt7714
/api/v1/search?q=%E9%A9%AC%E9%93%83%E8%96%AF&snippets=true
/api/v1/search?q=%E9%A3%9F%E5%93%81%E5%AE%89%E5%85%A8&status=current
/api/v1/search?q=GB%2FT%207714-2015
/api/v1/search?q=%E5%86%9C%E8%8D%AF%E6%AE%8B%E7%95%99&snippets=true&limit=20
/api/v1/search?kind=notification&member=USA&hs=9503
/api/v1/search?q=toys&kind=notification&snippets=true
/api/v1/search?q=%E7%94%98%E8%82%83%20%E7%BE%8A&region=62&sort=issue_date
/api/v1/search?kind=standard&sort=code&limit=50
/api/v1/search?q=%E6%A0%87%E5%87%86%E5%8C%96%E6%B3%95&kind=regulation
/api/v1/search?q=G%2FTBT%2FN%2FUSA%2F2146
/api/v1/search?q=%E4%BF%A1%E6%81%AF%E4%B8%8E%E6%96%87%E7%8C%AE%20%E5%8F%82%E8%80%83%E6%96%87%E7%8C%AE&snippets=true
/api/v1/suggest?q=gbt77
/api/v1/suggest?q=%E9%A9%AC%E9%93%83
/api/v1/standards/GB%2FT%207714-2015
/api/v1/standards/DB62%2FT%204475-2021?text=full
/api/v1/notifications/G/TBT/N/USA/2146
/api/v1/barriers?market=USA&hs=9503
EOF
# Every path answers 2xx before the run (a 4xx here is a broken list, not load).
while read -r p; do
  code=$(curl -s -o /dev/null -w '%{http_code}' "$BASE$p")
  [ "${code:0:1}" = 2 ] || { echo "warm-up: $p answered $code"; exit 1; }
done <"$WORK/paths.txt"

cat >"$WORK/load.lua" <<EOF
local paths = {}
for line in io.lines("$WORK/paths.txt") do paths[#paths + 1] = line end
local counter = 0
local pause = tonumber(os.getenv("WRK_DELAY_MS") or "0")
local errors = 0
function setup(thread) counter = counter + 1; thread:set("id", counter) end
function init(args) i = (id or 1) * 7 end
function request()
  i = i + 1
  return wrk.format("GET", paths[(i % #paths) + 1])
end
function delay() return pause end
function response(status, headers, body)
  if status >= 400 then errors = errors + 1 end
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT requests=%d rps=%.1f p50_ms=%.2f p99_ms=%.2f max_ms=%.2f non2xx=%d connect=%d read=%d write=%d timeout=%d\n",
    summary.requests, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    e.status, e.connect, e.read, e.write, e.timeout))
end
EOF

fail=0
echo "rss_start_kb=$(rss)"
echo "== max-throughput probe: ${PROBE_SECS}s, $CONNS connections, no pacing"
WRK_DELAY_MS=0 wrk -t"$THREADS" -c"$CONNS" -d"${PROBE_SECS}s" --timeout 10s -s "$WORK/load.lua" "$BASE" \
  >"$WORK/probe.txt" 2>&1
grep RESULT "$WORK/probe.txt"
MAX_RPS=$(grep -oE 'rps=[0-9.]+' "$WORK/probe.txt" | cut -d= -f2)
TARGET=$(python3 -c "print(max(1, round(0.8 * $MAX_RPS)))")
# Each connection waits DELAY ms before each request: CONNS / (DELAY + busy) ≈ TARGET, where busy
# (latency plus client overhead) is measured at full speed first and re-measured every minute.
BUSY=$(python3 -c "print(1000 * $CONNS / $MAX_RPS)")
DELAY=$(python3 -c "print(max(0, round(1000 * $CONNS / $TARGET - $BUSY)))")
echo "max_rps=$MAX_RPS target_rps=$TARGET (80 %), per-connection delay ${DELAY} ms"
echo "rss_after_probe_kb=$(rss)"
# Two 10-second paced calibration runs re-measure busy at the lower rate (not reported).
for _ in 1 2; do
  WRK_DELAY_MS=$DELAY wrk -t"$THREADS" -c"$CONNS" -d10s --timeout 10s -s "$WORK/load.lua" "$BASE" >"$WORK/calib.txt" 2>&1 || true
  rps=$(grep -oE 'rps=[0-9.]+' "$WORK/calib.txt" | cut -d= -f2)
  [ -n "$rps" ] && DELAY=$(python3 -c "busy = 1000 * $CONNS / $rps - $DELAY; print(max(0, round(1000 * $CONNS / $TARGET - busy)))")
done
echo "calibrated per-connection delay ${DELAY} ms"

echo "== sustained run: ${DURATION}s at ~${TARGET} req/s"
printf 'minute\trequests\trps\tp50_ms\tp99_ms\tmax_ms\terrors\trss_kb\n' | tee "$WORK/minutes.tsv"
left=$DURATION
m=0
total_req=0
total_err=0
while [ "$left" -gt 0 ]; do
  m=$((m + 1))
  step=$(( left < 60 ? left : 60 ))
  WRK_DELAY_MS=$DELAY wrk -t"$THREADS" -c"$CONNS" -d"${step}s" --timeout 10s -s "$WORK/load.lua" "$BASE" \
    >"$WORK/minute-$m.txt" 2>&1 || true
  line=$(grep RESULT "$WORK/minute-$m.txt" || echo "RESULT requests=0")
  get() { echo "$line" | grep -oE "$1=[0-9.]+" | cut -d= -f2; }
  errs=$(( $(get non2xx) + $(get connect) + $(get read) + $(get write) + $(get timeout) ))
  total_req=$((total_req + $(get requests)))
  total_err=$((total_err + errs))
  if ! kill -0 "$pid" 2>/dev/null; then echo "the server died"; fail=1; break; fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$m" "$(get requests)" "$(get rps)" "$(get p50_ms)" \
    "$(get p99_ms)" "$(get max_ms)" "$errs" "$(rss)" | tee -a "$WORK/minutes.tsv"
  left=$((left - step))
  # Re-aim: the per-request time besides the pause is CONNS/rps - DELAY; keep the rate at TARGET.
  rps=$(get rps)
  if [ -n "$rps" ] && [ "$rps" != 0.0 ]; then
    DELAY=$(python3 -c "busy = 1000 * $CONNS / $rps - $DELAY; print(max(0, round(1000 * $CONNS / $TARGET - busy)))")
  fi
done
echo "rss_end_kb=$(rss 2>/dev/null || echo dead)"
echo "total_requests=$total_req total_errors=$total_err"
if grep -q "panicked" "$WORK/server.log"; then echo "the server log holds a panic"; fail=1; fi
[ "$total_err" = 0 ] || fail=1
exit $fail
