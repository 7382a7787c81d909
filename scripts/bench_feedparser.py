#!/usr/bin/env python3
"""Parse speed of Python feedparser on the same files: bench_feedparser.py DIR [ROUNDS].

Prints the best round's feeds/s and MB/s and a machine-readable feeds_per_sec= line."""
import os
import sys
import time

import feedparser


def main():
    directory = sys.argv[1]
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    files = []
    for name in sorted(os.listdir(directory)):
        with open(os.path.join(directory, name), "rb") as f:
            files.append(f.read())
    total = sum(len(b) for b in files)
    best = float("inf")
    items = 0
    for _ in range(max(rounds, 1)):
        started = time.perf_counter()
        n = 0
        for data in files:
            n += len(feedparser.parse(data).entries)
        best = min(best, time.perf_counter() - started)
        items = n
    fps = len(files) / best
    print(f"feedparser {feedparser.__version__}: {len(files)} feeds ({total / 1e6:.1f} MB, {items} items), "
          f"best of {rounds} rounds: {fps:.1f} feeds/s, {total / 1e6 / best:.2f} MB/s")
    print(f"feeds_per_sec={fps:.2f}")


if __name__ == "__main__":
    main()
