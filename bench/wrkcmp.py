#!/usr/bin/env python3
"""HTTP throughput of several binaries, each on its own index, alternating (issue 15: "HTTP at
300k, c=64, facets=none: >= 4,000 req/s with zero non-2xx").

    python3 bench/wrkcmp.py --queries /work/bench-out/full/queries.jsonl \\
        --case main:target/release/biaozhun:/work/bench-out/full/idx-new2 \\
        --case a06d6a6:/work/bench-out/bins/biaozhun-a06d6a6:/work/bench-out/full/idx-base:CFG \\
        [--rounds 3] [--seconds 20] [--concurrency 64] [--facets none] [--json OUT.json]

`--case LABEL:BIN:INDEX[:INDEX_CONFIG]` as in startup.py; `--env LABEL:VAR=VALUE` sets an
environment variable for that case's server (`BIAOZHUN_SEARCH_THREADS=3`: one binary, two
settings). In each round, each case in turn: start
`biaozhun serve` (loopback, rate limit off), send the query set once over one connection (the
warm-up; every answer must be 200), then `wrk -t 2 -c CONC -d SECONDS` over the query set's
search paths (snippets off, `facets=FACETS`; a binary that answers 400 to `facets=none` gets the
default facets, marked in the report), then read the server's memory (VmRSS after the load,
anonymous / file-backed, VmHWM) and thread count from /proc, then stop it. Reported per run:
req/s, p50 / p99 ms, non-2xx answers, socket errors, RSS after the load, threads, the CPU
milliseconds per request of the server (split into its search threads, i.e. the engine, and
the rest: HTTP, routing, JSON, the runtime) and of wrk over the wrk run, and the load average
before and after. `--perf` also samples the server with `perf record` (no call graphs, 499 Hz)
for the whole wrk run and splits its samples into the search threads (the engine) and, on the
other threads, the kernel (TCP, epoll, futex wake-ups), malloc/free, hyper, axum/tower
(routing, extraction, middleware), serde_json, tokio and the rest: the HTTP layer's share of a
request's cost, measured on the real server (session 8 did this by hand). Run it at `nice -n
-10` (the server and wrk inherit it) so that niced background jobs yield: wrk shares the two
cores with the server, as in bench/run.
"""

import argparse
import http.client
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
import urllib.parse

from bench import WRK_LUA, free_port
from startup import loadavg, memory, parse_cases, start, stop


def search_path(q, facets):
    params = {"q": q["q"], "limit": "10", "snippets": "false"}
    if facets:
        params["facets"] = facets
    params.update(q.get("filters", {}))
    return "/api/v1/search?" + urllib.parse.urlencode(params)


def ms(s):
    m = re.match(r"([\d.]+)(us|ms|s)", s)
    v = float(m.group(1))
    return v / 1000 if m.group(2) == "us" else (v * 1000 if m.group(2) == "s" else v)


