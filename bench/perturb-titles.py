#!/usr/bin/env python3
"""How much kradar's crash titles depend on a log's surface, not its reports.

Usage: perturb-titles.py KRADAR_BINARY CORPUS_DIR [--mode MODE]... [--show N]

Every log of a title corpus (the format of ../shared/corpus: header lines,
a blank line, the console log, optionally an empty line and 'REPORT:') is
changed mechanically the way logs of other kernels and consoles differ, and
kradar's title of the changed log is compared with its title of the log as
it was (not with the corpus's expected title: this measures no tuning, so it
holds for logs nobody tuned for). Modes (default: all):

  add-task     a task context ('[ T4242]') after every timestamp without one
  strip-time   every timestamp and context prefix removed
  add-file     a source position after every bare frame (symbolized logs)
  add-addr     '[<ffffffff81234567>] ' before every frame (4.x kernels)

Prints, per mode, 'MODE: N of M titles unchanged (L log lines changed)' and
the first N changes.
"""
import argparse
import json
import os
import re
import subprocess
import sys

TIME = re.compile(rb"^\[ *\d+\.\d+\](\[ *[TC]\d+\])? ?")
TIME_ONLY = re.compile(rb"^(\[ *\d+\.\d+\]) ?(?!\[)")
FRAME = re.compile(rb"^(\[ *\d+\.\d+\](?:\[ *[TC]\d+\])? ?)?( +)(\? )?"
                   rb"([A-Za-z_][\w.]*\+0x[0-9a-f]+/0x[0-9a-f]+)( \[\w+\])?$")


def read_log(path):
    lines = open(path, "rb").read().replace(b"\r", b"").split(b"\n")
    i = 0
    while i < len(lines) and lines[i] != b"":
        i += 1
    log, prev_empty = [], False
    for ln in lines[i + 1:]:
        if prev_empty and ln == b"REPORT:":
            break
        log.append(ln)
        prev_empty = ln == b""
    return log


def add_task(lines):
    return [TIME_ONLY.sub(lambda m: m.group(1) + b"[ T4242] ", ln, count=1) for ln in lines]


def strip_time(lines):
    return [TIME.sub(b"", ln) for ln in lines]


def add_file(lines):
    return [ln + b" kernel/kradar/probe.c:123" if FRAME.match(ln) else ln for ln in lines]


def add_addr(lines):
    out = []
    for ln in lines:
        m = FRAME.match(ln)
        if m:
            ln = ((m.group(1) or b"") + m.group(2) + b"[<ffffffff81234567>] " +
                  (m.group(3) or b"") + m.group(4) + (m.group(5) or b""))
        out.append(ln)
    return out


MODES = {"add-task": add_task, "strip-time": strip_time, "add-file": add_file,
         "add-addr": add_addr}


def title(kradar, lines):
    r = subprocess.run([kradar, "classify", "--json", "-"], input=b"\n".join(lines) + b"\n",
                       capture_output=True, check=False)
    if r.returncode != 0:
        sys.exit("perturb-titles: %s classify exited with %d: %s" %
                 (kradar, r.returncode, r.stderr.decode(errors="replace").strip()))
    return json.loads(r.stdout).get("title")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("kradar")
    ap.add_argument("corpus")
    ap.add_argument("--mode", action="append", choices=sorted(MODES))
    ap.add_argument("--show", type=int, default=10)
    a = ap.parse_args()
    kradar = os.path.abspath(a.kradar)
    names = sorted(f for f in os.listdir(a.corpus) if os.path.isfile(os.path.join(a.corpus, f)))
    logs = {f: read_log(os.path.join(a.corpus, f)) for f in names}
    base = {f: title(kradar, logs[f]) for f in names}
    for mode in a.mode or list(MODES):
        changed, lines_changed = [], 0
        for f in names:
            log = MODES[mode](logs[f])
            lines_changed += sum(1 for x, y in zip(logs[f], log) if x != y)
            t = title(kradar, log)
            if t != base[f]:
                changed.append((f, base[f], t))
        print("%s: %d of %d titles unchanged (%d log lines changed)" %
              (mode, len(names) - len(changed), len(names), lines_changed))
        for f, was, now in changed[:a.show]:
            print("  %s: %r -> %r" % (f, was, now))


if __name__ == "__main__":
    main()
