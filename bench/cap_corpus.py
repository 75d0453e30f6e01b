#!/usr/bin/env python3
"""A generated corpus with every full text cut to its first N bytes, for both engines of a run.

    python3 bench/cap_corpus.py SRC DST --body-cap 2048

When a peer cannot index a corpus within a session (Xapian over the 4.3 GB of the full preset:
the jieba segmentation alone is hours on a shared 2-core machine), biaozhun and the peer are run
on the same smaller corpus instead, never on different ones. This derives it without generating
again: the catalog, the notifications, docs.jsonl and queries.jsonl are SRC's (hard links), each
text file is cut at N bytes like `gen_corpus.py --body-cap` cuts (at a character boundary), and
the manifest says `body_cap` and `derived_from`. Every document keeps its cover, foreword and the
start of its scope, so the code, title and filter queries keep their expected records; the body
words behind the cut are gone for both engines alike.
"""

import argparse
import json
import os
import time


def link_or_copy(src, dst):
    try:
        os.link(src, dst)
    except OSError:
        with open(src, "rb") as f, open(dst, "wb") as g:
            g.write(f.read())


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0], epilog=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("src", help="a corpus directory written by gen_corpus.py")
    ap.add_argument("dst", help="the new corpus directory (must not exist)")
    ap.add_argument("--body-cap", type=int, required=True, help="bytes kept of each full text")
    a = ap.parse_args()
    if a.body_cap <= 0:
        raise SystemExit("--body-cap must be positive")
    man = json.load(open(os.path.join(a.src, "manifest.json")))
    if os.path.exists(a.dst):
        raise SystemExit(f"{a.dst} exists: remove it first")
    t0 = time.time()
    for name in ("docs.jsonl", "queries.jsonl"):
        os.makedirs(a.dst, exist_ok=True)
        link_or_copy(os.path.join(a.src, name), os.path.join(a.dst, name))
    src_corpus = os.path.join(a.src, "corpus")
    text_bytes = 0
    for root, _, files in os.walk(src_corpus):
        rel = os.path.relpath(root, src_corpus)
        out = os.path.join(a.dst, "corpus", rel)
        os.makedirs(out, exist_ok=True)
        for fn in files:
            src = os.path.join(root, fn)
            if rel.split(os.sep)[0] != "texts":
                link_or_copy(src, os.path.join(out, fn))
                continue
            with open(src, "rb") as f:
                b = f.read()
            if len(b) > a.body_cap:
                b = b[: a.body_cap].decode("utf-8", "ignore").encode("utf-8")
            with open(os.path.join(out, fn), "wb") as g:
                g.write(b)
            text_bytes += len(b)
    man.update({"body_cap": a.body_cap, "text_bytes": text_bytes,
                "derived_from": {"dir": os.path.abspath(a.src), "text_bytes": man["text_bytes"],
                                 "body_cap": man.get("body_cap", 0)},
                "derive_seconds": round(time.time() - t0, 1)})
    with open(os.path.join(a.dst, "manifest.json"), "w") as f:
        json.dump(man, f, indent=1)
    print(json.dumps(man))


if __name__ == "__main__":
    main()
