#!/usr/bin/env bash
# Crash safety of `biaozhun ingest`: an ingest killed with SIGKILL at a random point leaves an
# index that opens and holds exactly the documents of the last commit (no partial batch, no
# duplicate), and a re-run completes with no duplicate and no loss.
#
#   scripts/crash-test.sh [KILLS]      # default 5 kills; exits non-zero if any check fails
#
# It generates a corpus in a temp dir (3,000 small standard .txt files plus a 30,000-record JSONL
# catalog, 1,000 of whose records share a code with a text file so the merge path runs too),
# builds a reference index with a complete ingest (base commit, then the corpus), then, on a
# second index holding only the base commit, starts the corpus ingest KILLS times (each time from
# a copy of that base state) and kills it with SIGKILL after a random delay. After each kill: the
# index opens, holds exactly the base commit's documents (or the whole corpus, if the kill came
# after the ingest's commit; never anything in between), and every sampled id has one hit (or
# none, for corpus ids not committed). Finally a complete re-run must
# match the reference: same total per kind, every sampled id exactly once.
# Env: BIN (default target/release/biaozhun, built when missing), KEEP=1 keeps the temp dir.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
KILLS=${1:-5}
BIN=${BIN:-$ROOT/target/release/biaozhun}
if [ ! -x "$BIN" ]; then
  cargo build --release -p biaozhun-api --bin biaozhun
fi
WORK=$(mktemp -d /tmp/biaozhun-crash.XXXXXX)
cleanup() { [ -n "${KEEP:-}" ] && echo "kept $WORK" || rm -rf "$WORK"; }
trap cleanup EXIT

echo "== generating the corpus in $WORK/corpus"
python3 - "$WORK/corpus" <<'PY'
import json, os, random, sys
out = sys.argv[1]
os.makedirs(os.path.join(out, "texts"), exist_ok=True)
rnd = random.Random(7)
words = ["马铃薯", "种薯", "质量", "检验", "规程", "技术", "要求", "食品安全", "饲料", "玩具",
         "电动汽车", "充电", "安全", "方法", "测定", "农药", "残留", "信息", "文献", "参考"]
# 3,000 text files: GB/T 90001-2024 ... GB/T 93000-2024
for i in range(3000):
    n = 90001 + i
    title = "".join(rnd.sample(words, 4))
    body = "\n".join(
        f"{k}  {''.join(rnd.sample(words, 3))}\n\n本文件规定了{''.join(rnd.sample(words, 5))}的要求。"
        for k in range(1, 6))
    text = (f"ICS 65.020.30\nCCS B43\n\nGB/T {n}—2024\n\n中华人民共和国国家标准\n\n"
            f"{title}\n\nTest standard number {n}\n\n2024-01-15 发布                    2024-08-01 实施\n\n"
            f"国家市场监督管理总局  国家标准化管理委员会  发布\n\n前  言\n\n本文件按照GB/T 1.1—2020的规定起草。\n\n"
            f"{body}\n")
    with open(os.path.join(out, "texts", f"GBT{n}-2024.txt"), "w", encoding="utf-8") as f:
        f.write(text)
# 30,000 catalog records: GB/T 60001-2023 ... GB/T 89000-2023, plus 1,000 sharing a code with a text
with open(os.path.join(out, "catalog.jsonl"), "w", encoding="utf-8") as f:
    for i in range(29000):
        n = 60001 + i
        f.write(json.dumps({"code": f"GB/T {n}-2023", "title_zh": "".join(rnd.sample(words, 4)),
                            "status": "现行", "issue_date": "2023-03-01",
                            "implement_date": "2023-10-01", "ics": ["65.020"]},
                           ensure_ascii=False) + "\n")
    for i in range(1000):
        n = 90001 + i * 3
        f.write(json.dumps({"code": f"GB/T {n}-2024", "title_zh": "目录题名",
                            "status": "现行", "issue_date": "2024-01-15"},
                           ensure_ascii=False) + "\n")
PY
BASE=$ROOT/fixtures/catalog/standards.jsonl
CORPUS=$WORK/corpus
# Ids checked for "exactly one hit": base records, catalog-only, text-only and merged ones.
SAMPLE_BASE=("GB/T 7714-2015" "GB 2763-2021")
SAMPLE_NEW=("GB/T 60001-2023" "GB/T 74321-2023" "GB/T 89000-2023" "GB/T 90001-2024"
            "GB/T 90002-2024" "GB/T 91500-2024" "GB/T 93000-2024" "GB/T 92998-2024")

