#!/usr/bin/env python3
"""The biaozhun benchmark driver (called by bench/run): one run, one corpus, one query set.

Steps: generate the corpus (bench/gen_corpus.py) unless it is already there; ingest it with
`biaozhun ingest` under /usr/bin/time -v; serve it with `biaozhun serve` on 127.0.0.1; measure
query latency with and without snippets (sequential keep-alive HTTP client, and the server's own
took_ms); load it with wrk at concurrency 1, 8 and 64 (bounded by time, loopback only); run the
peers (bench/peers.py) on the same corpus and queries; write bench/out/<preset>/report.md and
results.json, and copy the report to bench/out/report.md.
"""

import argparse
import datetime
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
# One definition of percentiles and of success for biaozhun and every peer: the same rule.
from peers import pct, success  # noqa: E402
ROOT = os.path.dirname(HERE)
PYENV_PY = shutil.which("python3") or sys.executable
DEB_PY = "/usr/bin/python3"
PEERS = ["sqlite", "xapian", "sphinx", "whoosh"]
PEER_PY = {"sqlite": PYENV_PY, "whoosh": PYENV_PY, "xapian": DEB_PY, "sphinx": DEB_PY}
DURATION = {"smoke": 4, "small": 12, "full": 15}
PASSES = {"smoke": 2, "small": 3, "full": 3}


def sh(cmd):
    return subprocess.run(cmd, shell=True, capture_output=True, text=True).stdout.strip()


def machine():
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": sh("nproc"),
        "cpu": sh("lscpu | sed -n 's/^Model name: *//p'"),
        "free": sh("free -h"),
        "load": sh("cat /proc/loadavg"),
        "git": sh(f"git -C {ROOT} rev-parse --short HEAD"),
    }


def log(msg):
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def dir_size(path):
    total = 0
    for root, _, files in os.walk(path):
        for fn in files:
            total += os.path.getsize(os.path.join(root, fn))
    return total


def generate(a, out):
    man = os.path.join(out, "manifest.json")
    if a.corpus:
        if not os.path.exists(man):
            raise SystemExit(f"--corpus {out}: no manifest.json there (generate it with bench/gen_corpus.py)")
        m = json.load(open(man))
        log(f"corpus {out} ({m['standards']} standards, {m['text_bytes'] / 1e6:.0f} MB), reusing")
        return m
    if os.path.exists(man) and not a.regen:
        m = json.load(open(man))
        if m.get("body_cap", 0) == a.body_cap:
            log(f"corpus exists ({m['standards']} standards, {m['text_bytes'] / 1e6:.0f} MB), reusing")
            return m
    shutil.rmtree(out, ignore_errors=True)
    log(f"generating the {a.preset} corpus into {out}")
    cmd = [sys.executable, os.path.join(HERE, "gen_corpus.py"), "--preset", a.preset, "--out", out,
           "--body-cap", str(a.body_cap)]
    if a.standards:
        cmd += ["--standards", str(a.standards)]
    subprocess.run(cmd, check=True)
    return json.load(open(man))


