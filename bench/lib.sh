# shellcheck shell=sh
# Sourced by the bench/*.sh scripts: Debian's kernel and the kradar_test
# module prepared (ci/prepare-debian-kernel.sh, cached) and their variables
# exported; $work, a temporary directory removed on exit, with an empty
# $work/s for the bench's scenarios; now and sub for timing.
env_file=$(./ci/prepare-debian-kernel.sh | tail -n 1)
set -a
# shellcheck disable=SC1090
. "$env_file"
set +a
work=$(mktemp -d "${TMPDIR:-/tmp}/kradar-bench-XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir "$work/s"
now() { date +%s.%N; }

# demo_without_kvm DEMO OUT: scenarios/demo/DEMO.json with vm.kvm "off" (the
# one-time KVM probe stays out of the figures) and its assets found from $work.
demo_without_kvm() {
	sed -e 's/"kvm": "auto"/"kvm": "off"/' \
	    -e "s|\"assets/|\"$PWD/scenarios/demo/assets/|g" \
	    "scenarios/demo/$1.json" >"$2"
}