# total of kind $2 in index $1
total() {
  "$BIN" search --index "$1" --kind "$2" --json --limit 1 "" | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])'
}
# hits whose id is exactly $2 when searching for it in index $1
hits_of() {
  "$BIN" search --index "$1" --json --limit 50 "$2" |
    python3 -c 'import json,sys; want=sys.argv[1]; print(sum(1 for h in json.load(sys.stdin)["hits"] if h["id"]==want))' "$2"
}
ingest() { "$BIN" ingest --no-ocr --index "$@" >/dev/null 2>&1; }

fail=0
check_eq() { # what, got, want
  if [ "$2" != "$3" ]; then echo "FAIL: $1: got $2, want $3"; fail=1; else echo "ok: $1 = $2"; fi
}

echo "== reference: complete ingest"
ingest "$WORK/ref" "$BASE"
REF_BASE_STD=$(total "$WORK/ref" standard)
start=$(date +%s.%N)
ingest "$WORK/ref" "$CORPUS"
FULL_SECS=$(python3 -c "import time; print(round(time.time() - $start, 2))")
REF_STD=$(total "$WORK/ref" standard)
echo "reference: $REF_BASE_STD standards after the base commit, $REF_STD after the corpus (ingest took ${FULL_SECS}s)"
want_std=$((REF_BASE_STD + 32000))
check_eq "reference standards (base + 29,000 catalog + 3,000 texts, 1,000 merged)" "$REF_STD" "$want_std"

echo "== crash runs"
ingest "$WORK/crash" "$BASE"
cp -a "$WORK/crash" "$WORK/base-snapshot"
passed=0
for k in $(seq 1 "$KILLS"); do
  # Every run starts from the base commit, so each kill interrupts a real ingest of the corpus.
  rm -rf "$WORK/crash" && cp -a "$WORK/base-snapshot" "$WORK/crash"
  delay=$(python3 -c "import random; print(round(random.uniform(0.1, 0.6) * $FULL_SECS, 2))")
  "$BIN" ingest --no-ocr --index "$WORK/crash" "$CORPUS" >"$WORK/run-$k.out" 2>&1 &
  pid=$!
  sleep "$delay"
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "FAIL: kill $k: the ingest finished before ${delay}s; not a crash run"; wait "$pid" || true; fail=1; continue
  fi
  kill -KILL "$pid"
  wait "$pid" 2>/dev/null || true
  before=$fail
  got=$(total "$WORK/crash" standard) || { echo "FAIL: kill $k: index does not open"; fail=1; continue; }
  # The last commit is the base one, unless the kill landed after the ingest's own commit.
  if [ "$got" = "$REF_STD" ]; then
    echo "note: kill $k at ${delay}s came after the ingest's commit"
    want=$REF_STD; new_hits=1
  else
    want=$REF_BASE_STD; new_hits=0
  fi
  check_eq "kill $k at ${delay}s: standards = the last commit's" "$got" "$want"
  for id in "${SAMPLE_BASE[@]}"; do check_eq "kill $k: hits of $id" "$(hits_of "$WORK/crash" "$id")" 1; done
  for id in "${SAMPLE_NEW[@]}"; do check_eq "kill $k: hits of $id" "$(hits_of "$WORK/crash" "$id")" "$new_hits"; done
  [ "$fail" = "$before" ] && passed=$((passed + 1))
done

echo "== complete re-run"
ingest "$WORK/crash" "$CORPUS" || { echo "FAIL: re-run failed"; fail=1; }
check_eq "standards after the re-run" "$(total "$WORK/crash" standard)" "$REF_STD"
for kind in notification regulation; do
  check_eq "$kind after the re-run" "$(total "$WORK/crash" $kind)" "$(total "$WORK/ref" $kind)"
done
for id in "${SAMPLE_BASE[@]}" "${SAMPLE_NEW[@]}"; do
  check_eq "hits of $id after the re-run" "$(hits_of "$WORK/crash" "$id")" 1
done
echo "== a second re-run changes nothing (every file unchanged)"
ingest "$WORK/crash" "$CORPUS" || true
check_eq "standards after a second re-run" "$(total "$WORK/crash" standard)" "$REF_STD"

echo "crash runs passed: $passed/$KILLS"
[ "$passed" = "$KILLS" ] || fail=1
exit $fail