def ingest(a, out, man):
    if a.index:
        # An index built earlier (by a binary of the same schema): no ingest figures this run.
        docs = man["standards"] + man["notifications"]
        log(f"querying the existing index {a.index}, not ingesting")
        return a.index, {"reused": True, "external": True, "bin": "?", "docs": docs,
                         "bytes": man["text_bytes"] + man["catalog_bytes"] + man["notification_bytes"],
                         "seconds": None, "cpu_seconds": None, "docs_per_s": None, "mb_per_s": None,
                         "peak_rss_mb": None, "index_bytes": dir_size(a.index), "exit": "n/a",
                         "threads": "n/a", "summary": [], "load_after": sh("cat /proc/loadavg"),
                         "optimize": None}
    idx = os.path.join(out, "biaozhun-index")
    saved = os.path.join(out, "ingest.json")
    if a.reuse_index and os.path.isdir(idx) and os.path.exists(saved):
        res = json.load(open(saved))
        res["reused"] = True
        log(f"reusing the index of an earlier ingest ({res.get('bin', '?')}), not ingesting")
        return idx, res
    shutil.rmtree(idx, ignore_errors=True)
    report = os.path.join(out, "ingest-report.jsonl")
    timing = os.path.join(out, "ingest-time.txt")
    log("biaozhun ingest (release build, /usr/bin/time -v)")
    load_before = sh("cat /proc/loadavg")
    p = subprocess.run(["/usr/bin/time", "-v", "-o", timing, a.bin, "ingest", "--index", idx,
                        "--config", a.config, "--no-ocr", "--threads",
                        str(a.threads), "--report", report, os.path.join(out, "corpus")],
                       capture_output=True, text=True)
    t = open(timing).read()
    wall = t.split("Elapsed (wall clock) time (h:mm:ss or m:ss):")[1].split("\n")[0].strip()
    parts = [float(x) for x in wall.split(":")]
    secs = parts[-1] + 60 * parts[-2] + (3600 * parts[-3] if len(parts) == 3 else 0)
    rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", t).group(1))
    user = float(re.search(r"User time \(seconds\): ([\d.]+)", t).group(1))
    system = float(re.search(r"System time \(seconds\): ([\d.]+)", t).group(1))
    docs = man["standards"] + man["notifications"]
    nbytes = man["text_bytes"] + man["catalog_bytes"] + man["notification_bytes"]
    res = {
        "exit": p.returncode, "threads": a.threads, "summary": p.stdout.strip().splitlines()[-3:], "seconds": secs,
        "cpu_seconds": user + system, "docs": docs, "bytes": nbytes,
        "docs_per_s": docs / secs, "mb_per_s": nbytes / 1e6 / secs, "peak_rss_mb": rss_kb / 1024,
        "index_bytes": dir_size(idx), "load_before": load_before, "load_after": sh("cat /proc/loadavg"),
    }
    if p.returncode != 0:
        raise SystemExit("biaozhun ingest failed: " + p.stderr[-2000:])
    res["bin"] = a.bin
    res["optimize"] = optimize(a, idx)
    with open(saved, "w") as f:
        json.dump(res, f, indent=1)
    log(f"ingest: {docs} docs in {secs:.1f} s = {res['docs_per_s']:.0f} docs/s, "
        f"{res['mb_per_s']:.1f} MB/s, peak RSS {res['peak_rss_mb']:.0f} MB; {p.stdout.strip()}")
    return idx, res


def optimize(a, idx):
    """`biaozhun optimize` (merge into one segment), timed apart from the ingest; skipped for
    binaries without it or with --no-optimize."""
    if a.no_optimize or subprocess.run([a.bin, "optimize", "--help"], capture_output=True).returncode != 0:
        return None
    t = time.perf_counter()
    p = subprocess.run([a.bin, "optimize", "--index", idx, "--json"], capture_output=True, text=True)
    secs = time.perf_counter() - t
    if p.returncode != 0:
        raise SystemExit("biaozhun optimize failed: " + p.stderr[-2000:])
    res = json.loads(p.stdout)
    res["wall_seconds"] = secs
    res["index_bytes"] = dir_size(idx)
    log(f"optimize: {res['segments_before']} segments merged into {res['segments_after']} in {secs:.1f} s")
    return res


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def serve(a, idx):
    port = free_port()
    env = dict(os.environ, RUST_LOG="warn")
    proc = subprocess.Popen([a.bin, "serve", "--index", idx, "--addr", f"127.0.0.1:{port}",
                             "--bootstrap", "none", "--rate-limit-per-minute", "0",
                             "--index-config", a.config],
                            stdout=subprocess.DEVNULL, stderr=open(idx + ".serve.log", "w"), env=env)
    for _ in range(300):
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            c.request("GET", "/readyz")
            if c.getresponse().status == 200:
                return proc, port
        except OSError:
            pass
        if proc.poll() is not None:
            raise SystemExit(f"biaozhun serve exited with {proc.returncode}; see {idx}.serve.log")
        time.sleep(0.2)
    proc.kill()
    raise SystemExit("biaozhun serve did not become ready in 60 s")


def search_path(q, snippets, facets=None):
    params = {"q": q["q"], "limit": "10", "snippets": "true" if snippets else "false"}
    if facets is not None:
        params["facets"] = facets
    params.update(q.get("filters", {}))
    return "/api/v1/search?" + urllib.parse.urlencode(params)


