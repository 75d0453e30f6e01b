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

  python3 bench/ocr.py --sweep [--probe target/debug/examples/ocr_pages] [--settings a,b] [--out F]
  python3 bench/ocr.py --scaling [--probe ...]

`--sweep` measures accuracy and speed of Tesseract settings through ingest's own OCR path
(`ocr_pdf_pages`, driven by the `ocr_pages` example: `cargo test --workspace --no-run` builds
it). The reference is honest: the born-digital PDFs of ../shared/data/pdfs (REFERENCE below)
have a correct text layer, so their cover and first text page (the first page after the cover
with 200+ characters) are OCR'd as rendered, and again as a simulated scan (the page rendered
at 150 dpi, turned 0.8 degrees, faded, with grain and specks, wrapped into an image-only PDF so
pdftoppm resamples it like a real scan), and compared with `pdftotext` of the same page.
Text is normalised (NFKC: full-width folded; whitespace dropped); CER is the Levenshtein
distance over the reference length, "correct" the longest common subsequence over the
reference length (characters recognised, in order). "number" counts covers where the standard
number appears exactly (dashes folded to '-') and "parsed" those where ingest's cover parser
reads it. The real scans/garbled files (SCANS) have no clean text: their cover number as
parsed is reported. Pages are recognised one at a time (`--workers 1`) so seconds per page
compare settings; CPU seconds (tesseract and pdftoppm, from rusage) do not depend on load.
`--scaling` runs the default settings with 1 and 2 workers over every page of the scans and
checks that the text is identical. Pure Python; no image library needed.
"""
import argparse
import json
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "fixtures" / "gen"))
import make_scan  # noqa: E402  (the scan writer the fixture is made with)

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


# Born-digital PDFs whose text layer is correct, with the number their cover prints.
# GB/T 14833-1993 is not here: its text layer is itself a 1990s OCR (TH-OCR 2000: `聚氨酷` for
# 聚氨酯, `一` for the dash, letters split over lines), so it is a scan, listed in SCANS.
REFERENCE = {
    "GBT7714-2015.pdf": "GB/T 7714-2015",
    "WST3032023.pdf": "WS/T 303-2023",
    "WST54312017.pdf": "WS/T 543.1-2017",
    "DB37T29042019.pdf": "DB37/T 2904-2019",
    "GBT435642023.pdf": "GB/T 43564-2023",
}
# Real scans and garbled text layers: no clean text exists; the number is what to read.
SCANS = {
    "GBT390592020.pdf": "GB/T 39059-2020",
    "GMT00312014.pdf": "GM/T 0031-2014",
    "WST4492014.pdf": "WS/T 449-2014",
    "GBT148331993.pdf": "GB/T 14833-1993",
}
DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d"), "-")

# (name, ocr_pages arguments). The first is the default of the code being measured.
# Each is spelt out in full, so a change of the defaults does not change what a name means.
BEFORE = ["--dpi", "200", "--lang", "chi_sim+eng", "--psm", "3", "--spaces", "1"]
SETTINGS = [
    ("default", []),
    ("r200 psm3", BEFORE),
    ("r150 psm3", [*BEFORE, "--dpi", "150"]),
    ("r300 psm3", [*BEFORE, "--dpi", "300"]),
    ("r200 psm4", [*BEFORE, "--psm", "4"]),
    ("r200 psm6", [*BEFORE, "--psm", "6"]),
    ("r200 psm11", [*BEFORE, "--psm", "11"]),
    ("chi_sim", [*BEFORE, "--lang", "chi_sim"]),
    ("+chi_sim_vert", [*BEFORE, "--lang", "chi_sim+eng+chi_sim_vert"]),
    ("spaces0", [*BEFORE, "--spaces", "0"]),
    ("oem3", [*BEFORE, "--oem", "3"]),
    ("r150 psm4", [*BEFORE, "--dpi", "150", "--psm", "4"]),
    ("r150 psm6", [*BEFORE, "--dpi", "150", "--psm", "6"]),
    ("r150 psm4 chi_sim", [*BEFORE, "--dpi", "150", "--psm", "4", "--lang", "chi_sim"]),
    ("r400 psm3", [*BEFORE, "--dpi", "400"]),
]


def norm(text):
    """NFKC (full-width letters, digits, punctuation folded) without whitespace."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def peq_of(a):
    peq = {}
    for i, c in enumerate(a):
        peq[c] = peq.get(c, 0) | (1 << i)
    return peq


