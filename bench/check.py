#!/usr/bin/env python3
"""Benchmark of 查新 (POST /api/v1/check): time per document for a 200-reference text and a
100-page PDF, through the real server on loopback.

  python3 bench/check.py --bin target/release/biaozhun [--runs 10]

Builds an index of fixtures/catalog/standards.jsonl in a temporary directory (`biaozhun
ingest`), starts `biaozhun serve` on a free port, generates the two documents (written here,
deterministic: the 200 references mix the 73 fixture standards, in every status, with numbers
the index does not hold; the PDF is written byte by byte, Helvetica, 40 lines a page, a citation
on every fifth line), POSTs each `--runs` times after one warm-up, and prints the median, p95
and max latency with the answer's counts. Also times `biaozhun check` on the command line
(index open included). Nothing is written outside the temporary directory.
"""
import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def fixture_codes():
    codes = []
    for line in (ROOT / "fixtures/catalog/standards.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            codes.append(json.loads(line)["code"])
    return codes


def reference_document(n=200, seed=7):
    """A standard-shaped text citing `n` distinct numbers, each in the list and some in the body."""
    rnd = random.Random(seed)
    held = fixture_codes()
    refs = list(held)
    i = 0
    while len(refs) < n:
        i += 1
        refs.append(f"GB/T {30000 + i}—20{10 + i % 15}")
    rnd.shuffle(refs)
    lines = ["前言", "本文件按照GB/T 1.1—2020《标准化工作导则 第1部分：标准化文件的结构和起草规则》的规定起草。",
             "1 范围", "本文件规定了检验要求。", "2 规范性引用文件",
             "下列文件中的内容通过文中的规范性引用而构成本文件必不可少的条款。"]
    lines += [f"{r} 标准名称{k}" for k, r in enumerate(refs[: n - 1])]
    lines += ["3 术语和定义", "本文件没有需要界定的术语和定义。", "4 要求"]
    for k in range(1, 60):
        a, b = rnd.sample(refs[: n - 1], 2)
        lines.append(f"4.{k} 产品应符合{a}的规定，检验按{b}执行。")
    return "\n".join(lines) + "\n"


def pdf_document(pages=100, per_page=40, seed=11):
    """A `pages`-page PDF (ASCII text, Helvetica) citing standards on every fifth line."""
    rnd = random.Random(seed)
    held = [c for c in fixture_codes() if c.isascii()]
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", None,
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    kids = []
    for p in range(pages):
        ops = ["BT /F1 10 Tf 13 TL 40 800 Td"]
        for l in range(per_page):
            if l % 5 == 0:
                text = f"{p + 1}.{l} Products shall meet {rnd.choice(held)} and GB/T {31000 + (p * 8 + l) % 150}-2019."
            else:
                text = f"Clause {p + 1}.{l}: requirements for sampling, marking and test reports of batch {p * per_page + l}."
            text = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
            ops.append(f"({text}) Tj T*")
        ops.append("ET")
        content = "\n".join(ops).encode()
        objects.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
        content_id = len(objects)
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents %d 0 R >>" % content_id)
        kids.append(len(objects))
    objects[1] = (b"<< /Type /Pages /Kids [" + b" ".join(b"%d 0 R" % k for k in kids)
                  + b"] /Count %d /Resources << /Font << /F1 3 0 R >> >> >>" % pages)
    out = bytearray(b"%PDF-1.5\n")
    offsets = []
    for i, o in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + o + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for o in offsets:
        out += b"%010d 00000 n \n" % o
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def multipart(name, content):
    boundary = "----biaozhun-bench-check"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n"
            "Content-Type: application/octet-stream\r\n\r\n").encode() + content + f"\r\n--{boundary}--\r\n".encode()
    return f"multipart/form-data; boundary={boundary}", body


def post(base, name, content):
    ct, body = multipart(name, content)
    req = urllib.request.Request(f"{base}/api/v1/check?as_of=2024-06-01", data=body,
                                 headers={"Content-Type": ct}, method="POST")
    t = time.perf_counter()
    with urllib.request.urlopen(req, timeout=300) as res:
        answer = json.loads(res.read())
    return time.perf_counter() - t, answer


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=str(ROOT / "target/release/biaozhun"))
    ap.add_argument("--runs", type=int, default=10)
    args = ap.parse_args()
    binary = str(Path(args.bin).resolve())
    work = Path(tempfile.mkdtemp(prefix="bench-check-"))
    try:
        index = work / "index"
        subprocess.run([binary, "ingest", "--index", str(index), "fixtures/catalog/standards.jsonl"],
                       cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        docs = {
            "refs200.txt": reference_document().encode("utf-8"),
            "pages100.pdf": pdf_document(),
        }
        for name, content in docs.items():
            (work / name).write_bytes(content)
        env = dict(os.environ, BIAOZHUN_RATE_LIMIT_PER_MINUTE="0", RUST_LOG="warn")
        env.pop("BIAOZHUN_CONFIG", None)
        server = subprocess.Popen([binary, "serve", "--addr", "127.0.0.1:0", "--bootstrap", "none",
                                   "--index", str(index)], cwd=ROOT, env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        try:
            line = server.stdout.readline()
            base = "http://" + line.split("http://")[1].split("/")[0]
            for _ in range(600):
                try:
                    urllib.request.urlopen(base + "/readyz", timeout=5)
                    break
                except Exception:
                    time.sleep(0.1)
            for name, content in docs.items():
                post(base, name, content)  # warm-up
                times = []
                for _ in range(args.runs):
                    dt, answer = post(base, name, content)
                    times.append(dt * 1000)
                times.sort()
                s = answer["summary"]
                d = answer["document"]
                p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
                print(f"{name}: {len(content)} bytes, {d.get('pages') or '-'} pages, {d['chars']} chars, "
                      f"{s['references']} references ({s['out_of_date']} out of date, {s['unknown']} not held); "
                      f"HTTP median {statistics.median(times):.0f} ms, p95 {p95:.0f} ms, max {times[-1]:.0f} ms "
                      f"over {args.runs} runs")
        finally:
            server.terminate()
            server.wait(timeout=30)
        for name in docs:
            t = time.perf_counter()
            subprocess.run([binary, "check", str(work / name), "--index", str(index), "--as-of", "2024-06-01"],
                           cwd=ROOT, stdout=subprocess.DEVNULL)
            print(f"{name}: biaozhun check (CLI, index open included) {1000 * (time.perf_counter() - t):.0f} ms")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
