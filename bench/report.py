#!/usr/bin/env python3
"""Markdown report of one benchmark run (bench/out/<preset>/results.json -> report.md).

`python3 bench/report.py bench/out/small/results.json` re-renders a report without re-running.
"""

import json
import os
import sys

PEER_CONFIG = {
    "sqlite": "SQLite FTS5 (python sqlite3), `unicode61` tokenizer over jieba `cut_for_search` text "
              "(default dictionary); all query words required; `bm25(code 10, title 5, body 1)`; filters "
              "as UNINDEXED columns in the WHERE clause; snippets with `snippet()`.",
    "xapian": "Xapian 1.4 (Debian python3-xapian), TermGenerator over the jieba text, title wdf x5, code "
              "under prefix `XC` x10; all words required (OP_AND of OR(body/title, code)); filters as "
              "boolean terms (OP_FILTER); BM25 default; snippets with `MSet.snippet()` over stored text.",
    "sphinx": "Sphinx 2.2.11 (Debian sphinxsearch) searchd over SphinxQL, raw text, CJK as unigrams "
              "(`ngram_len=1`, `ngram_chars=U+3000..U+2FA1F`), full-width ASCII folded; every "
              "space-separated query word a phrase; `field_weights=(code 10, title 5, body 1)`; "
              "filters as uint attributes. No snippets measured (CALL SNIPPETS needs the text "
              "passed in).",
    "whoosh": "whoosh-reloaded 2.7.5 (pip), regex tokenizer over the jieba text, BM25F with field "
              "boosts title 5, code 10; all words required; filters as ID fields; multi-process "
              "writer; snippets with `Hit.highlights()` over stored text.",
}
GROUPS = ["code", "title", "topic", "filtered", "symbol", "notification"]
GROUP_DOC = {
    "code": "standard number in an odd spelling (`gbt7714`, full width, no year, glued); rank 1",
    "title": "1-2 words of a title that at most 3 titles contain; within 10",
    "topic": "1-3 common words; any hit counts (no expected document)",
    "filtered": "a title word + region or industry + status 现行; within 10",
    "symbol": "WTO symbol (lower case, full width or canonical); rank 1",
    "notification": "a title word + member + kind=notification; within 10",
}


def f(v, nd=1):
    if v is None:
        return "n/a"
    if isinstance(v, (int,)) and not isinstance(v, bool):
        return f"{v:,}"
    return f"{v:,.{nd}f}"


def ok_total(s):
    n = sum(g["n"] for k, g in s.items() if k != "topic")
    ok = sum(g["ok"] for k, g in s.items() if k != "topic")
    return ok, n


def best_throughput(r):
    """biaozhun's throughput to set against the peers' (in process, all cores, no facets): the
    in-process hits-only figure when measured, else wrk's best req/s."""
    inp = r.get("inprocess") or {}
    if "hits_only" in inp:
        x = inp["hits_only"]
        return x["throughput_qps"], f"in process, hits only, {x['threads']} threads (querybench)"
    best = max((x["rps"] for x in r.get("wrk", [])), default=r["latency"]["plain"]["qps_1conn"])
    return best, "wrk's best req/s over HTTP"


def render_ingest(w, ing):
    """The ingest section (absent when the run queried an index built earlier)."""
    w("## Ingest (`biaozhun ingest`, release, `--threads %s --no-ocr`)\n" % (ing.get("threads", "2")))
    w("| documents | text MB | wall s | CPU s | docs/s | MB/s | peak RSS MB | index MB | exit |")
    w("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    w(f"| {ing['docs']:,} | {ing['bytes'] / 1e6:,.0f} | {f(ing['seconds'])} | {f(ing['cpu_seconds'])} | "
      f"{f(ing['docs_per_s'], 0)} | {f(ing['mb_per_s'], 2)} | {f(ing['peak_rss_mb'], 0)} | "
      f"{f(ing['index_bytes'] / 1e6, 0)} | {ing['exit']} |\n")
    w("Ingest summary: `" + " / ".join(ing["summary"]) + "`\n")
    opt = ing.get("optimize")
    if opt:
        both = ing["seconds"] + opt["wall_seconds"]
        w(f"Then `biaozhun optimize` merged the {opt['segments_before']} segments the ingest left into "
          f"{opt['segments_after']} in {f(opt['wall_seconds'])} s (index {f(opt['index_bytes'] / 1e6, 0)} MB "
          f"after dropping the documents the merge of texts and catalog records replaced). Ingest and "
          f"optimize together: {f(both)} s = {f(ing['bytes'] / 1e6 / both, 2)} MB/s. The queries below "
          "ran on the optimized index.\n")
    else:
        w("The queries below ran on the index as the ingest left it (not optimized).\n")
    if ing.get("reused"):
        w("The ingest figures above are those of the earlier ingest whose index this run queried "
          f"(`--reuse-index`, built by `{ing.get('bin', '?')}`).\n")