def levenshtein(a, b):
    """Edit distance, bit-parallel (Myers 1999 / Hyyro 2001) on Python integers."""
    if not a or not b:
        return len(a) + len(b)
    m = len(a)
    peq, mask, high = peq_of(a), (1 << m) - 1, 1 << (m - 1)
    pv, mv, score = mask, 0, m
    for c in b:
        eq = peq.get(c, 0)
        xv = eq | mv
        xh = ((((eq & pv) + pv) & mask) ^ pv) | eq
        ph = (mv | ~(xh | pv)) & mask
        mh = pv & xh
        if ph & high:
            score += 1
        elif mh & high:
            score -= 1
        ph = ((ph << 1) | 1) & mask
        mh = (mh << 1) & mask
        pv = (mh | ~(xv | ph)) & mask
        mv = ph & xv
    return score


def lcs(a, b):
    """Longest common subsequence length, bit-parallel (Allison-Dix)."""
    if not a or not b:
        return 0
    m = len(a)
    peq, mask = peq_of(a), (1 << m) - 1
    v = mask
    for c in b:
        u = v & peq.get(c, 0)
        v = ((v + u) | (v - u)) & mask
    return m - bin(v).count("1")


def self_test():
    rnd = random.Random(7)
    for _ in range(300):
        a = "".join(rnd.choice("abc国") for _ in range(rnd.randint(0, 12)))
        b = "".join(rnd.choice("abc国") for _ in range(rnd.randint(0, 12)))
        d = list(range(len(b) + 1))
        ll = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
        for i, ca in enumerate(a, 1):
            prev, d[0] = d[0], i
            for j, cb in enumerate(b, 1):
                prev, d[j] = d[j], min(d[j] + 1, d[j - 1] + 1, prev + (ca != cb))
                ll[i][j] = ll[i - 1][j - 1] + 1 if ca == cb else max(ll[i - 1][j], ll[i][j - 1])
        assert levenshtein(a, b) == d[len(b)], (a, b)
        assert lcs(a, b) == ll[len(a)][len(b)], (a, b)


def pdftotext(pdf, page):
    # -layout: lines in the order they stand on the page, as OCR reads them (the default
    # reading order moves headings and spaced words, e.g. 前 ... 言, around).
    out = subprocess.run(["pdftotext", "-layout", "-f", str(page), "-l", str(page), str(pdf), "-"],
                         capture_output=True, check=True)
    return out.stdout.decode("utf-8", "replace")


def first_text_page(pdf):
    """The first page after the cover with 200+ characters that is not the table of contents
    (its dot leaders are drawn as a row of dots that OCR reads as anything)."""
    for page in range(2, 9):
        try:
            text = norm(pdftotext(pdf, page))
        except subprocess.CalledProcessError:
            break
        if len(text) >= 200 and "目次" not in text and text.count("…") + text.count("..") < 10:
            return page
    return None


