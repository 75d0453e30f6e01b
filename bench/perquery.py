#!/usr/bin/python3
"""Query by query: biaozhun (in process, hits only) against Xapian on the same corpus, to find
where biaozhun spends most relative to Xapian (issue 15). Run with Debian's python3 (Xapian's
bindings), after `bench/peers.py xapian OUT --segmenter S --index-only`:

    bench/timed /usr/bin/python3 bench/perquery.py OUT --index IDX --bin BIN [--segmenter rjieba]
                [--best-of 5] [--passes 3] [--top 20] [--label NAME]

biaozhun: `BIN querybench OUT/queries.jsonl --index IDX --shapes hits_only --passes P --best-of B
--slowest N` (every query's fastest of B runs in a row, per pass; printed with 0.01 ms
resolution), the minimum over the passes. Xapian: the peer's own search (bench/peers.py: the same
segmentation of the query, the same query, top 10), each query B runs in a row, fastest kept, the
minimum over P passes; both with Xapian's default (the total may be an estimate: Xapian stops
counting once the top 10 cannot change) and with `check_at_least` = the document count (an exact
total, as biaozhun's hits-only requests give), and the time of the query's segmentation alone
(Python, part of Xapian's figure). Writes OUT/peers/perquery-LABEL.json and prints the groups'
totals and the top N queries by biaozhun/Xapian time.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import peers  # noqa: E402

LINE = re.compile(r"^hits_only\s+([\d.]+) ms\s+(\d+) hits  (.*)$")


def biaozhun(a, queries):
    """Fastest time (ms) and total of each query, by query text (the query set's texts are unique),
    and each query's response (querybench --dump: whether the page was filled with partial
    matches, the expansions)."""
    dump = os.path.join(a.out, "peers", f"perquery-{a.label}.dump.jsonl")
    p = subprocess.run([a.bin, "querybench", os.path.join(a.out, "queries.jsonl"), "--index", a.index,
                        "--shapes", "hits_only", "--passes", str(a.passes), "--best-of", str(a.best_of),
                        "--slowest", str(len(queries) * a.passes), "--dump", dump, "--json"],
                       capture_output=True, text=True, cwd=ROOT)
    if p.returncode != 0:
        raise SystemExit(f"querybench failed: {p.stderr[-1500:]}")
    responses = {}
    with open(dump, encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            responses[d["q"]] = d["response"]
    os.remove(dump)
    best = {}
    for line in p.stderr.splitlines():
        m = LINE.match(line)
        if m:
            ms, total, q = float(m.group(1)), int(m.group(2)), m.group(3)
            if q not in best or ms < best[q][0]:
                best[q] = (ms, total)
    return best, json.loads(p.stdout)[0], responses


def fastest(fn, n):
    t_min = None
    for _ in range(n):
        t = time.perf_counter()
        r = fn()
        ms = (time.perf_counter() - t) * 1000
        t_min = ms if t_min is None else min(t_min, ms)
    return t_min, r


def xapian_times(a, queries):
    import xapian
    db = xapian.Database(peers.peer_dir(a.out, "xapian"))
    enq = xapian.Enquire(db)
    ndocs = db.get_doccount()
    search = peers.xapian_factory(a.out)

    def mset(q, check_at_least):
        # The peer's own query (peers.xapian_query), top 10.
        query = peers.xapian_query(q)
        if query is None:
            return None
        enq.set_query(query)
        return enq.get_mset(0, 10, check_at_least)

    def exact(q):
        return mset(q, ndocs)

    def estimate(q):
        # The estimate of the total the peer would report (Xapian's default).
        return mset(q, 0)

    rows = []
    for q in queries:
        search(q, False)  # warm
        t_def = t_exact = t_seg = None
        for _ in range(a.passes):
            t, _ = fastest(lambda: search(q, False), a.best_of)
            t_def = t if t_def is None else min(t_def, t)
            t, m = fastest(lambda: exact(q), a.best_of)
            t_exact = t if t_exact is None else min(t_exact, t)
            t, _ = fastest(lambda: peers.query_tokens(q["q"]), a.best_of)
            t_seg = t if t_seg is None else min(t_seg, t)
        e = estimate(q)
        rows.append({"ms": t_def, "exact_ms": t_exact, "seg_ms": t_seg,
                     "total": m.get_matches_estimated() if m is not None else 0,
                     "estimated": e.get_matches_estimated() if e is not None else 0,
                     "lower": e.get_matches_lower_bound() if e is not None else 0,
                     "tokens": peers.query_tokens(q["q"])})
    return rows, ndocs


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0], epilog=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", help="the corpus directory (queries.jsonl, peers/)")
    ap.add_argument("--index", required=True, help="biaozhun's index of that corpus")
    ap.add_argument("--bin", required=True)
    ap.add_argument("--segmenter", choices=peers.SEGMENTERS, default="rjieba")
    ap.add_argument("--best-of", type=int, default=5)
    ap.add_argument("--passes", type=int, default=3)
    ap.add_argument("--top", type=int, default=20)
    ap.add_argument("--label", default="run")
    a = ap.parse_args()
    a.out, a.bin, a.index = os.path.abspath(a.out), os.path.abspath(a.bin), os.path.abspath(a.index)
    peers.SEGMENTER = a.segmenter
    queries = peers.load_queries(a.out)
    load_before = open("/proc/loadavg").read().strip()
    bz, bz_summary, responses = biaozhun(a, queries)
    load_mid = open("/proc/loadavg").read().strip()
    xr, ndocs = xapian_times(a, queries)
    load_after = open("/proc/loadavg").read().strip()
    rows = []
    for q, x in zip(queries, xr):
        b_ms, b_total = bz.get(q["q"], (None, None))
        resp = responses.get(q["q"], {})
        if q["group"] in ("code", "symbol"):
            kind = "code or symbol"
        elif resp.get("partial_total", 0) > 0 or resp.get("relaxed"):
            # Fewer than a page of documents have every word: biaozhun fills the page with
            # documents that have some of them (and counts those); Xapian answers the AND only.
            kind = "page filled with partial matches"
        else:
            kind = "page of documents with every word"
        rows.append({"kind": kind, "biaozhun_partial_total": resp.get("partial_total"),
                     "biaozhun_expansions": len(resp.get("understood", {}).get("expansions", [])),"q": q["q"], "group": q["group"], "filters": q.get("filters", {}),
                     "biaozhun_ms": b_ms, "biaozhun_total": b_total, "xapian_ms": round(x["ms"], 4),
                     "xapian_exact_ms": round(x["exact_ms"], 4), "xapian_seg_ms": round(x["seg_ms"], 4),
                     "xapian_total": x["total"], "xapian_estimated": x["estimated"],
                     "xapian_lower_bound": x["lower"], "xapian_tokens": x["tokens"],
                     "ratio": round(b_ms / x["ms"], 2) if b_ms is not None and x["ms"] else None})
    res = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "bin": a.bin, "index": a.index,
           "out": a.out, "segmenter": a.segmenter, "best_of": a.best_of, "passes": a.passes,
           "xapian_docs": ndocs, "load_before": load_before, "load_mid": load_mid, "load_after": load_after,
           "biaozhun_summary": bz_summary, "queries": rows}
    path = os.path.join(a.out, "peers", f"perquery-{a.label}.json")
    with open(path, "w") as f:
        json.dump(res, f, ensure_ascii=False, indent=1)
    print(f"{res['date']}, load {load_before} / {load_mid} / {load_after}; {path}\n")
    print("| group | queries | biaozhun ms (sum of fastest) | Xapian ms | Xapian exact total ms | "
          "Xapian segmentation ms | biaozhun / Xapian |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    groups = {}
    for r in rows:
        groups.setdefault(r["group"], []).append(r)
    groups["all"] = rows
    for g, rs in groups.items():
        b = sum(r["biaozhun_ms"] or 0 for r in rs)
        x = sum(r["xapian_ms"] for r in rs)
        xe = sum(r["xapian_exact_ms"] for r in rs)
        xs = sum(r["xapian_seg_ms"] for r in rs)
        print(f"| {g} | {len(rs)} | {b:.2f} | {x:.2f} | {xe:.2f} | {xs:.2f} | {b / x:.2f}x |")
    print("\n| biaozhun's answer | queries | biaozhun ms | Xapian ms | Xapian exact total ms | "
          "biaozhun / Xapian | expansions per query |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    kinds = {}
    for r in rows:
        kinds.setdefault(r["kind"], []).append(r)
    for k, rs in kinds.items():
        b = sum(r["biaozhun_ms"] or 0 for r in rs)
        x = sum(r["xapian_ms"] for r in rs)
        xe = sum(r["xapian_exact_ms"] for r in rs)
        e = sum(r["biaozhun_expansions"] for r in rs) / len(rs)
        print(f"| {k} | {len(rs)} | {b:.2f} | {x:.2f} | {xe:.2f} | {b / x:.2f}x | {e:.1f} |")
    print(f"\nTop {a.top} by biaozhun / Xapian time (fastest of {a.best_of}, min over {a.passes} passes):\n")
    print("| # | group | query | filters | biaozhun ms | total (partial) | Xapian ms | exact-total ms | "
          "Xapian total (estimate, lower bound) | ratio |")
    print("|---:|---|---|---|---:|---:|---:|---:|---|---:|")
    ranked = sorted((r for r in rows if r["ratio"] is not None), key=lambda r: -r["ratio"])
    for i, r in enumerate(ranked[: a.top], 1):
        f = ", ".join(f"{k}={v}" for k, v in r["filters"].items())
        print(f"| {i} | {r['group']} | {r['q']} | {f} | {r['biaozhun_ms']:.2f} | {r['biaozhun_total']} "
              f"({r['biaozhun_partial_total'] or 0}) | "
              f"{r['xapian_ms']:.3f} | {r['xapian_exact_ms']:.3f} | {r['xapian_total']} "
              f"({r['xapian_estimated']}, {r['xapian_lower_bound']}) | {r['ratio']:.1f}x |")
    print(f"\nTop {a.top} by absolute difference (biaozhun - Xapian ms):\n")
    print("| # | group | query | biaozhun ms | Xapian ms | difference |")
    print("|---:|---|---|---:|---:|---:|")
    ranked = sorted((r for r in rows if r["biaozhun_ms"] is not None),
                    key=lambda r: -(r["biaozhun_ms"] - r["xapian_ms"]))
    for i, r in enumerate(ranked[: a.top], 1):
        print(f"| {i} | {r['group']} | {r['q']} | {r['biaozhun_ms']:.2f} | {r['xapian_ms']:.3f} | "
              f"{r['biaozhun_ms'] - r['xapian_ms']:.2f} |")


if __name__ == "__main__":
    main()