def render(r, queries=None):
    m = r["machine_start"]
    me = r.get("machine_end", m)
    man = r["manifest"]
    ing = r["ingest"]
    lat = r["latency"]
    out = []
    w = out.append
    w(f"# biaozhun benchmark: preset `{r['preset']}`\n")
    w(f"- Date: {m['date']}; git {m['git']}; binary `{r['bin']}`")
    w(f"- Machine: {m['nproc']} cores ({m['cpu']}); memory:\n\n```\n{m['free']}\n```\n")
    w(f"- Load average (1/5/15 min, runnable/total, last pid) at start `{m['load']}`, "
      f"after ingest `{ing['load_after']}`, at end `{me['load']}` (the run's own processes count: "
      "wrk and the server keep 2 cores busy). Absolute times depend on what else the machine runs; "
      "compare the ratios, measured in the same run.")
    w(f"- Total run time {r.get('total_seconds', 0) / 60:.1f} min.\n")
    w("## Corpus\n")
    cap = f", bodies capped at {man['body_cap']:,} B" if man.get("body_cap") else ""
    w(f"Generated by `bench/gen_corpus.py` (seed {man['seed']}{cap}) from the vocabulary of "
      f"`../shared/data`: {man['standards']:,} standards (catalog JSONL + one full text `.txt` per "
      f"standard, {man['text_bytes'] / 1e6:,.0f} MB of text, mean {man['text_bytes'] / man['standards'] / 1e3:.1f} kB) "
      f"and {man['notifications']:,} notifications (JSONL, {man['notification_bytes'] / 1e6:.1f} MB). "
      f"{man['queries']} queries: " + ", ".join(f"{k} {v}" for k, v in man["query_groups"].items()) + ".\n")
    if ing.get("external"):
        w("## Index\n")
        w(f"No ingest in this run: the queries ran on the index `{r.get('index', '?')}` built earlier "
          f"from this corpus ({f(ing['index_bytes'] / 1e6, 0)} MB).\n")
    else:
        render_ingest(w, ing)
    inp = r.get("inprocess")
    if inp:
        w("## Query latency and throughput in process (`biaozhun querybench`, limit 10)\n")
        w("No HTTP, no JSON: `Index::search` timed per query, sequentially over the passes; then "
          "the same passes on every core (one thread per core) for throughput. `facets`: the API "
          "default (every facet counted over all matches); `facets_snippets`: the same with 10 "
          "snippets; `hits_only`: `facets=none`, a page of hits.\n")
        w("| shape | queries | p50 ms | p95 ms | p99 ms | max ms | mean ms | threads | q/s |")
        w("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        for k in ("facets", "facets_snippets", "hits_only"):
            x = inp.get(k)
            if x:
                w(f"| {k} | {x['queries']:,} | {f(x['p50_ms'], 2)} | {f(x['p95_ms'], 2)} | "
                  f"{f(x['p99_ms'], 2)} | {f(x['max_ms'], 1)} | {f(x['mean_ms'], 2)} | {x['threads']} | "
                  f"{f(x['throughput_qps'], 0)} |")
        w("\np99 by query group (ms, in process, facets / with snippets / hits only): " + "; ".join(
            f"{g}: " + " / ".join(f(inp[k]["by_group_p99_ms"].get(g), 2) for k in ("facets", "facets_snippets", "hits_only") if k in inp)
            for g in GROUPS if g in inp.get("facets", {}).get("by_group_p99_ms", {})) + "\n")
    w("## Query latency (HTTP `/api/v1/search`, one keep-alive connection, sequential, limit 10)\n")
    w("Client-side wall time per request (includes HTTP and JSON) and the server's `took_ms`.\n")
    w("| snippets | p50 ms | p95 ms | p99 ms | max ms | server p50 | server p99 | q/s | mean response B |")
    w("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for k in ("plain", "snippets"):
        x = lat[k]
        w(f"| {'10 snippets' if k == 'snippets' else 'none'} | {f(x['p50_ms'], 2)} | {f(x['p95_ms'], 2)} | "
          f"{f(x['p99_ms'], 2)} | {f(x['max_ms'], 1)} | {x['server_p50_ms']} | {x['server_p99_ms']} | "
          f"{f(x['qps_1conn'], 0)} | {f(x['mean_bytes'], 0)} |")
    w("\np99 by query group (ms, client side): " + "; ".join(
        f"{g}: {f(lat['plain']['by_group_p99_ms'].get(g), 1)} / {f(lat['snippets']['by_group_p99_ms'].get(g), 1)} with snippets"
        for g in GROUPS if g in lat["plain"]["by_group_p99_ms"]) + "\n")
    if r.get("wrk"):
        w("## HTTP load (wrk on 127.0.0.1, query set cycled, snippets off, limit 10)\n")
        w("`facets` all: the API default, every facet counted; none: `facets=none`, the small "
          "response of a page of hits.\n")
        w("| facets | concurrency | wrk threads | seconds | requests | req/s | p50 ms | p90 ms | p99 ms | non-2xx | load after |")
        w("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
        for x in r["wrk"]:
            w(f"| {x.get('facets', 'all')} | {x['concurrency']} | {x['threads']} | {x['seconds']} | {x['requests']:,} | {f(x['rps'], 0)} | "
              f"{f(x['p50_ms'], 2)} | {f(x['p90_ms'], 2)} | {f(x['p99_ms'], 2)} | {x['non_2xx']} | `{x['load']}` |")
        w(f"\nwrk runs on the same 2 cores as the server. Server RSS after the load: {f(r.get('serve_rss_mb'), 0)} MB.\n")
    peers = {k: v for k, v in r.get("peers", {}).items() if not k.startswith("_")}
    w("## Success on the query set\n")
    w("ok / queries per group (same rule for every engine: an expected id within `at`).\n")
    cols = ["biaozhun"] + list(peers)
    w("| group | rule | " + " | ".join(cols) + " |")
    w("|---|---|" + "---:|" * len(cols))
    succ = {"biaozhun": r["success"]}
    for k, v in peers.items():
        if "success" in v:
            succ[k] = v["success"]
    for g in GROUPS:
        row = []
        for c in cols:
            s = succ.get(c, {}).get(g)
            row.append(f"{s['ok']}/{s['n']}" if s else "n/a")
        w(f"| {g} | {GROUP_DOC[g]} | " + " | ".join(row) + " |")
    row = []
    for c in cols:
        if c in succ:
            ok, n = ok_total(succ[c])
            row.append(f"**{ok}/{n}** ({100 * ok / max(n, 1):.0f}%)")
        else:
            row.append("n/a")
    w("| **with expectations** | all but topic | " + " | ".join(row) + " |\n")
    if peers:
        seg = r["peers"].get("_segment", {})
        w("## Peers: same corpus, same queries, same machine, same run\n")
        if seg:
            w(f"{seg.get('segmenter', 'jieba')} pre-segmentation of the corpus (shared by SQLite, Xapian "
              f"and whoosh, counted in their index time): {seg['seconds']} s, {seg['mb_per_s']} MB/s on "
              f"{seg.get('processes', m['nproc'])} processes ({seg.get('when', '?')}, load before "
              f"`{seg.get('load_before', '?')}`, after `{seg.get('load_after', '?')}`; cached for "
              "re-runs of the same corpus).\n")
        reused = [k for k, v in peers.items() if v.get("index_reused")]
        if reused:
            w(f"Index of {', '.join(reused)} reused from an earlier run of the same corpus and "
              "segmenter: its index time is the one recorded then.\n")
        if peers.get("xapian", {}).get("positions") is False:
            w("Xapian's index here keeps no word positions (`peers.py xapian --no-positions`, to fit the "
              "disk): the query set has no phrase query, so its answers and its speed are those of an "
              "index with positions (checked on the small preset); its index time and size are not.\n")
        bz_best, bz_how = best_throughput(r)
        w("Peers are queried in process from Python (no HTTP, no JSON, no facets). biaozhun's "
          f"latency below is the HTTP client-side time; its q/s at all cores is {bz_how}.\n")
        w("| engine | index s (seg + index) | index MB | p50 ms | p99 ms | snippets p50 / p99 ms | q/s 1 proc | q/s all cores | success |")
        w("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        ok, n = ok_total(r["success"])
        w(f"| **biaozhun** | {f(ing['seconds'])} | {f(ing['index_bytes'] / 1e6, 0)} | {f(lat['plain']['p50_ms'], 2)} | "
          f"{f(lat['plain']['p99_ms'], 2)} | {f(lat['snippets']['p50_ms'], 2)} / {f(lat['snippets']['p99_ms'], 2)} | "
          f"{f(lat['plain']['qps_1conn'], 0)} | {f(bz_best, 0)} | {ok}/{n} |")
        for k, v in peers.items():
            if "error" in v:
                w(f"| {k} | failed: `{v['error'][-200:]!r}` | | | | | | | |")
                continue
            ok, n = ok_total(v["success"])
            idx_s = v["index_seconds"] + v.get("segment_seconds", 0)
            w(f"| {k} | {f(idx_s)} ({f(v.get('segment_seconds', 0))} + {f(v['index_seconds'])}) | "
              f"{f(v['index_bytes'] / 1e6, 0)} | {f(v['p50_ms'], 2)} | {f(v['p99_ms'], 2)} | "
              f"{f(v['snip_p50_ms'], 2)} / {f(v['snip_p99_ms'], 2)} | {f(v['qps_1proc'], 0)} | "
              f"{f(v['qps_all_cores'], 0)} | {ok}/{n} |")
        w("\n### Ratios biaozhun / peer\n")
        w("Latency and index-time ratios below 1 and throughput ratios above 1 favour biaozhun.\n")
        w("| peer | p50 latency | p99 latency | p99 with snippets | throughput (all cores) | index time | success (biaozhun - peer) |")
        w("|---|---:|---:|---:|---:|---:|---:|")
        bok, bn = ok_total(r["success"])
        for k, v in peers.items():
            if "error" in v:
                continue
            ok, n = ok_total(v["success"])
            idx_s = v["index_seconds"] + v.get("segment_seconds", 0)
            sn = (lat["snippets"]["p99_ms"] / v["snip_p99_ms"]) if v.get("snip_p99_ms") else None
            w(f"| {k} | {lat['plain']['p50_ms'] / v['p50_ms']:.2f}x | {lat['plain']['p99_ms'] / v['p99_ms']:.2f}x | "
              f"{f(sn, 2) + 'x' if sn else 'n/a'} | {bz_best / v['qps_all_cores']:.2f}x | "
              f"{f(ing['seconds'] / idx_s, 2) + 'x' if ing['seconds'] else 'n/a'} | {bok - ok:+d} of {bn} |")
        w("\n### Peer configurations\n")
        for k in peers:
            w(f"- **{k}**: {PEER_CONFIG.get(k, '')}")
        w("")
    fails = r.get("failures", [])
    if fails:
        w(f"## biaozhun misses ({len(fails)})\n")
        for x in fails[:30]:
            w(f"- [{x['group']}] `{x['q']}` {x['filters'] or ''}: expected {x['expect']} within {x['at']}, got {x['got']}")
        w("")
    w("## Targets\n")
    snip99 = lat["snippets"]["p99_ms"]
    ndocs = man['standards'] + man['notifications']
    if inp and "facets_snippets" in inp:
        ip99 = inp["facets_snippets"]["p99_ms"]
        w(f"- Query p99 with 10 snippets < 20 ms (at 250k documents), in process: {f(ip99, 2)} ms at "
          f"{ndocs:,} documents -> {'met' if ip99 < 20 else 'MISSED'} at this scale (over HTTP, client "
          f"side: {f(snip99, 2)} ms).")
    else:
        w(f"- Query p99 with 10 snippets < 20 ms (at 250k documents): {f(snip99, 2)} ms at {ndocs:,} documents "
          f"-> {'met' if snip99 < 20 else 'MISSED'} at this scale.")
    c64 = next((x["rps"] for x in r.get("wrk", []) if x["concurrency"] == 64 and x.get("facets", "all") == "all"), None)
    c64s = next((x["rps"] for x in r.get("wrk", []) if x["concurrency"] == 64 and x.get("facets") == "none"), None)
    if c64s is not None:
        w(f"- HTTP >= 2,000 searches/s at concurrency 64 (small responses: `facets=none`): {f(c64s, 0)} -> "
          f"{'met' if c64s >= 2000 else 'MISSED'} (with every facet counted: {f(c64, 0)}).")
    else:
        w(f"- HTTP >= 2,000 searches/s at concurrency 64: {f(c64, 0)} -> {'met' if c64 and c64 >= 2000 else 'MISSED'}.")
    if ing.get("mb_per_s"):
        w(f"- Ingest >= 10 MB/s of text: {f(ing['mb_per_s'], 2)} MB/s -> {'met' if ing['mb_per_s'] >= 10 else 'MISSED'}.")
    live = {k: v for k, v in peers.items() if "error" not in v}
    if live:
        bok, _ = ok_total(r["success"])
        eligible = {k: v for k, v in live.items()}
        best = max(eligible, key=lambda k: eligible[k]["qps_all_cores"])
        bz_best, bz_how = best_throughput(r)
        ratio = bz_best / eligible[best]["qps_all_cores"]
        bo, _ = ok_total(eligible[best]["success"])
        w(f"- >= 3x the best peer's throughput at equal or better success: best peer by throughput is "
          f"{best} ({f(eligible[best]['qps_all_cores'], 0)} q/s, success {bo}) vs biaozhun "
          f"{f(bz_best, 0)} q/s ({bz_how}; success {bok}): {ratio:.2f}x -> {'met' if ratio >= 3 and bok >= bo else 'MISSED'}.")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: report.py results.json")
    res = json.load(open(sys.argv[1]))
    md = render(res)
    path = os.path.join(os.path.dirname(sys.argv[1]), "report.md")
    open(path, "w").write(md)
    print(md)
