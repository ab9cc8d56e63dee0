#!/usr/bin/env python3
"""Counts test cases in a meson testlog.json: each TAP "ok"/"not ok" line is
one case; a test that printed no TAP counts once by its result. Prints the
skipped count, then the final line "N passed, N failed"."""
import json
import re
import sys

passed = failed = skipped = 0
with open(sys.argv[1], encoding="utf-8", errors="replace") as f:
    for line in f:
        entry = json.loads(line)
        cases = re.findall(r"^(?:ok|not ok)\b.*$", entry.get("stdout") or "", re.M)
        if not cases:
            result = entry.get("result")
            if result == "SKIP":
                skipped += 1
            elif result in ("OK", "EXPECTEDFAIL"):
                passed += 1
            else:
                failed += 1
            continue
        for case in cases:
            if re.search(r"#\s*SKIP", case, re.I):
                skipped += 1
            elif case.startswith("ok"):
                passed += 1
            else:
                failed += 1
        # A binary that crashed after its last TAP line still failed.
        if entry.get("result") not in ("OK", "SKIP", "EXPECTEDFAIL") and \
                not any(c.startswith("not ok") for c in cases):
            failed += 1
print("%d skipped" % skipped)
print("%d passed, %d failed" % (passed, failed))
