#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes each run: script of GitHub workflow files into DIR as a bash file
(DIR/WORKFLOW-JOB-STEP.sh), each ${{ expression }} replaced by a plain word
of the same length, as actionlint does before it hands scripts to
shellcheck: tests/workflow-scripts.py DIR WORKFLOW..."""
import os
import re
import sys

import yaml

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
for path in sys.argv[2:]:
    doc = yaml.safe_load(open(path, encoding="utf-8")) or {}
    base = os.path.splitext(os.path.basename(path))[0]
    for job_name, job in (doc.get("jobs") or {}).items():
        for i, step in enumerate(job.get("steps") or [], 1):
            script = step.get("run")
            if not script:
                continue
            script = re.sub(r"\$\{\{.*?\}\}", lambda m: "_" * len(m.group(0)), script)
            name = "%s-%s-%d.sh" % (base, job_name, i)
            with open(os.path.join(out, name), "w", encoding="utf-8") as f:
                f.write("#!/bin/bash\nset -e\n" + script)
