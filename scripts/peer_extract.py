#!/usr/bin/env python3
"""Runs a peer extractor over benchmark pages, for comparison in the same run.

    peer_extract.py trafilatura DIR            -> JSONL {"id", "body"} on stdout
    peer_extract.py --time trafilatura DIR [ROUNDS] -> timing only: one line
        {"peer", "pages", "rounds", "round_seconds": [...], "best_pages_per_second"}
        (pages read and decompressed before the clock starts; one thread; each round
        extracts every page once)

Peers: trafilatura, readability (readability-lxml). Installed from PyPI by .ci/run.
"""
import gzip
import json
import os
import sys
import time


def load(directory):
    pages = []
    for name in sorted(os.listdir(directory)):
        if not name.endswith((".html", ".html.gz", ".htm")):
            continue
        with open(os.path.join(directory, name), "rb") as f:
            raw = f.read()
        if name.endswith(".gz"):
            raw = gzip.decompress(raw)
        pages.append((name.split(".")[0], raw.decode("utf-8", errors="replace")))
    return pages


def extractor(peer):
    if peer == "trafilatura":
        import trafilatura

        return lambda html: trafilatura.extract(html) or ""
    if peer == "readability":
        import lxml.html
        from readability import Document

        def run(html):
            summary = Document(html).summary()
            return lxml.html.fromstring(summary).text_content() if summary else ""

        return run
    raise SystemExit(f"unknown peer {peer!r}")


def main(argv):
    timing = argv and argv[0] == "--time"
    if timing:
        argv = argv[1:]
    if len(argv) < 2:
        raise SystemExit(__doc__)
    peer, directory = argv[0], argv[1]
    rounds = int(argv[2]) if len(argv) > 2 else 1
    pages = load(directory)
    run = extractor(peer)
    if timing:
        round_seconds = []
        for _ in range(rounds):
            start = time.perf_counter()
            for _, html in pages:
                run(html)
            round_seconds.append(time.perf_counter() - start)
        print(json.dumps({
            "peer": peer,
            "pages": len(pages),
            "rounds": rounds,
            "round_seconds": round_seconds,
            "best_pages_per_second": len(pages) / min(round_seconds),
        }))
        return
    for page_id, html in pages:
        print(json.dumps({"id": page_id, "body": run(html)}))


if __name__ == "__main__":
    main(sys.argv[1:])
