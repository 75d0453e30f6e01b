#!/usr/bin/env bash
# Runs every cargo-fuzz target of fuzz/ for a bounded time, one after the other (one job each:
# the machine's cores are shared), and fails on the first crash, leak or timeout.
#
#   scripts/fuzz-all.sh [SECONDS] [TARGET...]   # default 60 s per target, all targets
#   SEEDS_ONLY=1 scripts/fuzz-all.sh            # only (re)build fuzz/corpus/<target>/ from seeds
#
# Seeds are copied at run time into fuzz/corpus/<target>/ (git-ignored) from fuzz/seeds/ (small
# inputs we wrote), fixtures/ and, when present, ../shared/data (never committed). Summary lines
# (target, seconds, execs, result) go to fuzz/artifacts/summary.tsv; each run's log to
# fuzz/artifacts/<target>.log. NO_BUILD=1 runs the binaries already built. Needs `rustup toolchain install nightly` and `cargo install cargo-fuzz`.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
SECONDS_PER_TARGET=${1:-60}
shift || true
ALL=(standard_code notification_symbol query catalog notice_form pdf_extract)
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=("${ALL[@]}")
SHARED=${SHARED_DATA:-$ROOT/../shared/data}
[ -d "$SHARED" ] || SHARED=""

seed() {
  local target=$1 dir=$ROOT/fuzz/corpus/$1
  mkdir -p "$dir"
  cp -n "$ROOT/fuzz/seeds/$target/"* "$dir/" 2>/dev/null || true
  python3 - "$target" "$dir" "$ROOT" "$SHARED" <<'PY'
import hashlib, json, os, sys, glob
target, out, root, shared = sys.argv[1:5]
fx = os.path.join(root, "fixtures")

def put(data: bytes):
    if not data or len(data) > 1_000_000:
        return
    name = hashlib.sha1(data).hexdigest()
    path = os.path.join(out, name)
    if not os.path.exists(path):
        with open(path, "wb") as f:
            f.write(data)

def files(*patterns):
    for p in patterns:
        for f in sorted(glob.glob(p, recursive=True)):
            if os.path.isfile(f):
                yield f

def lines(*patterns, limit=3000):
    n = 0
    for f in files(*patterns):
        with open(f, "rb") as fh:
            for line in fh:
                line = line.strip()
                if line:
                    yield line
                    n += 1
                    if n >= limit:
                        return

S = shared or "/nonexistent"
if target in ("standard_code", "notification_symbol"):
    for line in lines(f"{fx}/texts/**/*.txt", f"{fx}/catalog/*.csv", f"{fx}/eval/queries.jsonl",
                      f"{fx}/notifications/forms/*.txt", f"{S}/catalogs/*.jsonl",
                      f"{S}/notifications/*.jsonl"):
        put(line[:400])
elif target == "query":
    for f in files(f"{fx}/eval/queries.jsonl"):
        for line in open(f, encoding="utf-8"):
            try:
                q = json.loads(line).get("q") or json.loads(line).get("query")
            except Exception:
                continue
            if isinstance(q, str):
                for sel in (0, 1, 0x12, 3):
                    put(bytes([sel]) + q.encode())
    for line in lines(f"{S}/lexicon/THUOCL_law.txt", limit=200):
        put(b"\x00" + line.split(b"\t")[0])
elif target == "catalog":
    sel = {"jsonl": 0, "ndjson": 0, "csv": 1, "json": 2}
    for f in files(f"{fx}/catalog/*", f"{fx}/bad/*.jsonl", f"{fx}/bad/*.csv",
                   f"{fx}/notifications/*.json*", f"{S}/catalogs/*", f"{S}/notifications/*.jsonl"):
        ext = f.rsplit(".", 1)[-1].lower()
        if ext in sel:
            data = open(f, "rb").read()
            put(bytes([sel[ext]]) + data[:64_000])
            if ext == "jsonl":  # a few single records too
                for line in data.splitlines()[:20]:
                    put(b"\x00" + line)
elif target == "notice_form":
    for f in files(f"{fx}/notifications/forms/*", f"{fx}/regulations/*", f"{fx}/texts/*.txt"):
        put(open(f, "rb").read()[:64_000])
elif target == "pdf_extract":
    for f in files(f"{fx}/pdfs/*.pdf", f"{fx}/bad/*.pdf", f"{S}/pdfs/*.pdf"):
        put(open(f, "rb").read())
PY
}

mkdir -p fuzz/artifacts
for t in "${TARGETS[@]}"; do seed "$t"; done
if [ -n "${SEEDS_ONLY:-}" ]; then
  for t in "${TARGETS[@]}"; do echo "$t: $(ls "fuzz/corpus/$t" | wc -l) seeds"; done
  exit 0
fi

cd fuzz
# Build once, then run the binaries directly: the tree may change under us (other work), and a
# rebuild per target would eat the time budget.
[ -n "${NO_BUILD:-}" ] || cargo +nightly fuzz build >/dev/null
BINDIR=$ROOT/fuzz/target/x86_64-unknown-linux-gnu/release
status=0
for t in "${TARGETS[@]}"; do
  log=artifacts/$t.log
  extra=(-rss_limit_mb=4096)
  case $t in
    pdf_extract) extra+=(-timeout=10 -max_len=1048576) ;;
    query) extra+=(-timeout=10 -max_len=2048) ;;
    *) extra+=(-timeout=10 -max_len=65536) ;;
  esac
  echo "== $t for ${SECONDS_PER_TARGET}s"
  start=$(date +%s)
  rc=0
  mkdir -p "artifacts/$t"
  "$BINDIR/$t" "corpus/$t" -artifact_prefix="artifacts/$t/" -max_total_time="$SECONDS_PER_TARGET" \
    -print_final_stats=1 "${extra[@]}" >"$log" 2>&1 || rc=$?
  took=$(( $(date +%s) - start ))
  execs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$' | tail -1 || true)
  result=ok
  if [ $rc -ne 0 ]; then
    result="crash (rc=$rc)"
    status=1
    grep -E 'ERROR: libFuzzer|panicked at|deadly signal|Test unit written' "$log" | head -5 || true
  fi
  printf '%s\t%s\t%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "$t" "$took" "${execs:-?}" "$result" | tee -a artifacts/summary.tsv
done
exit $status