def threads(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("Threads:"):
                return int(line.split()[1])
    return 0


def cpu_seconds(pid):
    """CPU seconds (user + system) of the process, and of its search threads (`bz-search-N`,
    the search pool) among its live threads."""
    tick = os.sysconf("SC_CLK_TCK")

    def parse(path):
        with open(path) as f:
            stat = f.read()
        comm = stat[stat.index("(") + 1:stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2:].split()
        return comm, (int(fields[11]) + int(fields[12])) / tick  # utime, stime

    _, total = parse(f"/proc/{pid}/stat")
    search = 0.0
    for t in os.listdir(f"/proc/{pid}/task"):
        try:
            comm, cpu = parse(f"/proc/{pid}/task/{t}/stat")
        except OSError:
            continue
        if comm.startswith("bz-search"):
            search += cpu
    return total, search


def children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def one_run(case, queries, a, tmp):
    port = free_port()
    facets = a.facets
    saved = dict(os.environ)
    os.environ.update(case.get("env", {}))
    try:
        proc, start_s = start(case, port, search_path(queries[0], None))
    finally:
        os.environ.clear()
        os.environ.update(saved)
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        c.request("GET", search_path(queries[0], facets))
        r = c.getresponse()
        r.read()
        if r.status == 400 and facets:
            facets = None  # an old binary without `facets=none`: its default facets
        for q in queries:
            c.request("GET", search_path(q, facets))
            r = c.getresponse()
            r.read()
            if r.status != 200:
                raise SystemExit(f"{case['label']}: GET {search_path(q, facets)} -> {r.status}")
        c.close()
        paths = os.path.join(tmp, "paths.txt")
        with open(paths, "w") as f:
            f.write("\n".join(search_path(q, facets) for q in queries) + "\n")
        lua = os.path.join(tmp, "wrk.lua")
        with open(lua, "w") as f:
            f.write(WRK_LUA % paths)
        load_before = loadavg()
        server_before, search_before = cpu_seconds(proc.pid)
        wrk_before = children_cpu()
        perf = None
        perf_data = os.path.join(tmp, "perf.data")
        if a.perf:
            perf = subprocess.Popen(["perf", "record", "-F", "499", "-p", str(proc.pid), "-o", perf_data,
                                     "--", "sleep", str(a.seconds)],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        p = subprocess.run(["wrk", "-t", "2", "-c", str(a.concurrency), "-d", f"{a.seconds}s", "--timeout",
                            "5s", "--latency", "-s", lua, f"http://127.0.0.1:{port}"],
                           capture_output=True, text=True, timeout=a.seconds + 60)
        o = p.stdout
        # Before perf is waited for: a child's CPU counts in RUSAGE_CHILDREN once it is reaped.
        wrk_cpu = children_cpu() - wrk_before
        if perf is not None:
            perf.wait(timeout=60)
        server_after, search_after = cpu_seconds(proc.pid)
        requests = int(re.search(r"(\d+) requests in", o).group(1))
        server_cpu = server_after - server_before
        search_cpu = search_after - search_before
        lat = {k: ms(v) for k, v in re.findall(r"^\s+(50|99)%\s+(\S+)", o, re.M)}
        non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", o)
        errors = re.search(r"Socket errors: (.*)", o)
        return {"label": case["label"], "facets": facets or "default", "start_s": round(start_s, 3),
                "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", o).group(1)),
                "requests": requests,
                # CPU ms per request: the whole server, its search threads (0 for a binary
                # without the search pool), the rest of it (HTTP, runtime), and wrk.
                "cpu_ms": {"server": 1000 * server_cpu / requests, "search": 1000 * search_cpu / requests,
                           "other": 1000 * (server_cpu - search_cpu) / requests,
                           "wrk": 1000 * wrk_cpu / requests},
                "p50_ms": lat.get("50"), "p99_ms": lat.get("99"),
                "non_2xx": int(non2xx.group(1)) if non2xx else 0,
                "socket_errors": errors.group(1) if errors else "",
                "memory_mb": memory(proc.pid), "threads": threads(proc.pid),
                "load_before": load_before, "load_after": loadavg(),
                "perf": perf_split(perf_data, os.path.join(tmp, f"perf-{case['label']}-{int(time.time())}.txt"))
                if perf is not None else None}
    finally:
        stop(proc)


# Where a sample of a thread other than the search pool's goes, by symbol (first match wins).
PERF_PARTS = [
    ("malloc/free", re.compile(r"malloc|free|realloc|cfree|tcache|arena|mi_")),
    ("hyper", re.compile(r"hyper|httparse|http::")),
    ("axum/tower (routing, extraction, middleware)", re.compile(r"axum|tower|matchit|serde_urlencoded|form_urlencoded|percent_encoding|biaozhun_api")),
    ("serde_json", re.compile(r"serde_json|serde::|ryu|itoa")),
    ("tokio (runtime, hand-off)", re.compile(r"tokio|crossbeam|mio::|parking_lot")),
]


