# SPDX-License-Identifier: MIT
# TAP lines for the shell tests (sourced): ok, not_ok and skip number the
# tests; fail is 1 once one has failed (the script's exit status).
n=0
fail=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); fail=1; echo "not ok $n - $1"; }
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
