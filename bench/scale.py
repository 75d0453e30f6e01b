#!/usr/bin/env python3
"""Cost as work grows (issue 15): in-process q/s and p99 of biaozhun, and of Xapian where its
index exists, at 24k, 100k, 300k and 1M documents. Called by `bench/scale`; see bench/README.md.

    bench/scale [--bin BIN] [--config DIR] [--root DIR] [--sizes 24k,100k,300k,300k-cap2k,1m]
                [--generate] [--ingest] [--xapian] [--segmenter rjieba] [--label NAME]

Each size is a corpus directory ROOT/<size> (manifest.json, queries.jsonl, corpus/, docs.jsonl:
bench/gen_corpus.py's output) with the biaozhun index in ROOT/<size>/biaozhun-index (a directory
or a symbolic link to one). `--generate` makes the missing corpora (gen_corpus.py at nice 19:
standards and notifications 5:1 like the presets; 1M bodies capped at 2,048 B to stay well under
15 GB of disk and within a session's CPU; 300k-cap2k is the 300k corpus with its texts cut at
2,048 B by cap_corpus.py: body length at equal documents against 300k, documents at equal body
length against 1M), `--ingest` builds the missing indexes with BIN (ingest + optimize, nice 19).
Nothing is regenerated or re-ingested when present: re-run with another `--bin` (same schema)
to measure a new binary on the same indexes.

Per size, in order of size: the load average, then `BIN querybench queries.jsonl --passes P
--best-of B --shapes facets,hits_only --json` (from the checkout, so the HS names are found),
then with `--xapian` the Xapian peer (bench/peers.py, in process, one process per core, no
snippets) when its index of that corpus and segmenter is cached (`peers.py xapian DIR
--segmenter S --index-only` builds it; `--xapian-build` here builds the missing ones, which at 1M
takes hours). Writes ROOT/scale-<label>.json and prints the Markdown table.
"""

import argparse
import datetime
import json
import os
import resource
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DEB_PY = "/usr/bin/python3"
# size -> (standards, notifications, body cap in bytes, derived from: the texts of that size's
# corpus cut at the cap by cap_corpus.py instead of a new generation)
SIZES = {
    "24k": (20_000, 4_000, 0, None),
    "100k": (83_333, 16_667, 0, None),
    "300k": (250_000, 50_000, 0, None),
    "300k-cap2k": (250_000, 50_000, 2_048, "300k"),
    "1m": (833_333, 166_667, 2_048, None),
}


def loadavg():
    with open("/proc/loadavg") as f:
        return f.read().strip()