def queries_of(out):
    with open(os.path.join(out, "queries.jsonl"), encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def latency(port, queries, passes):
    """Sequential client on one keep-alive connection: client-side and server-side latency."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def get(path):
        conn.request("GET", path)
        r = conn.getresponse()
        body = r.read()
        if r.status != 200:
            raise SystemExit(f"GET {path} -> {r.status}: {body[:300]!r}")
        return json.loads(body)

    results = []
    bytes_small = 0
    for q in queries:  # warm-up and success pass
        j = get(search_path(q, False))
        results.append([h["id"] for h in j["hits"]])
    res = {}
    for snip in (False, True):
        client, server, sizes = [], [], []
        for _ in range(passes):
            for q in queries:
                t = time.perf_counter()
                conn.request("GET", search_path(q, snip))
                r = conn.getresponse()
                body = r.read()
                client.append((time.perf_counter() - t) * 1000)
                sizes.append(len(body))
                server.append(json.loads(body)["took_ms"])
        key = "snippets" if snip else "plain"
        res[key] = {
            "p50_ms": pct(client, 50), "p95_ms": pct(client, 95), "p99_ms": pct(client, 99),
            "max_ms": max(client), "server_p50_ms": pct(server, 50), "server_p99_ms": pct(server, 99),
            "qps_1conn": len(client) / (sum(client) / 1000), "mean_bytes": sum(sizes) / len(sizes),
        }
        if not snip:
            bytes_small = res[key]["mean_bytes"]
        # per group p99 (client)
        per = {}
        for i, v in enumerate(client):
            per.setdefault(queries[i % len(queries)]["group"], []).append(v)
        res[key]["by_group_p99_ms"] = {g: pct(v, 99) for g, v in per.items()}
    conn.close()
    return results, res, bytes_small


WRK_LUA = """
local paths = {}
for line in io.lines("%s") do paths[#paths + 1] = line end
local i = 0
request = function()
  i = i + 1
  if i > #paths then i = 1 end
  return wrk.format("GET", paths[i])
end
"""


def supports_hits_only(port):
    """Whether the server takes `facets=none` (binaries before it answer 400)."""
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        c.request("GET", "/api/v1/search?q=x&facets=none")
        return c.getresponse().status == 200
    except OSError:
        return False


def inprocess(a, out, idx):
    """`biaozhun querybench`: latency and throughput without HTTP (absent in old binaries)."""
    if subprocess.run([a.bin, "querybench", "--help"], capture_output=True).returncode != 0:
        log("this binary has no querybench: in-process figures skipped")
        return None
    log(f"in-process query benchmark ({PASSES[a.preset]} passes, {os.cpu_count()} threads)")
    p = subprocess.run([a.bin, "querybench", os.path.join(out, "queries.jsonl"), "--index", idx,
                        "--passes", str(PASSES[a.preset]), "--json"], capture_output=True, text=True)
    if p.returncode != 0:
        raise SystemExit("biaozhun querybench failed: " + p.stderr[-2000:])
    res = {x["shape"]: x for x in json.loads(p.stdout)}
    for k, x in res.items():
        log(f"in process {k}: p50 {x['p50_ms']:.2f} ms, p99 {x['p99_ms']:.2f} ms, "
            f"{x['throughput_qps']:.0f} q/s with {x['threads']} threads")
    return res


def wrk(port, queries, out, conc, secs, facets=None):
    paths = os.path.join(out, "wrk-paths.txt")
    with open(paths, "w") as f:
        for q in queries:
            f.write(search_path(q, False, facets) + "\n")
    lua = os.path.join(out, "wrk.lua")
    with open(lua, "w") as f:
        f.write(WRK_LUA % paths)
    threads = min(conc, 2)
    p = subprocess.run(["wrk", "-t", str(threads), "-c", str(conc), "-d", f"{secs}s", "--timeout", "5s",
                        "--latency", "-s", lua, f"http://127.0.0.1:{port}"],
                       capture_output=True, text=True, timeout=secs + 60)
    o = p.stdout

    def ms(s):
        m = re.match(r"([\d.]+)(us|ms|s)", s)
        v = float(m.group(1))
        return v / 1000 if m.group(2) == "us" else (v * 1000 if m.group(2) == "s" else v)

    lat = {k: ms(v) for k, v in re.findall(r"^\s+(50|75|90|99)%\s+(\S+)", o, re.M)}
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", o).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", o)
    errors = re.search(r"Socket errors: (.*)", o)
    total = int(re.search(r"(\d+) requests in", o).group(1))
    return {"concurrency": conc, "threads": threads, "facets": facets or "all", "seconds": secs, "requests": total, "rps": rps,
            "p50_ms": lat.get("50"), "p90_ms": lat.get("90"), "p99_ms": lat.get("99"),
            "non_2xx": int(non2xx.group(1)) if non2xx else 0,
            "socket_errors": errors.group(1) if errors else "", "load": sh("cat /proc/loadavg")}


def run_peers(a, out):
    res = {}
    if not a.peers:
        return res
    seg = ["--segmenter", a.segmenter]
    if any(e != "sphinx" for e in a.peers):
        log(f"peers: {a.segmenter} pre-segmentation (shared by sqlite, xapian, whoosh; cached)")
        subprocess.run([PYENV_PY, os.path.join(HERE, "peers.py"), "segment", out] + seg, check=True,
                       stderr=subprocess.DEVNULL)
    for e in a.peers:
        log(f"peer {e}")
        p = subprocess.run([PEER_PY[e], os.path.join(HERE, "peers.py"), e, out, str(PASSES[a.preset])]
                           + seg + (["--rebuild"] if a.rebuild_peers else []),
                           capture_output=True, text=True)
        path = os.path.join(out, "peers", f"{e}.json")
        if p.returncode == 0 and os.path.exists(path):
            res[e] = json.load(open(path))
            log(f"peer {e}: p50 {res[e]['p50_ms']} ms, p99 {res[e]['p99_ms']} ms, "
                f"{res[e]['qps_all_cores']} q/s, index {res[e]['index_seconds']} s")
        else:
            res[e] = {"error": (p.stderr or p.stdout)[-1500:]}
            log(f"peer {e} failed: {res[e]['error'][-300:]}")
    seg = os.path.join(out, "peers", f"segment-{a.segmenter}.json")
    if os.path.exists(seg):
        res["_segment"] = json.load(open(seg))
    return res


def main():
    ap = argparse.ArgumentParser(description="biaozhun benchmark")
    ap.add_argument("--preset", choices=["smoke", "small", "full"], default="small")
    ap.add_argument("--standards", type=int, help="override the preset's number of standards")
    ap.add_argument("--body-cap", type=int, default=0, help="cap bodies at this many bytes")
    ap.add_argument("--no-peers", action="store_true")
    ap.add_argument("--peers", default=",".join(PEERS), help="comma-separated: " + ",".join(PEERS))
    ap.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "biaozhun"))
    ap.add_argument("--config", default=os.path.join(ROOT, "index-config"),
                    help="index configuration directory matching the binary")
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 2, help="ingest worker threads")
    ap.add_argument("--regen", action="store_true", help="regenerate the corpus even if present")
    ap.add_argument("--no-wrk", action="store_true")
    ap.add_argument("--no-optimize", action="store_true",
                    help="query the index as the ingest left it (many segments)")
    ap.add_argument("--reuse-index", action="store_true",
                    help="query the index of the last ingest of this preset instead of ingesting "
                         "(to compare binaries on one index; the ingest figures are the old ones)")
    ap.add_argument("--duration", type=int, help="seconds per wrk run")
    ap.add_argument("--corpus", help="use the corpus already generated in this directory (by "
                    "gen_corpus.py; never regenerated) instead of bench/out/<preset>; the index, the "
                    "peers' caches and the results go there too")
    ap.add_argument("--index", help="query this existing index (built from the same corpus by a binary "
                    "of the same schema) instead of ingesting; no ingest figures")
    ap.add_argument("--segmenter", choices=["jieba", "rjieba"], default="jieba",
                    help="the peers' segmenter for documents and queries (rjieba: jieba-rs, same "
                         "dictionary, ~16x faster; for the full preset)")
    ap.add_argument("--rebuild-peers", action="store_true",
                    help="index the peers again even if an index of this corpus is cached")
    ap.add_argument("--min-success", type=float, default=0.0,
                    help="exit 1 when biaozhun finds fewer expected records than this share (0-1)")
    a = ap.parse_args()
    a.peers = [] if a.no_peers else [p for p in a.peers.split(",") if p]
    suffix = f"-{a.standards}" if a.standards else ""
    suffix += f"-cap{a.body_cap}" if a.body_cap else ""
    out = os.path.abspath(a.corpus) if a.corpus else os.path.join(HERE, "out", a.preset + suffix)
    if not os.path.exists(a.bin):
        raise SystemExit(f"{a.bin} not found: build it with `cargo build --release -p biaozhun-api`")
    if not shutil.which("wrk") and not a.no_wrk:
        raise SystemExit("wrk not found: apt-get install -y wrk (or pass --no-wrk)")
    started = time.time()
    results = {"preset": a.preset, "machine_start": machine(), "bin": a.bin, "config": a.config}
    man = generate(a, out)
    results["manifest"] = man
    idx, results["ingest"] = ingest(a, out, man)
    results["index"] = idx
    queries = queries_of(out)
    results["inprocess"] = inprocess(a, out, idx)
    proc, port = serve(a, idx)
    try:
        log(f"query latency, {PASSES[a.preset]} passes over {len(queries)} queries, with and without snippets")
        got, results["latency"], _ = latency(port, queries, PASSES[a.preset])
        results["success"] = success(queries, got)
        results["failures"] = [{"group": q["group"], "q": q["q"], "filters": q.get("filters"),
                                "expect": q["expect"], "at": q["at"], "got": g[:3]}
                               for q, g in zip(queries, got)
                               if q["expect"] and not any(e in g[: q["at"]] for e in q["expect"])]
        log(f"latency plain p50/p99 {results['latency']['plain']['p50_ms']:.2f}/"
            f"{results['latency']['plain']['p99_ms']:.2f} ms, snippets "
            f"{results['latency']['snippets']['p50_ms']:.2f}/{results['latency']['snippets']['p99_ms']:.2f} ms")
        results["wrk"] = []
        if not a.no_wrk:
            runs = [(c, None) for c in (1, 8, 64)]
            if supports_hits_only(port):
                # "Small responses": a page of hits without facet counts (`facets=none`).
                runs += [(c, "none") for c in (8, 64)]
            for c, facets in runs:
                r = wrk(port, queries, out, c, a.duration or DURATION[a.preset], facets)
                log(f"wrk c={c} facets={r['facets']}: {r['rps']:.0f} req/s, p50 {r['p50_ms']} ms, "
                    f"p99 {r['p99_ms']} ms, non-2xx {r['non_2xx']}")
                results["wrk"].append(r)
        rss = sh(f"ps -o rss= -p {proc.pid}")
        results["serve_rss_mb"] = int(rss) / 1024 if rss.isdigit() else None
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
    results["peers"] = run_peers(a, out)
    results["machine_end"] = machine()
    results["total_seconds"] = time.time() - started
    with open(os.path.join(out, "results.json"), "w") as f:
        json.dump(results, f, ensure_ascii=False, indent=1)
    import report
    md = report.render(results, queries)
    with open(os.path.join(out, "report.md"), "w") as f:
        f.write(md)
    os.makedirs(os.path.join(HERE, "out"), exist_ok=True)
    shutil.copy(os.path.join(out, "report.md"), os.path.join(HERE, "out", "report.md"))
    log(f"report: {os.path.join(out, 'report.md')} (copied to bench/out/report.md)")
    print(md)
    ok = sum(g["ok"] for k, g in results["success"].items() if k != "topic")
    n = sum(g["n"] for k, g in results["success"].items() if k != "topic")
    if n and ok / n < a.min_success:
        raise SystemExit(f"success {ok}/{n} is below --min-success {a.min_success}")


if __name__ == "__main__":
    sys.path.insert(0, HERE)
    main()
