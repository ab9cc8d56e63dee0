#!/usr/bin/env python3
"""Title agreement per fold of a crash-title corpus, to see over-fitting.

Usage: score-folds.py KRADAR_BINARY CORPUS_DIR [--folds N] [--score SCRIPT]

The corpus's files are split into N folds (default 3) by a hash of their
name (stable across runs and machines); each fold is scored on its own with
the corpus's score-titles script (default: CORPUS_DIR/../../tools/
score-titles), through a temporary directory of symbolic links, and so is
the whole corpus. Tune the engine on two folds, read the third: a rule
that only helps the files it was written for shows as a gap between the
folds and the whole. Prints one line per fold and one for the whole.
"""
import argparse
import hashlib
import os
import re
import subprocess
import sys
import tempfile


def fold_of(name, n):
    return int(hashlib.sha256(name.encode()).hexdigest(), 16) % n


def score(tool, kradar, corpus):
    out = subprocess.run([sys.executable, tool, kradar, corpus], capture_output=True,
                         text=True, check=False).stdout
    m = re.search(r"title agreement: (\d+)/(\d+)", out)
    if not m:
        sys.exit("score-folds: no result from %s" % tool)
    return int(m.group(1)), int(m.group(2))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("kradar")
    ap.add_argument("corpus")
    ap.add_argument("--folds", type=int, default=3)
    ap.add_argument("--score")
    a = ap.parse_args()
    corpus = os.path.abspath(a.corpus)
    tool = a.score or os.path.join(corpus, "..", "..", "tools", "score-titles")
    kradar = os.path.abspath(a.kradar)
    names = sorted(f for f in os.listdir(corpus) if os.path.isfile(os.path.join(corpus, f)))
    for k in range(a.folds):
        with tempfile.TemporaryDirectory(prefix="kradar-fold-") as d:
            part = [f for f in names if fold_of(f, a.folds) == k]
            for f in part:
                os.symlink(os.path.join(corpus, f), os.path.join(d, f))
            ok, n = score(tool, kradar, d)
            print("fold %d: %d/%d (%.1f%%)" % (k, ok, n, 100.0 * ok / n))
    ok, n = score(tool, kradar, corpus)
    print("whole: %d/%d (%.1f%%)" % (ok, n, 100.0 * ok / n))


if __name__ == "__main__":
    main()
