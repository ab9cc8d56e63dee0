#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Checks the CI templates in ci/: well-formed YAML, and the pieces the
README promises (KVM, dependencies, cache, kradar run, artifacts, the JUnit
report). Prints TAP."""
import sys

import yaml

checks = []


def check(name, cond):
    checks.append((name, bool(cond)))


def runs(steps):
    return "\n".join(s.get("run", "") for s in steps)


def uses(steps, action):
    return [s for s in steps if s.get("uses", "").startswith(action + "@")]


def load(name, path):
    try:
        doc = yaml.safe_load(open(path, encoding="utf-8"))
        check(name + ": well-formed YAML", isinstance(doc, dict))
        return doc if isinstance(doc, dict) else {}
    except yaml.YAMLError as e:
        check("%s: well-formed YAML (%s)" % (name, str(e).splitlines()[0]), False)
        return {}


gh = load("github", sys.argv[1])
# YAML 1.1 reads the key "on" as true; GitHub reads it as "on".
check("github: has triggers", "on" in gh or True in gh)
job = (gh.get("jobs") or {}).get("kradar") or {}
steps = job.get("steps") or []
check("github: a kradar job on a Linux runner", "ubuntu" in str(job.get("runs-on", "")))
script = runs(steps)
check("github: KVM udev rule",
      'KERNEL=="kvm", GROUP="kvm", MODE="0666", OPTIONS+="static_node=kvm"' in script
      and "udevadm control --reload-rules" in script
      and "udevadm trigger --name-match=kvm" in script)
check("github: installs the dependencies", "ci/install-deps.sh" in script)
check("github: runs kradar", "kradar run --out" in script)
check("github: summary into GITHUB_STEP_SUMMARY", "$GITHUB_STEP_SUMMARY" in script)
cache = uses(steps, "actions/cache")
check("github: caches ~/.cache/kradar",
      cache and "~/.cache/kradar" in str(cache[0].get("with", {}).get("path")))
upload = uses(steps, "actions/upload-artifact")
check("github: uploads the results", upload and upload[0].get("if"))
report = uses(steps, "dorny/test-reporter")
check("github: publishes junit.xml",
      report and str(report[0]["with"]["path"]).endswith("junit.xml")
      and report[0]["with"].get("reporter") == "java-junit")

gl = load("gitlab", sys.argv[2])
job = gl.get("kradar") or {}
check("gitlab: a Debian bookworm job", job.get("image") == "debian:bookworm")
script = "\n".join(job.get("before_script", []) + job.get("script", []))
check("gitlab: installs the dependencies", "ci/install-deps.sh" in script)
check("gitlab: runs kradar", "kradar run --out" in script)
art = job.get("artifacts") or {}
check("gitlab: keeps artifacts of failed jobs", art.get("when") == "always")
check("gitlab: JUnit report",
      str((art.get("reports") or {}).get("junit", "")).endswith("junit.xml"))
check("gitlab: caches the kernel cache",
      ".cache/kradar" in (job.get("cache") or {}).get("paths", [])
      and (gl.get("variables") or {}).get("XDG_CACHE_HOME") == "$CI_PROJECT_DIR/.cache")

print("1..%d" % len(checks))
for i, (name, ok) in enumerate(checks, 1):
    print("%s %d - %s" % ("ok" if ok else "not ok", i, name))
sys.exit(0 if all(ok for _, ok in checks) else 1)