def log(msg):
    print(f"[scale {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def generate(d, size):
    n_std, n_not, cap, src = SIZES[size]
    if src:
        log(f"{size}: the {src} corpus with texts cut at {cap} B into {d}")
        subprocess.run(["nice", "-n", "19", sys.executable, os.path.join(HERE, "cap_corpus.py"),
                        os.path.join(os.path.dirname(d), src), d, "--body-cap", str(cap)], check=True)
        return
    log(f"{size}: generating {n_std} standards + {n_not} notifications (cap {cap}) into {d}")
    subprocess.run(["nice", "-n", "19", sys.executable, os.path.join(HERE, "gen_corpus.py"), "--preset",
                    "full", "--standards", str(n_std), "--notifications", str(n_not), "--body-cap",
                    str(cap), "--out", d], check=True)


def ingest(a, d, idx):
    log(f"ingesting {d} with {a.bin} (nice 19)")
    t = time.time()
    # --max-file-size: the 1M catalog (standards.jsonl) is 213 MB, over ingest's 200 MiB default,
    # which refuses the file and leaves the standards without their catalog records.
    subprocess.run(["nice", "-n", "19", a.bin, "ingest", "--index", idx, "--config", a.config, "--no-ocr",
                    "--threads", str(os.cpu_count() or 2), "--max-file-size", str(1 << 30),
                    os.path.join(d, "corpus")],
                   check=True, stdout=subprocess.DEVNULL)
    subprocess.run(["nice", "-n", "19", a.bin, "optimize", "--index", idx], check=True,
                   stdout=subprocess.DEVNULL)
    log(f"ingest + optimize {time.time() - t:.0f} s")


def querybench(a, d, idx):
    p = subprocess.run([a.bin, "querybench", os.path.join(d, "queries.jsonl"), "--index", idx,
                        "--passes", str(a.passes), "--best-of", str(a.best_of), "--shapes",
                        "facets,hits_only", "--json"], capture_output=True, text=True, cwd=ROOT)
    if p.returncode != 0:
        raise SystemExit(f"querybench on {idx} failed: {p.stderr[-1500:]}")
    return {x["shape"]: x for x in json.loads(p.stdout)}


def children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def cpu_per_query(a, d, idx, shape):
    """Mean CPU ms per query of one shape, robust to a loaded machine (wall clock is not): the CPU
    time of `querybench --passes 1+N` (N = --cpu-passes) minus that of `--passes 1` (the index
    open, warm-up and first pass cancel out), divided by the executions the extra passes add
    (each pass runs every query once sequentially and once per throughput thread)."""
    threads = os.cpu_count() or 2
    extra = a.cpu_passes
    cpu = []
    for passes in (1, 1 + extra):
        t = children_cpu()
        p = subprocess.run([a.bin, "querybench", os.path.join(d, "queries.jsonl"), "--index", idx,
                            "--passes", str(passes), "--shapes", shape, "--json"],
                           capture_output=True, text=True, cwd=ROOT)
        if p.returncode != 0:
            raise SystemExit(f"querybench on {idx} failed: {p.stderr[-1500:]}")
        cpu.append(children_cpu() - t)
        if passes == 1:
            nq = json.loads(p.stdout)[0]["queries"]  # the timed samples: queries x passes
    return 1000 * (cpu[1] - cpu[0]) / (extra * nq * (1 + threads))


def xapian(a, d, build):
    cmd = [DEB_PY, os.path.join(HERE, "peers.py"), "xapian", d, str(a.passes), "--segmenter", a.segmenter]
    seg_dir = "xapian" if a.segmenter == "jieba" else f"xapian-{a.segmenter}"
    if not os.path.exists(os.path.join(d, "peers", seg_dir + ".index.json")):
        if not build:
            return None
        subprocess.run(["nice", "-n", "19", sys.executable, os.path.join(HERE, "peers.py"), "segment", d,
                        "--segmenter", a.segmenter], check=True)
        subprocess.run(["nice", "-n", "19"] + cmd + ["--index-only"], check=True)
    runs = []
    for passes in ((1, 1 + a.cpu_passes) if a.cpu else (a.passes,)):
        t = children_cpu()
        cmd[4] = str(passes)
        p = subprocess.run(cmd + ["--no-snippets"], capture_output=True, text=True)
        if p.returncode != 0:
            raise SystemExit(f"xapian on {d} failed: {p.stderr[-1500:]}")
        runs.append((children_cpu() - t, json.loads(p.stdout.strip().splitlines()[-1])))
    res = runs[-1][1]
    if a.cpu:
        # The same difference as cpu_per_query: each pass runs every query once sequentially and
        # once in each of the one-per-core throughput processes.
        threads = os.cpu_count() or 2
        res["cpu_ms_per_query"] = (1000 * (runs[1][0] - runs[0][0])
                                   / (a.cpu_passes * res["queries"] * (1 + threads)))
    return res


def ok_total(s):
    return (sum(g["ok"] for k, g in s.items() if k != "topic"),
            sum(g["n"] for k, g in s.items() if k != "topic"))


def cpu(x):
    return f"{x['cpu_ms_per_query']:.3f}" if "cpu_ms_per_query" in x else "n/a"


def table(res):
    out = ["| documents | text GB | facets p50 / p99 ms | facets q/s | facets CPU ms/q | hits only p50 / p99 ms | "
           "hits only q/s | hits only CPU ms/q | Xapian p50 / p99 ms | Xapian q/s | Xapian CPU ms/q | hits only / Xapian "
           "(q/s; CPU per query) | Xapian success | "
           "load before / after |",
           "|---|---:|---|---:|---:|---|---:|---:|---|---:|---:|---:|---:|---|"]
    for p in res["points"]:
        m = p["manifest"]
        f_, h = p["biaozhun"]["facets"], p["biaozhun"]["hits_only"]
        x = p.get("xapian")
        cap = f" (bodies <= {m['body_cap']:,} B)" if m.get("body_cap") else ""
        xs = (f"{x['p50_ms']:.2f} / {x['p99_ms']:.2f} | {x['qps_all_cores']:,.0f} | {cpu(x)} | "
              f"{h['throughput_qps'] / x['qps_all_cores']:.2f}x"
              + (f" (CPU {x['cpu_ms_per_query'] / h['cpu_ms_per_query']:.2f}x)"
                 if "cpu_ms_per_query" in x and "cpu_ms_per_query" in h else "")
              + f" | {'%d/%d' % ok_total(x['success'])}"
              if x else "n/a | n/a | n/a | n/a | n/a")
        out.append(f"| {m['standards'] + m['notifications']:,}{cap} | {m['text_bytes'] / 1e9:.2f} | "
                   f"{f_['p50_ms']:.2f} / {f_['p99_ms']:.2f} | {f_['throughput_qps']:,.0f} | {cpu(f_)} | "
                   f"{h['p50_ms']:.2f} / {h['p99_ms']:.2f} | {h['throughput_qps']:,.0f} | {cpu(h)} | {xs} | "
                   f"{p['load_before'].split()[0]} / {p['load_after'].split()[0]} |")
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0], epilog=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "biaozhun"))
    ap.add_argument("--config", default=os.path.join(ROOT, "index-config"))
    ap.add_argument("--root", default=os.path.join(HERE, "out", "scale"))
    ap.add_argument("--sizes", default=",".join(SIZES))
    ap.add_argument("--generate", action="store_true", help="generate the missing corpora (nice 19)")
    ap.add_argument("--ingest", action="store_true", help="ingest the missing indexes with --bin (nice 19)")
    ap.add_argument("--xapian", action="store_true", help="measure Xapian where its index is cached")
    ap.add_argument("--xapian-build", action="store_true", help="segment and index for Xapian where missing")
    ap.add_argument("--segmenter", choices=["jieba", "rjieba"], default="rjieba")
    ap.add_argument("--passes", type=int, default=3)
    ap.add_argument("--best-of", type=int, default=3)
    ap.add_argument("--cpu", action="store_true",
                    help="also the mean CPU ms per query of each shape (load-independent; 4 more runs)")
    ap.add_argument("--cpu-passes", type=int, default=10,
                    help="passes the second CPU run adds (more: the fixed start-up cost weighs less)")
    ap.add_argument("--label", default="run", help="names the result file ROOT/scale-LABEL.json")
    a = ap.parse_args()
    a.bin = os.path.abspath(a.bin)
    if not os.path.exists(a.bin):
        raise SystemExit(f"{a.bin} not found: build it with `cargo build --release -p biaozhun-api`")
    res = {"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
           "bin": a.bin, "git": subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"],
                                                capture_output=True, text=True).stdout.strip(),
           "passes": a.passes, "best_of": a.best_of, "segmenter": a.segmenter, "points": []}
    for size in a.sizes.split(","):
        if size not in SIZES:
            raise SystemExit(f"unknown size {size!r}: one of {', '.join(SIZES)}")
        d = os.path.join(a.root, size)
        if not os.path.exists(os.path.join(d, "manifest.json")):
            if not a.generate:
                log(f"{size}: no corpus in {d} (pass --generate): skipped")
                continue
            generate(d, size)
        idx = os.path.join(d, "biaozhun-index")
        if not os.path.isdir(idx):
            if not a.ingest:
                log(f"{size}: no index {idx} (pass --ingest): skipped")
                continue
            ingest(a, d, idx)
        man = json.load(open(os.path.join(d, "manifest.json")))
        point = {"size": size, "dir": d, "manifest": man, "load_before": loadavg()}
        log(f"{size}: querybench ({man['standards'] + man['notifications']} documents), load {point['load_before']}")
        point["biaozhun"] = querybench(a, d, idx)
        for k, x in point["biaozhun"].items():
            log(f"{size} {k}: p50 {x['p50_ms']:.2f} ms, p99 {x['p99_ms']:.2f} ms, {x['throughput_qps']:.0f} q/s")
        if a.cpu:
            for k in ("facets", "hits_only"):
                point["biaozhun"][k]["cpu_ms_per_query"] = cpu_per_query(a, d, idx, k)
                log(f"{size} {k}: {point['biaozhun'][k]['cpu_ms_per_query']:.3f} CPU ms per query")
        if a.xapian or a.xapian_build:
            point["load_before_xapian"] = loadavg()
            x = xapian(a, d, a.xapian_build)
            if x:
                point["xapian"] = x
                log(f"{size} xapian: p50 {x['p50_ms']} ms, p99 {x['p99_ms']} ms, {x['qps_all_cores']} q/s")
        point["load_after"] = loadavg()
        res["points"].append(point)
    os.makedirs(a.root, exist_ok=True)
    path = os.path.join(a.root, f"scale-{a.label}.json")
    with open(path, "w") as f:
        json.dump(res, f, ensure_ascii=False, indent=1)
    log(f"figures in {path}")
    print(f"{res['date']}, git {res['git']}, `{a.bin}`, querybench --passes {a.passes} --best-of {a.best_of} "
          f"(2 threads for q/s); Xapian with {a.segmenter}, one process per core:\n")
    print(table(res))


if __name__ == "__main__":
    main()