def degrade(w, h, img, seed):
    """A scanner's look without an image library: turned 0.8 degrees (two shears: rows shifted
    sideways, then columns up or down), faded (ink at 45, paper at 215), grain (+-22 noise)
    and a few specks."""
    rnd = random.Random(seed)
    tan = 0.014  # 0.8 degrees
    shifted = bytearray(b"\xff" * (w * h))
    for y in range(h):
        s = round((y - h / 2) * tan)
        row = img[y * w:(y + 1) * w]
        if s > 0:
            row = b"\xff" * s + row[:w - s]
        elif s < 0:
            row = row[-s:] + b"\xff" * (-s)
        shifted[y * w:(y + 1) * w] = row
    out = bytearray(b"\xff" * (w * h))
    for x in range(w):
        s = round((w / 2 - x) * tan)
        col = shifted[x::w]
        if s > 0:
            col = b"\xff" * s + col[:h - s]
        elif s < 0:
            col = col[-s:] + b"\xff" * (-s)
        out[x::w] = col
    fade = bytes(45 + v * 170 // 255 for v in range(256))
    out = out.translate(fade)
    clip = bytes(max(0, min(255, v - 22)) for v in range(256 + 44))
    noise = rnd.randbytes(len(out))
    out = bytearray(clip[p + (n % 23) + (n // 23 % 23)] for p, n in zip(out, noise))
    for _ in range(w * h // 2000):
        out[rnd.randrange(len(out))] = rnd.choice((30, 240))
    return out


def image_pdf(w, h, gray, dpi, path):
    """A one-page PDF showing an 8-bit grey image at `dpi` (fixtures/gen/make_scan.py's)."""
    make_scan.image_pdf(w, h, bytes(gray), path, dpi=dpi, depth=8, level=6)


def simulated_scan(pdf, page, work):
    stem = work / f"{pdf.stem}-p{page}"
    subprocess.run(["pdftoppm", "-r", "150", "-gray", "-f", str(page), "-l", str(page),
                    "-singlefile", str(pdf), str(stem)], check=True)
    w, h, img = make_scan.read_pgm(stem.with_suffix(".pgm"))
    out = work / f"scan-{pdf.stem}-p{page}.pdf"
    image_pdf(w, h, degrade(w, h, img, f"{pdf.name}:{page}"), 150, out)
    return out


def probe(binary, args, specs):
    """Runs the ocr_pages example; returns its rows, wall seconds and children's CPU seconds."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    out = subprocess.run([binary, *args, *specs], capture_output=True, text=True)
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if out.returncode == 2:
        sys.exit(f"ocr_pages {' '.join(args)}: {out.stderr.strip()}")
    rows = [json.loads(line) for line in out.stdout.splitlines() if line.strip()]
    return rows[:-1], wall, cpu


def sweep(args):
    self_test()
    data = Path(args.data)
    names = [n.strip() for n in args.settings.split(",")] if args.settings else [n for n, _ in SETTINGS]
    table = dict(SETTINGS)
    unknown = [n for n in names if n not in table]
    if unknown:
        sys.exit(f"unknown settings {unknown}; known: {list(table)}")
    with tempfile.TemporaryDirectory(prefix="biaozhun-ocr-sweep-") as tmp:
        work = Path(tmp)
        pages = []  # (group, file name, page, pdf to OCR, reference text or None, expected number)
        for name, number in REFERENCE.items():
            pdf = data / name
            if not pdf.exists():
                continue
            body = first_text_page(pdf)
            for kind, page in (("cover", 1), ("page", body)):
                if page is None:
                    continue
                ref = norm(pdftotext(pdf, page))
                if kind == "cover":
                    assert number.replace(" ", "") in ref.translate(DASHES), (name, ref[:200])
                pages.append((f"clean {kind}", name, page, pdf, ref, number if kind == "cover" else None))
                # The simulated scan is a one-page PDF: its page 1 is this page.
                pages.append((f"scan {kind}", name, 1, simulated_scan(pdf, page, work), ref,
                              number if kind == "cover" else None))
        for name, number in SCANS.items():
            if (data / name).exists():
                pages.append(("real scan cover", name, 1, data / name, None, number))
        print(f"pages per setting: {len(pages)} ("
              + ", ".join(f"{p[1]}: cover + p{p[2]}" for p in pages if p[0] == "clean page")
              + f"; the same as simulated scans; real scans' covers: {', '.join(SCANS)})")
        print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        groups = ["clean cover", "clean page", "scan cover", "scan page"]
        header = (f"{'setting':18} {'s/page':>6} {'cpu/pg':>6} "
                  + " ".join(f"{g + ' CER':>16}" for g in groups)
                  + f" {'correct':>7} {'number':>7} {'parsed':>7} {'scans':>5}")
        print(header)
        results = {}
        for name in names:
            specs = [f"{pdf}:{page}-{page}" for _, _, page, pdf, _, _ in pages]
            rows, wall, cpu = probe(args.probe, ["--workers", "1", *table[name]], specs)
            edits = {g: 0 for g in groups}
            total = {g: 0 for g in groups}
            common = ref_chars = exact = parsed = covers = scans_ok = 0
            detail = []
            for (group, fname, page, _, ref, number), row in zip(pages, rows):
                text = "\n".join(row.get("texts", [])) if "error" not in row else ""
                got = norm(text)
                entry = {"group": group, "file": fname, "page": page, "code": row.get("code"),
                         "error": row.get("error"), "text": text}
                if ref is not None:
                    d = levenshtein(ref, got)
                    edits[group] += d
                    total[group] += len(ref)
                    common += lcs(ref, got)
                    ref_chars += len(ref)
                    entry["cer"] = d / len(ref)
                if number is not None and group != "real scan cover":
                    covers += 1
                    exact += number.replace(" ", "") in got.translate(DASHES)
                    parsed += row.get("code") == number
                if group == "real scan cover":
                    scans_ok += row.get("code") == number
                detail.append(entry)
            n = len(pages)
            cer = {g: edits[g] / total[g] if total[g] else float("nan") for g in groups}
            results[name] = {"args": table[name], "seconds": wall, "cpu": cpu, "pages": n,
                             "cer": cer, "correct": common / ref_chars if ref_chars else None,
                             "number_exact": exact, "parsed": parsed, "covers": covers,
                             "scans_parsed": scans_ok, "detail": detail}
            print(f"{name:18} {wall / n:6.2f} {cpu / n:6.2f} "
                  + " ".join(f"{100 * cer[g]:15.1f}%" for g in groups)
                  + f" {100 * common / max(ref_chars, 1):6.1f}% {exact:3d}/{covers:<3d} "
                  f"{parsed:3d}/{covers:<3d} {scans_ok}/{len(SCANS)}", flush=True)
        print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        if args.out:
            Path(args.out).write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
            print(f"texts and per-page figures in {args.out}")


def scaling(args):
    data = Path(args.data)
    specs = [f"{data / name}:1-30" for name in SCANS if name != "GBT148331993.pdf" and (data / name).exists()]
    print(f"files: {', '.join(Path(s.rsplit(':', 1)[0]).name for s in specs)} (every page, up to 30)")
    seen = None
    for run in range(args.runs):
        for workers in (1, 2):
            load = os.getloadavg()[0]
            rows, wall, cpu = probe(args.probe, ["--workers", str(workers), *args.extra.split()], specs)
            pages = sum(len(r.get("texts", [])) for r in rows)
            texts = [r.get("texts") for r in rows]
            same = "" if seen is None else ("identical text" if texts == seen else "TEXT DIFFERS")
            seen = seen or texts
            print(f"run {run + 1} workers {workers}: {pages} pages in {wall:.1f} s = "
                  f"{pages / wall:.2f} pages/s, cpu {cpu / pages:.2f} s/page, load before "
                  f"{load:.2f}; codes {[r.get('code') for r in rows]} {same}", flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=str(ROOT / "target/release/biaozhun"))
    ap.add_argument("--before", help="an older binary to time with its defaults")
    ap.add_argument("--data", default=str(ROOT / "../shared/data/pdfs"))
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--sweep", action="store_true", help="accuracy and speed per Tesseract setting")
    ap.add_argument("--scaling", action="store_true", help="1 vs 2 workers, same text")
    ap.add_argument("--probe", default=str(ROOT / "target/debug/examples/ocr_pages"))
    ap.add_argument("--settings", help="comma-separated names from SETTINGS (default: all)")
    ap.add_argument("--out", help="write every page's text and figures as JSON here")
    ap.add_argument("--extra", default="", help="--scaling: more ocr_pages options, e.g. '--dpi 200 --psm 3'")
    args = ap.parse_args()
    if args.sweep:
        return sweep(args)
    if args.scaling:
        return scaling(args)
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
