#!/usr/bin/env python3
"""Start-up of `biaozhun serve`: time from process start to the first answered query, with a cold
and a warm page cache, and the server's memory after a load run (issue 15).

    python3 bench/startup.py --queries /work/bench-out/full/queries.jsonl \\
        --case main:target/release/biaozhun:/work/bench-out/full/idx-new2 \\
        --case a06d6a6:/work/bench-out/bins/biaozhun-a06d6a6:/work/bench-out/full/idx-base:CFG \\
        [--runs 3] [--load-seconds 10] [--json OUT.json]

Each `--case LABEL:BIN:INDEX[:INDEX_CONFIG]` is one binary with its own index (and the index
configuration of its commit when it needs one: `git archive <commit> index-config | tar -x`).
The cases run alternately, `--runs` rounds. In each round and case:

1. cold: `sync; echo 3 > /proc/sys/vm/drop_caches` (root only: the binary, the index and the
   dictionaries all come from disk), then start the server and time until the first search of
   the query set is answered with 200 (a search, not `/readyz`: whatever the server loads lazily
   on the first request counts);
2. warm: stop it and start it again at once, timed the same way;
3. load: the query set once over one connection, then wrk at concurrency 64 for
   `--load-seconds` (default facets, snippets off, loopback only; skipped without wrk); the
   server's VmRSS and VmHWM (peak) from /proc are read after it, with VmRSS split into
   anonymous memory (the heap: what the program holds) and file-backed pages (the binary and
   the index's memory-mapped files that queries touched: the page cache, shared, reclaimable).
   VmRSS is also read right after the first answer.

With `--record CODE`, right after the warm start's first answer (before the load) the record
page of standard CODE is asked once and timed (`GET /api/v1/standards/CODE`: it needs the
edition chain, so the first one after a start reads the stored edition graph back or builds
it), and VmRSS is read after it.

The report gives every round and the best (smallest) start-up of each case and state, and the
load average at each start. Nothing here is timed against a target by itself: the figures go into
bench/RESULTS.md next to the commit measured.
"""

import argparse
import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse

from bench import WRK_LUA, free_port  # the same wrk script and port pick as bench.py


def loadavg():
    with open("/proc/loadavg") as f:
        return f.read().strip()


def parse_cases(specs, tmp):
    """The `--case LABEL:BIN:INDEX[:INDEX_CONFIG]` arguments as dicts (absolute paths, a server
    log in `tmp`); exits naming the argument when it is malformed or a path is missing."""
    cases = []
    for spec in specs:
        parts = spec.split(":")
        if len(parts) not in (3, 4):
            raise SystemExit(f"--case {spec!r}: expected LABEL:BIN:INDEX[:INDEX_CONFIG]")
        case = {"label": parts[0], "bin": os.path.abspath(parts[1]), "index": os.path.abspath(parts[2]),
                "config": os.path.abspath(parts[3]) if len(parts) == 4 else None,
                "log": os.path.join(tmp, parts[0] + ".log")}
        for p in (case["bin"], case["index"]):
            if not os.path.exists(p):
                raise SystemExit(f"--case {spec!r}: {p} not found")
        cases.append(case)
    return cases


def search_path(q):
    params = {"q": q["q"], "limit": "10", "snippets": "false"}
    params.update(q.get("filters", {}))
    return "/api/v1/search?" + urllib.parse.urlencode(params)


def drop_caches():
    subprocess.run(["sync"], check=True)
    with open("/proc/sys/vm/drop_caches", "w") as f:
        f.write("3\n")


def start(case, port, first_path, timeout=300.0):
    """Start the server; return (process, seconds to the first answered search)."""
    cmd = [case["bin"], "serve", "--index", case["index"], "--addr", f"127.0.0.1:{port}",
           "--bootstrap", "none", "--rate-limit-per-minute", "0"]
    if case.get("config"):
        cmd += ["--index-config", case["config"]]
    log = open(case["log"], "a")
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=log,
                            env=dict(os.environ, RUST_LOG="warn"))
    while time.perf_counter() - t0 < timeout:
        if proc.poll() is not None:
            raise SystemExit(f"{case['label']}: server exited with {proc.returncode}; see {case['log']}")
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            c.request("GET", first_path)
            r = c.getresponse()
            r.read()
            c.close()
            if r.status == 200:
                return proc, time.perf_counter() - t0
        except OSError:
            pass
        time.sleep(0.002)
    proc.kill()
    raise SystemExit(f"{case['label']}: no answer in {timeout} s")


def stop(proc):
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def memory(pid):
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("VmRSS", "VmHWM", "RssAnon", "RssFile"):
                out[k] = int(v.split()[0]) / 1024  # MB
    return out



def record_page(port, code):
    """Seconds to answer the record page of `code` (must be 200)."""
    path = "/api/v1/standards/" + urllib.parse.quote(code)
    t0 = time.perf_counter()
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    c.request("GET", path)
    r = c.getresponse()
    r.read()
    c.close()
    if r.status != 200:
        raise SystemExit(f"GET {path} -> {r.status}")
    return time.perf_counter() - t0


