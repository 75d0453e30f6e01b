#!/usr/bin/env bash
# Profile the search path of a built index: serves it, records `perf record -g` on the server
# while wrk cycles the query set (snippets off, concurrency 64), then while a sequential client
# asks with snippets, and prints the top symbols. Loopback only, bounded in time.
#   bench/profile.sh bench/out/full [BIN [INDEX_CONFIG]]
set -euo pipefail
out=${1:?usage: bench/profile.sh bench/out/PRESET [BIN]}
bin=${2:-target/release/biaozhun}
config=${3:-index-config}
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
RUST_LOG=warn "$bin" serve --index "$out/biaozhun-index" --addr "127.0.0.1:$port" --bootstrap none \
  --rate-limit-per-minute 0 --index-config "$config" >/dev/null 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.2; done
perf record -F 499 -g -p "$pid" -o "$out/perf-wrk.data" -- sleep 12 >/dev/null 2>&1 &
rec=$!
wrk -t2 -c64 -d10s --timeout 5s -s "$out/wrk.lua" "http://127.0.0.1:$port" | grep -E "Requests/sec|Latency"
wait $rec || true
sed 's/snippets=false/snippets=true/' "$out/wrk-paths.txt" > "$out/wrk-paths-snip.txt"
perf record -F 499 -g -p "$pid" -o "$out/perf-snip.data" -- sleep 12 >/dev/null 2>&1 &
rec=$!
timeout 11 bash -c "while read -r p; do curl -s -o /dev/null \"http://127.0.0.1:$port\$p\"; done < <(for i in 1 2 3 4 5; do cat '$out/wrk-paths-snip.txt'; done)" || true
wait $rec || true
for d in perf-wrk perf-snip; do
  echo "== $d: top self time"
  perf report -i "$out/$d.data" --no-children --sort symbol --stdio 2>/dev/null | grep -E '^ +[0-9]' | head -25
  echo "== $d: top inclusive (children)"
  perf report -i "$out/$d.data" --children --sort symbol --stdio 2>/dev/null | grep -E '^ +[0-9]' | grep -i 'biaozhun\|tantivy\|serde' | head -25
done