def perf_split(data, keep):
    """Shares of the server's samples: search threads, then the other threads by part. The
    report itself is kept in `keep` (the run's temporary folder) for a closer look."""
    p = subprocess.run(["perf", "report", "-i", data, "--stdio", "--no-children", "--sort", "comm,dso,sym",
                        "-F", "overhead,comm,dso,sym", "--percent-limit", "0"],
                       capture_output=True, text=True, timeout=300)
    with open(keep, "w") as f:
        f.write(p.stdout)
    parts = {}
    for line in p.stdout.splitlines():
        m = re.match(r"\s*([\d.]+)%\s+(\S+)\s+(\S+)\s+\[(.)\]\s+(.*)", line)
        if not m:
            continue
        share, comm, dso, level, sym = float(m.group(1)), m.group(2), m.group(3), m.group(4), m.group(5)
        if comm.startswith("bz-search"):
            part = "search threads (engine)"
        elif level == "k" or dso.startswith("[kernel"):
            part = "kernel on the other threads (TCP, epoll, futex)"
        else:
            part = next((name for name, rx in PERF_PARTS if rx.search(sym)), "other (libc, std, unresolved)")
        parts[part] = parts.get(part, 0.0) + share
    return {k: round(v, 2) for k, v in sorted(parts.items(), key=lambda kv: -kv[1])}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0], epilog=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--case", action="append", required=True, help="LABEL:BIN:INDEX[:INDEX_CONFIG]")
    ap.add_argument("--queries", required=True, help="queries.jsonl of the corpus of the indexes")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--seconds", type=int, default=20)
    ap.add_argument("--concurrency", type=int, default=64)
    ap.add_argument("--facets", default="none", help="the `facets` parameter ('' for the default)")
    ap.add_argument("--json", help="write every run here too")
    ap.add_argument("--perf", action="store_true",
                    help="sample the server with perf during the wrk run and split its CPU by part (see above)")
    ap.add_argument("--env", action="append", default=[],
                    help="LABEL:VAR=VALUE: set VAR for that case's server (e.g. d74c1ce:BIAOZHUN_SEARCH_THREADS=3)")
    a = ap.parse_args()
    with open(a.queries, encoding="utf-8") as f:
        queries = [json.loads(line) for line in f]
    tmp = tempfile.mkdtemp(prefix="bzhttp-")
    cases = parse_cases(a.case, tmp)
    for spec in a.env:
        label, _, assignment = spec.partition(":")
        var, eq, value = assignment.partition("=")
        match = [c for c in cases if c["label"] == label]
        if not match or not var or not eq:
            raise SystemExit(f"--env {spec!r}: expected LABEL:VAR=VALUE with LABEL one of the cases")
        match[0].setdefault("env", {})[var] = value
    runs = []
    for r in range(a.rounds):
        for case in cases:
            x = one_run(case, queries, a, tmp)
            x["round"] = r + 1
            runs.append(x)
            print(f"[{time.strftime('%H:%M:%S')} {x['label']} round {r + 1}] {x['rps']:,.0f} req/s, p50 "
                  f"{x['p50_ms']} ms, p99 {x['p99_ms']} ms, non-2xx {x['non_2xx']}, facets {x['facets']}, "
                  f"RSS after {x['memory_mb'].get('VmRSS', 0):.0f} MB (anon {x['memory_mb'].get('RssAnon', 0):.0f}), "
                  f"{x['threads']} threads, CPU ms/request: server {x['cpu_ms']['server']:.3f} (search threads "
                  f"{x['cpu_ms']['search']:.3f}, rest {x['cpu_ms']['other']:.3f}), wrk {x['cpu_ms']['wrk']:.3f}; "
                  f"load {x['load_before']} -> {x['load_after']}", file=sys.stderr, flush=True)
            if x["perf"]:
                print("    perf: " + ", ".join(f"{k} {v:.1f} %" for k, v in x["perf"].items()),
                      file=sys.stderr, flush=True)
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "concurrency": a.concurrency,
                       "seconds": a.seconds, "runs": runs}, f, indent=1)
    print("| case | req/s per round | best | p50 / p99 ms (best round) | non-2xx | RSS after load MB (anon) | threads "
          "| CPU ms per request: server (search threads + rest), wrk | load (1 min) |")
    print("|---|---|---:|---|---:|---|---:|---|---|")
    for case in cases:
        rs = [x for x in runs if x["label"] == case["label"]]
        b = max(rs, key=lambda x: x["rps"])
        print(f"| {case['label']} (facets {b['facets']}) | " + ", ".join(f"{x['rps']:,.0f}" for x in rs)
              + f" | **{b['rps']:,.0f}** | {b['p50_ms']} / {b['p99_ms']} | {sum(x['non_2xx'] for x in rs)} | "
              + ", ".join(f"{x['memory_mb'].get('VmRSS', 0):.0f} ({x['memory_mb'].get('RssAnon', 0):.0f})" for x in rs) + " | "
              + ", ".join(str(x["threads"]) for x in rs) + " | "
              + "; ".join(f"{x['cpu_ms']['server']:.3f} ({x['cpu_ms']['search']:.3f} + {x['cpu_ms']['other']:.3f}), "
                          f"{x['cpu_ms']['wrk']:.3f}" for x in rs) + " | "
              + ", ".join(x["load_before"].split()[0] for x in rs) + " |")
    if a.perf:
        print()
        print("| case, round | " + " | ".join(["search threads", "kernel", "malloc/free", "hyper", "axum/tower",
                                                "serde_json", "tokio", "other"]) + " |")
        print("|---|" + "---:|" * 8)
        keys = ["search threads (engine)", "kernel on the other threads (TCP, epoll, futex)", "malloc/free", "hyper",
                "axum/tower (routing, extraction, middleware)", "serde_json", "tokio (runtime, hand-off)",
                "other (libc, std, unresolved)"]
        for x in runs:
            if x["perf"]:
                print(f"| {x['label']}, {x['round']} | " + " | ".join(f"{x['perf'].get(k, 0.0):.1f} %" for k in keys)
                      + " |")


if __name__ == "__main__":
    main()
