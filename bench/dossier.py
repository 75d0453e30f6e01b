#!/usr/bin/env python3
"""Latency of the market dossier (GET /api/v1/dossier) on a bench corpus.

Issue 19 asks the dossier for a market and an HS code to answer in under 50 ms p99 on the small
preset. This script serves an index built by `bench/run` (or ingests the preset's corpus itself
with `--ingest`), derives dossier requests from the corpus' own notifications (markets x HS
codes at 2, 4 and 6 digits that occur there, EU member states, which inherit the EU's measures,
and pairs with no measure at all), and measures them sequentially over one keep-alive
connection: client-side p50/p95/p99 per request kind and overall, JSON and (fewer) XLSX.

    bench/dossier.py --preset small --bin target/release/biaozhun [--ingest] [--passes 5]

The report is printed and written to bench/out/<preset>/dossier.json.
"""

import argparse
import collections
import http.client
import json
import os
import random
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402  (the bench's own ingest and serve steps)

EU_STATES = ["DEU", "FRA", "ITA", "ESP", "NLD", "POL"]


def pct(values, p):
    s = sorted(values)
    if not s:
        return 0.0
    k = min(len(s) - 1, max(0, int(round(p / 100.0 * len(s) + 0.5)) - 1))
    return s[k]


def requests_of(out, n, seed):
    """(kind, path) pairs from the corpus notifications, deterministic from `seed`."""
    path = os.path.join(out, "corpus", "notifications", "notifications.jsonl")
    pairs = collections.Counter()
    members = collections.Counter()
    with open(path, encoding="utf-8") as f:
        for line in f:
            n_ = json.loads(line)
            m = n_.get("member")
            members[m] += 1
            for hs in n_.get("hs_codes") or []:
                digits = "".join(c for c in hs if c.isdigit())
                for size in (2, 4, 6):
                    if len(digits) >= size:
                        pairs[(m, digits[:size])] += 1
    rng = random.Random(seed)
    by_size = {s: [p for p in pairs if len(p[1]) == s] for s in (2, 4, 6)}
    out_reqs = []
    per_kind = max(1, n // 5)
    for size, kind in ((2, "hs2"), (4, "hs4"), (6, "hs6")):
        pool = sorted(by_size[size])
        for m, hs in rng.sample(pool, min(per_kind, len(pool))):
            out_reqs.append((kind, {"market": m, "hs": hs}))
    # EU member states: their own measures plus the EU's.
    eu4 = sorted(p for p in by_size[4] if p[0] == "EU")
    for i, (_, hs) in enumerate(rng.sample(eu4, min(per_kind, len(eu4)))):
        out_reqs.append(("eu-state", {"market": EU_STATES[i % len(EU_STATES)], "hs": hs}))
    # A market with no measure for the product: Chinese standards only.
    markets = sorted(members)
    for _ in range(per_kind):
        m = rng.choice(markets)
        hs = "%02d" % rng.randint(1, 97)
        if (m, hs) not in pairs:
            out_reqs.append(("no-measure", {"market": m, "hs": hs}))
    return [(k, "/api/v1/dossier?" + urllib.parse.urlencode(dict(q, open_on="2026-12-01")))
            for k, q in out_reqs]


def measure(port, reqs, passes):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def get(path):
        t = time.perf_counter()
        conn.request("GET", path)
        r = conn.getresponse()
        body = r.read()
        ms = (time.perf_counter() - t) * 1000
        if r.status != 200:
            raise SystemExit(f"GET {path} -> {r.status}: {body[:300]!r}")
        return ms, body

    sizes = {}
    for kind, path in reqs:  # warm-up pass, and what the answers hold
        _, body = get(path)
        j = json.loads(body)
        sizes[path] = (len(j.get("measures", [])), len(j.get("cited", [])), len(j.get("chinese", [])))
    by_kind = collections.defaultdict(list)
    every = []
    for _ in range(passes):
        for kind, path in reqs:
            ms, _ = get(path)
            by_kind[kind].append(ms)
            every.append(ms)
    xlsx = []
    for kind, path in reqs[: max(1, len(reqs) // 4)]:
        ms, _ = get(path + "&format=xlsx")
        xlsx.append(ms)
    conn.close()
    summary = lambda v: {"n": len(v), "p50_ms": pct(v, 50), "p95_ms": pct(v, 95),  # noqa: E731
                         "p99_ms": pct(v, 99), "max_ms": max(v)}
    measures = [s[0] for s in sizes.values()]
    chinese = [s[2] for s in sizes.values()]
    return {
        "all": summary(every),
        "by_kind": {k: summary(v) for k, v in sorted(by_kind.items())},
        "xlsx": summary(xlsx),
        "answers": {"requests": len(reqs), "mean_measures": sum(measures) / len(measures),
                    "max_measures": max(measures), "mean_chinese": sum(chinese) / len(chinese)},
    }


def main():
    ap = argparse.ArgumentParser(description="dossier latency on a bench corpus")
    ap.add_argument("--preset", choices=["smoke", "small", "full"], default="small")
    ap.add_argument("--bin", default=os.path.join(bench.ROOT, "target", "release", "biaozhun"))
    ap.add_argument("--config", default=os.path.join(bench.ROOT, "index-config"))
    ap.add_argument("--index", help="index to serve (default bench/out/<preset>/biaozhun-index)")
    ap.add_argument("--ingest", action="store_true", help="ingest the corpus into --index first")
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--requests", type=int, default=100, help="distinct dossier requests")
    ap.add_argument("--passes", type=int, default=5)
    ap.add_argument("--seed", type=int, default=20261207)
    ap.add_argument("--label", default="", help="name of this run in the output file")
    a = ap.parse_args()
    out = os.path.join(bench.ROOT, "bench", "out", a.preset)
    if not os.path.exists(os.path.join(out, "manifest.json")):
        raise SystemExit(f"no corpus in {out}: run bench/run --preset {a.preset} first")
    idx = a.index or os.path.join(out, "biaozhun-index")
    if a.ingest:
        a.reuse_index, a.no_optimize = False, False
        man = json.load(open(os.path.join(out, "manifest.json")))
        idx, res = bench.ingest(a, out, man)
        idx_target = a.index or idx
        if idx_target != idx:
            raise SystemExit("--ingest writes bench/out/<preset>/biaozhun-index; omit --index")
    if not os.path.isdir(idx):
        raise SystemExit(f"no index at {idx}: run bench/run first or pass --ingest")
    reqs = requests_of(out, a.requests, a.seed)
    bench.log(f"{len(reqs)} dossier requests x {a.passes} passes against {a.bin}")
    proc, port = bench.serve(a, idx)
    try:
        res = measure(port, reqs, a.passes)
    finally:
        proc.terminate()
        proc.wait()
    res.update({"bin": a.bin, "index": idx, "preset": a.preset, "load": bench.sh("cat /proc/loadavg"),
                "label": a.label, "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())})
    path = os.path.join(out, f"dossier{('-' + a.label) if a.label else ''}.json")
    with open(path, "w") as f:
        json.dump(res, f, indent=1)
    print(f"| kind | n | p50 ms | p95 ms | p99 ms | max ms |\n|---|---:|---:|---:|---:|---:|")
    for k, v in list(res["by_kind"].items()) + [("all", res["all"]), ("xlsx", res["xlsx"])]:
        print(f"| {k} | {v['n']} | {v['p50_ms']:.2f} | {v['p95_ms']:.2f} | {v['p99_ms']:.2f} | {v['max_ms']:.2f} |")
    print(f"answers: {res['answers']}; load {res['load']}; written to {path}")


if __name__ == "__main__":
    main()
