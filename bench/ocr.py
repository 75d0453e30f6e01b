#!/usr/bin/env python3
"""OCR throughput of `biaozhun ingest` on the scanned and garbled PDFs of ../shared/data/pdfs.

  python3 bench/ocr.py --bin target/release/biaozhun [--before OLD_BINARY] [--runs 1]

Finds the PDFs that need OCR (an ingest with --no-ocr reports them as garbled or image-only),
then times `biaozhun ingest` of just those files into a fresh temporary index:
  - `--threads 1 --ocr-workers 1` and `--threads 1 --ocr-workers 2` (one file at a time, so the
    ratio is what page parallelism gives on one file);
  - the defaults (`--threads 2`, one OCR worker per core), and `--before`'s defaults when given
    (an older binary, e.g. one without page parallelism).
Prints pages recognised, seconds, pages/s per configuration, and checks that every
configuration recognised the same pages and read the same standard numbers. Nothing is written
outside the temporary directory. Needs tesseract-ocr, tesseract-ocr-chi-sim, poppler-utils.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def ingest(binary, files, work, extra):
    index = Path(tempfile.mkdtemp(dir=work)) / "index"
    report = index.parent / "report.jsonl"
    cmd = [binary, "ingest", "--index", str(index), "--report", str(report), *extra, *map(str, files)]
    start = time.monotonic()
    out = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "RUST_LOG": "error"})
    seconds = time.monotonic() - start
    rows = [json.loads(l) for l in report.read_text(encoding="utf-8").splitlines() if l.strip()]
    return seconds, rows, out.returncode


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=str(ROOT / "target/release/biaozhun"))
    ap.add_argument("--before", help="an older binary to time with its defaults")
    ap.add_argument("--data", default=str(ROOT / "../shared/data/pdfs"))
    ap.add_argument("--runs", type=int, default=1)
    args = ap.parse_args()
    pdfs = sorted(Path(args.data).glob("*.pdf"))
    if not pdfs:
        sys.exit(f"no PDFs in {args.data}")
    with tempfile.TemporaryDirectory(prefix="biaozhun-ocr-") as work:
        _, rows, _ = ingest(args.bin, pdfs, work, ["--no-ocr"])
        need = [Path(r["path"]) for r in rows if r.get("quality") in ("garbled", "no_text")
                or any("OCR disabled" in w.get("message", "") for w in r.get("warnings", []))]
        if not need:
            sys.exit("no PDF needs OCR here")
        print(f"PDFs that need OCR: {', '.join(p.name for p in need)}")
        configs = [
            ("after: --threads 1 --ocr-workers 1", args.bin, ["--threads", "1", "--ocr-workers", "1"]),
            ("after: --threads 1 --ocr-workers 2", args.bin, ["--threads", "1", "--ocr-workers", "2"]),
            ("after: defaults (--threads 2, a worker per core)", args.bin, []),
        ]
        if args.before:
            configs.insert(0, ("before: defaults", args.before, []))
        seen = None
        print(f"{'configuration':52} {'pages':>5} {'seconds':>8} {'pages/s':>8}")
        for name, binary, extra in configs:
            best = None
            for _ in range(args.runs):
                seconds, rows, rc = ingest(binary, need, work, extra)
                if rc not in (0, 1):
                    sys.exit(f"{name}: ingest exited {rc}")
                if best is None or seconds < best[0]:
                    best = (seconds, rows)
            seconds, rows = best
            pages = sum(r.get("pages") or 0 for r in rows if r.get("extractor") == "tesseract")
            codes = sorted((Path(r["path"]).name, r.get("code"), r.get("pages")) for r in rows)
            if seen is None:
                seen = codes
            elif codes != seen:
                print(f"  MISMATCH: {codes} != {seen}")
            print(f"{name:52} {pages:5d} {seconds:8.1f} {pages / seconds if seconds else 0:8.2f}")
        print(f"numbers read: {[(n, c) for n, c, _ in seen]}")
        print(f"load average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
