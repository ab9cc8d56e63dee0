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
restore = uses(steps, "actions/cache/restore")
save = uses(steps, "actions/cache/save")
check("github: restores ~/.cache/kradar",
      restore and "~/.cache/kradar" in str(restore[0].get("with", {}).get("path")))
check("github: saves ~/.cache/kradar also after a failing run",
      save and "~/.cache/kradar" in str(save[0].get("with", {}).get("path"))
      and "!cancelled()" in str(save[0].get("if", "")))
check("github: no plain actions/cache (it saves only on success)",
      not uses(steps, "actions/cache"))
upload = uses(steps, "actions/upload-artifact")
check("github: uploads the results", upload and upload[0].get("if"))
report = uses(steps, "dorny/test-reporter")
check("github: publishes junit.xml",
      report and str(report[0]["with"]["path"]).endswith("junit.xml")
      and report[0]["with"].get("reporter") == "java-junit")
check("github: no check run for fork pull requests",
      report and "github.event.pull_request.head.repo.full_name == github.repository"
      in str(report[0].get("if", "")))
NODE24 = {"actions/checkout": 6, "actions/cache/restore": 5, "actions/cache/save": 5,
          "actions/upload-artifact": 7, "actions/download-artifact": 7,
          "dorny/test-reporter": 3}


def majors_current(name, doc):
    for job in (doc.get("jobs") or {}).values():
        for st in job.get("steps") or []:
            action, _, ref = st.get("uses", "").partition("@")
            if action and (action not in NODE24 or ref != "v%d" % NODE24[action]):
                check("%s: %s@%s is a current (node24) major" % (name, action, ref), False)
                return
    check("%s: every action at its current (node24) major" % name, True)


majors_current("github", gh)

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
check("gitlab: saves the cache also when the job fails",
      (job.get("cache") or {}).get("when") == "always")

# The sharded examples (docs/matrix.md).
if len(sys.argv) > 4:
    ghs = load("github sharded", sys.argv[3])
    jobs = ghs.get("jobs") or {}
    merge = jobs.get("merge") or {}
    check("github sharded: merge runs after failing shards",
          "!cancelled()" in str(merge.get("if", "")) and "run" in str(merge.get("needs")))
    check("github sharded: shards do not cancel each other",
          ((jobs.get("run") or {}).get("strategy") or {}).get("fail-fast") is False)
    for name in ("plan", "run", "merge"):
        steps = (jobs.get(name) or {}).get("steps") or []
        check("github sharded: %s installs and builds kradar" % name,
              "ci/install-deps.sh --run" in runs(steps) and "ninja -C .kradar/build" in runs(steps))
    majors_current("github sharded", ghs)
    gls = load("gitlab sharded", sys.argv[4])
    shard = gls.get("kradar") or {}
    gmerge = gls.get("kradar-merge") or {}
    check("gitlab sharded: parallel shards", isinstance(shard.get("parallel"), int))
    check("gitlab sharded: shards keep artifacts and cache when failing",
          (shard.get("artifacts") or {}).get("when") == "always"
          and (shard.get("cache") or {}).get("when") == "always")
    check("gitlab sharded: merge runs after failing shards, with their artifacts",
          gmerge.get("when") == "always"
          and {"job": "kradar", "artifacts": True} in (gmerge.get("needs") or []))
    check("gitlab sharded: merged JUnit report",
          str(((gmerge.get("artifacts") or {}).get("reports") or {}).get("junit", ""))
          == "merged/junit.xml")
    setup = gls.get(".kradar-setup") or {}
    check("gitlab sharded: jobs install and build kradar",
          "ninja -C .kradar/build" in "\n".join(setup.get("before_script", []))
          and shard.get("extends") == gmerge.get("extends") == ".kradar-setup")

print("1..%d" % len(checks))
for i, (name, ok) in enumerate(checks, 1):
    print("%s %d - %s" % ("ok" if ok else "not ok", i, name))
sys.exit(0 if all(ok for _, ok in checks) else 1)