def load(port, queries, seconds, tmp):
    """The query set once (every query answered 200), then wrk c=64 if installed."""
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    for q in queries:
        c.request("GET", search_path(q))
        r = c.getresponse()
        r.read()
        if r.status != 200:
            raise SystemExit(f"GET {search_path(q)} -> {r.status}")
    c.close()
    res = {"queries": len(queries)}
    if seconds and shutil.which("wrk"):
        paths = os.path.join(tmp, "paths.txt")
        with open(paths, "w") as f:
            f.write("\n".join(search_path(q) for q in queries) + "\n")
        lua = os.path.join(tmp, "wrk.lua")
        with open(lua, "w") as f:
            f.write(WRK_LUA % paths)
        p = subprocess.run(["wrk", "-t", "2", "-c", "64", "-d", f"{seconds}s", "--timeout", "5s",
                            "-s", lua, f"http://127.0.0.1:{port}"], capture_output=True, text=True,
                           timeout=seconds + 60)
        for line in p.stdout.splitlines():
            if line.startswith("Requests/sec:"):
                res["wrk_rps"] = float(line.split()[1])
            if "Non-2xx" in line:
                res["wrk_non_2xx"] = int(line.split()[-1])
        res["wrk_seconds"] = seconds
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0], epilog=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--case", action="append", required=True, help="LABEL:BIN:INDEX[:INDEX_CONFIG]")
    ap.add_argument("--queries", required=True, help="queries.jsonl of the corpus of the indexes")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--load-seconds", type=int, default=10, help="wrk seconds after the start (0: none)")
    ap.add_argument("--no-cold", action="store_true", help="warm starts only (no root needed)")
    ap.add_argument("--json", help="write the figures here too")
    ap.add_argument("--record", help="time the record page of this standard code after the warm start")
    a = ap.parse_args()
    if not a.no_cold and os.geteuid() != 0:
        raise SystemExit("dropping the page cache needs root (or pass --no-cold)")
    with open(a.queries, encoding="utf-8") as f:
        queries = [json.loads(line) for line in f]
    first = search_path(queries[0])
    tmp = tempfile.mkdtemp(prefix="bzstart-")
    cases = parse_cases(a.case, tmp)
    for case in cases:
        case["runs"] = []
    print(f"first query: {first}", file=sys.stderr)
    for r in range(a.runs):
        for case in cases:
            run = {"round": r + 1}
            port = free_port()
            if not a.no_cold:
                drop_caches()
                run["load_cold"] = loadavg()
                proc, run["cold_s"] = start(case, port, first)
                stop(proc)
            run["load_warm"] = loadavg()
            proc, run["warm_s"] = start(case, port, first)
            try:
                run["memory_start_mb"] = memory(proc.pid)
                if a.record:
                    run["record_s"] = record_page(port, a.record)
                    run["memory_record_mb"] = memory(proc.pid)
                run["load"] = load(port, queries, a.load_seconds, tmp)
                run["memory_mb"] = memory(proc.pid)
            finally:
                stop(proc)
            run["load_end"] = loadavg()
            case["runs"].append(run)
            print(f"[{case['label']} round {r + 1}] cold {run.get('cold_s', float('nan')):.3f} s, "
                  f"warm {run['warm_s']:.3f} s, RSS at the first answer {run['memory_start_mb'].get('VmRSS', 0):.0f} MB, "
                  f"after load {run['memory_mb'].get('VmRSS', 0):.0f} MB (anon {run['memory_mb'].get('RssAnon', 0):.0f}, "
                  f"file {run['memory_mb'].get('RssFile', 0):.0f}; peak {run['memory_mb'].get('VmHWM', 0):.0f} MB), wrk {run['load'].get('wrk_rps', 0):.0f} "
                  f"req/s; load {run.get('load_cold', run['load_warm'])}", file=sys.stderr, flush=True)
            if a.record:
                print(f"[{case['label']} round {r + 1}] record page {a.record}: {run['record_s']:.3f} s, "
                      f"RSS after it {run['memory_record_mb'].get('VmRSS', 0):.0f} MB", file=sys.stderr, flush=True)
    print("| case | cold start s (best; all) | warm start s (best; all) | RSS after load MB (runs) | of it anonymous / file-backed | peak RSS MB |")
    print("|---|---|---|---|---|---|")
    for case in cases:
        rs = case["runs"]
        cold = [x["cold_s"] for x in rs if "cold_s" in x]
        warm = [x["warm_s"] for x in rs]
        rss = [x["memory_mb"].get("VmRSS", 0) for x in rs]
        hwm = [x["memory_mb"].get("VmHWM", 0) for x in rs]
        split = [(x["memory_mb"].get("RssAnon", 0), x["memory_mb"].get("RssFile", 0)) for x in rs]
        case["best_cold_s"] = min(cold) if cold else None
        case["best_warm_s"] = min(warm)
        cold_s = f"**{min(cold):.3f}**; " + ", ".join(f"{x:.3f}" for x in cold) if cold else "n/a"
        print(f"| {case['label']} | {cold_s} | **{min(warm):.3f}**; " + ", ".join(f"{x:.3f}" for x in warm)
              + " | " + ", ".join(f"{x:.0f}" for x in rss) + " | " + ", ".join(f"{an:.0f} / {fi:.0f}" for an, fi in split)
              + " | " + ", ".join(f"{x:.0f}" for x in hwm) + " |")
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"queries": a.queries, "first": first, "cases": cases}, f, ensure_ascii=False, indent=1)
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
