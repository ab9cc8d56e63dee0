#!/bin/sh
# meson install into a temporary directory (TAP): kradar, a man page per
# command of `kradar help` (docs/meson.build's list must name them all),
# man -l renders kradar-run.1 with its options, and the bash and zsh
# completion scripts parse and know the commands.
#   tests/install.sh MESON BUILD_DIR
set -u
meson=$1
build=$2
dest=$(mktemp -d "${TMPDIR:-/tmp}/kradar-install-XXXXXX")
trap 'rm -rf "$dest"' EXIT
# shellcheck source=tests/tap.sh
. "$(dirname "$0")/tap.sh"
check() { # check DESCRIPTION COMMAND...
	d=$1
	shift
	if "$@" >"$dest/out" 2>&1; then ok "$d"; else not_ok "$d"; sed 's/^/# /' "$dest/out"; fi
}

echo "1..7"
check "meson install --destdir" "$meson" install -C "$build" --no-rebuild --quiet --destdir "$dest/root"
kradar=$(find "$dest/root" -path '*/bin/kradar' -type f | head -n 1)
man1=$(find "$dest/root" -type d -path '*/man/man1' | head -n 1)
missing=""
if [ -n "$kradar" ] && [ -n "$man1" ]; then
	for c in $("$kradar" help | awk '/^Commands:/ {on = 1; next} on && /^  [a-z]/ {print $1} on && /^$/ {on = 0}'); do
		[ -f "$man1/kradar-$c.1" ] || missing="$missing $c"
	done
	[ -f "$man1/kradar.1" ] || missing="$missing (kradar.1)"
	if [ -z "$missing" ]; then ok "a man page per command"; else not_ok "man pages missing:$missing"; fi
else
	not_ok "kradar or man1 not installed under $dest/root"
fi

if ! command -v man >/dev/null; then
	skip "man -l renders kradar-run.1" "man (man-db) is not installed"
else
	LC_ALL=C MANWIDTH=80 man -l "$man1/kradar-run.1" >"$dest/run.txt" 2>"$dest/man.err"
	if grep -q -- '--filter GLOB' "$dest/run.txt" && grep -q '^NAME' "$dest/run.txt" &&
		grep -q 'kradar-run - run scenarios' "$dest/run.txt" && ! [ -s "$dest/man.err" ]; then
		ok "man -l renders kradar-run.1"
	else
		not_ok "man -l renders kradar-run.1"
		sed 's/^/# /' "$dest/man.err" "$dest/run.txt" | head -n 40
	fi
fi
if LC_ALL=C MANWIDTH=80 man -l "$man1/kradar.1" 2>/dev/null | grep -q 'KRADAR_LOG'; then
	ok "kradar.1 lists KRADAR_LOG"
else
	not_ok "kradar.1 lists KRADAR_LOG"
fi

bash_c=$(find "$dest/root" -path '*bash-completion/completions/kradar' -type f | head -n 1)
if [ -n "$bash_c" ] && bash -n "$bash_c"; then
	# completes a command, an option and an option's fixed words
	got=$(bash -c '. "$1"; COMP_WORDS=(kradar -v run --fil); COMP_CWORD=3; _kradar; echo "${COMPREPLY[*]}";
		COMP_WORDS=(kradar matrix --emit ""); COMP_CWORD=3; _kradar; echo "${COMPREPLY[*]}"' _ "$bash_c")
	if [ "$got" = "--filter
list github" ]; then ok "bash completion"; else not_ok "bash completion: got '$got'"; fi
else
	not_ok "bash completion installed and bash -n passes"
fi

zsh_c=$(find "$dest/root" -path '*zsh/site-functions/_kradar' -type f | head -n 1)
if [ -z "$zsh_c" ]; then
	not_ok "zsh completion installed"
elif ! command -v zsh >/dev/null; then
	skip "zsh -n _kradar" "zsh is not installed"
else
	check "zsh -n _kradar" zsh -n "$zsh_c"
fi
check "_kradar names every command" grep -q "'verify-fix:run a reproducer" "${zsh_c:-/nonexistent}"
exit $fail
