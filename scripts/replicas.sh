#!/usr/bin/env bash
# A writer, two read-only replicas and HAProxy (deploy/haproxy.cfg) on loopback, as the
# docker-compose profile `replicas` runs them, then load through the balancer with wrk:
#
#   1. one replica alone (direct, no balancer): its queries per second;
#   2. through the balancer: total q/s and each replica's share (from its /metrics);
#   3. the same load while the writer re-indexes (POST /api/v1/admin/reindex): non-2xx must be 0;
#   4. an upload through the balancer (routed to the writer), found on both replicas.
#
#   scripts/replicas.sh [SECONDS]      (per measurement, default 10)
#
# Env: BIN (default target/release/biaozhun, else target/debug/biaozhun), CONNECTIONS (default
# 16), THREADS (default 2), KEEP=1 keeps the temp dir. Needs haproxy and wrk (apt-get install -y
# haproxy wrk). Exits non-zero when any request failed or a replica missed the upload.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
SECS=${1:-10}
CONNS=${CONNECTIONS:-16}
THREADS=${THREADS:-2}
for tool in haproxy wrk curl python3; do
  command -v "$tool" >/dev/null || { echo "$tool is not installed (apt-get install -y haproxy wrk curl)"; exit 2; }
done
BIN=${BIN:-}
if [ -z "$BIN" ]; then
  if [ -x "$ROOT/target/release/biaozhun" ]; then BIN=$ROOT/target/release/biaozhun; else BIN=$ROOT/target/debug/biaozhun; fi
fi
[ -x "$BIN" ] || { echo "no binary at $BIN (cargo build --release)"; exit 2; }
KEY=replicas-script-admin-key-0123456789
WORK=$(mktemp -d /tmp/biaozhun-replicas.XXXXXX)
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
W=$(port); R1=$(port); R2=$(port); LB=$(port)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  [ -n "${KEEP:-}" ] && echo "kept $WORK" || rm -rf "$WORK"
}
trap cleanup EXIT
ready() {
  for _ in $(seq 1 600); do
    curl -fsS "http://127.0.0.1:$1/readyz" >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  echo "127.0.0.1:$1 never became ready"; cat "$WORK"/*.log; exit 1
}
export BIAOZHUN_RATE_LIMIT_PER_MINUTE=0 BIAOZHUN_ADMIN_KEYS=$KEY RUST_LOG=warn
# The writer bootstraps the fixtures into a fresh index; the replicas wait for it.
"$BIN" serve --index "$WORK/index" --addr "127.0.0.1:$W" --bootstrap fixtures >"$WORK/writer.log" 2>&1 &
pids+=($!)
ready "$W"
"$BIN" serve --index "$WORK/index" --addr "127.0.0.1:$R1" --read-only >"$WORK/replica1.log" 2>&1 &
pids+=($!)
"$BIN" serve --index "$WORK/index" --addr "127.0.0.1:$R2" --read-only >"$WORK/replica2.log" 2>&1 &
pids+=($!)
ready "$R1"; ready "$R2"
LISTEN_ADDR=127.0.0.1:$LB WRITER_ADDR=127.0.0.1:$W REPLICA1_ADDR=127.0.0.1:$R1 REPLICA2_ADDR=127.0.0.1:$R2 \
  haproxy -f deploy/haproxy.cfg -db >"$WORK/haproxy.log" 2>&1 &
pids+=($!)
sleep 2
ready "$LB"

cat >"$WORK/load.lua" <<'LUA'
local paths = {
  "/api/v1/search?q=gbt7714",
  "/api/v1/search?q=%E9%A3%9F%E5%93%81%E5%AE%89%E5%85%A8&status=current",
  "/api/v1/search?q=%E5%86%9C%E8%8D%AF%E6%AE%8B%E7%95%99&snippets=true&limit=20",
  "/api/v1/search?kind=notification&member=USA&hs=9503",
  "/api/v1/search?q=toys&kind=notification&snippets=true",
  "/api/v1/search?q=GB%2FT%207714-2015",
}
local i = 0
function request() i = i + 1; return wrk.format("GET", paths[(i % #paths) + 1]) end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT requests=%d rps=%.1f p50_ms=%.2f p99_ms=%.2f non2xx=%d socket_errors=%d\n",
    summary.requests, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    e.status, e.connect + e.read + e.write + e.timeout))
end
LUA
searches() { curl -fsS "http://127.0.0.1:$1/metrics" | awk '/^biaozhun_http_requests_total\{route="\/api\/v1\/search"/ {n += $NF} END {print n + 0}'; }
run() { wrk -t"$THREADS" -c"$CONNS" -d"${SECS}s" --timeout 10s -s "$WORK/load.lua" "http://127.0.0.1:$1" 2>&1 | grep RESULT; }
field() { echo "$1" | grep -oE "$2=[0-9.]+" | cut -d= -f2; }
fail=0

echo "binary: $BIN"
echo "== 1. one replica alone, ${SECS}s, $CONNS connections"
line=$(run "$R1"); echo "$line"
echo "single_replica_qps=$(field "$line" rps)"

echo "== 2. through HAProxy over two replicas"
a1=$(searches "$R1"); a2=$(searches "$R2")
line=$(run "$LB"); echo "$line"
b1=$(searches "$R1"); b2=$(searches "$R2")
echo "balanced_qps=$(field "$line" rps) replica1_qps=$(python3 -c "print(round(($b1-$a1)/$SECS,1))") replica2_qps=$(python3 -c "print(round(($b2-$a2)/$SECS,1))")"
[ "$(field "$line" non2xx)" = 0 ] && [ "$(field "$line" socket_errors)" = 0 ] || fail=1

echo "== 3. the same load while the writer re-indexes"
run "$LB" >"$WORK/during.txt" &
load=$!
sleep 1
curl -fsS -X POST -H "Authorization: Bearer $KEY" "http://127.0.0.1:$LB/api/v1/admin/reindex" | tee "$WORK/reindex.json"; echo
wait "$load"
line=$(cat "$WORK/during.txt"); echo "$line"
echo "reindex_non2xx=$(field "$line" non2xx) reindex_socket_errors=$(field "$line" socket_errors)"
[ "$(field "$line" non2xx)" = 0 ] && [ "$(field "$line" socket_errors)" = 0 ] || fail=1
for r in "$R1" "$R2"; do
  curl -fsS "http://127.0.0.1:$r/metrics" | grep -E '^biaozhun_index_generation ' | sed "s/^/replica $r: /"
done

echo "== 4. an upload through the balancer reaches both replicas"
printf '{"code": "GB/T 66001-2024", "title_zh": "负载均衡上传测试", "status": "现行"}\n' >"$WORK/lb.jsonl"
curl -fsS -H "Authorization: Bearer $KEY" -F "file=@$WORK/lb.jsonl" "http://127.0.0.1:$LB/api/v1/documents" >/dev/null
start=$(date +%s.%N)
for r in "$R1" "$R2"; do
  ok=0
  for _ in $(seq 1 100); do
    if curl -fsS "http://127.0.0.1:$r/api/v1/standards/GB%2FT%2066001-2024" >/dev/null 2>&1; then ok=1; break; fi
    sleep 0.05
  done
  [ "$ok" = 1 ] && echo "replica $r: found after $(python3 -c "print(round($(date +%s.%N)-$start,2))") s" || { echo "replica $r: NOT found within 5 s"; fail=1; }
done
exit $fail
