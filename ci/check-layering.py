#!/usr/bin/env python3
"""Checks the layering of kradar's source folders: a file may include
headers of its own folder and of folders on lower layers, never of a folder
on its own layer or above. The layers (lowest first) are the table below;
HACKING.md draws the same map. Exit 1 with one line per violation.

    ci/check-layering.py [SOURCE_ROOT]
"""
import os
import re
import sys

# (layer, folder): folders on one layer are independent of each other.
LAYERS = [
    (0, "runner/core"),
    (1, "runner/signature"),
    (1, "runner/syzbot"),
    (2, "runner/scenario"),
    (3, "runner/kernel"),
    (3, "runner/guest"),
    (3, "runner/results"),
    (4, "reporters"),
    # the run engine writes the reports and shows progress: above
    # reporters/, below the commands that call it
    (4.5, "runner/run"),
    (5, "runner/cli"),
]

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..")
    layer_of = dict((folder, layer) for layer, folder in LAYERS)
    header_folder = {}
    sources = []
    for _, folder in LAYERS:
        path = os.path.join(root, folder)
        if not os.path.isdir(path):
            print(f"check-layering: {folder}: missing folder")
            return 1
        for name in sorted(os.listdir(path)):
            if name.endswith(".h"):
                if name in header_folder:
                    print(f"check-layering: {folder}/{name}: header name also in {header_folder[name]}")
                    return 1
                header_folder[name] = folder
            if name.endswith((".c", ".h")):
                sources.append((folder, name))
    stray = [n for n in os.listdir(os.path.join(root, "runner"))
             if n.endswith((".c", ".h"))]
    bad = [f"runner/{n}: a source file outside the subsystem folders" for n in sorted(stray)]
    for folder, name in sources:
        with open(os.path.join(root, folder, name), encoding="utf-8") as f:
            text = f.read()
        for m in INCLUDE.finditer(text):
            inc = os.path.basename(m.group(1))
            target = header_folder.get(inc)
            if target is None or target == folder:
                continue
            if layer_of[target] >= layer_of[folder]:
                line = text.count("\n", 0, m.start()) + 1
                bad.append(f"{folder}/{name}:{line}: includes {target}/{inc} "
                           f"(layer {layer_of[target]}, not below {folder}'s {layer_of[folder]})")
    for b in bad:
        print(b)
    print(f"check-layering: {len(sources)} files, {len(bad)} violations")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
