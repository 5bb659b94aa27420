#!/usr/bin/env bash
# Proves that Clang's thread safety analysis checks the primitives: each case
# in thread_annotations_cases.cc must be rejected with its diagnostic under
# the primitives' flags, the correct program must compile cleanly, and the
# exercises' flags (RACELINGS_UNCHECKED_GUARDS) must accept a student's
# returned guard while still rejecting an unlocked GUARDED_BY access.
#
# Usage: thread_annotations_test.sh STRICT_COPTS... -- EXERCISE_COPTS...
# (BUILD passes both lists from tools/copts.bzl). CXX overrides clang++-19.
set -uo pipefail

strict=()
while [[ $# -gt 0 && $1 != "--" ]]; do strict+=("$1"); shift; done
[[ $# -gt 0 ]] && shift
exercise=("$@")
if [[ ${#strict[@]} -eq 0 || ${#exercise[@]} -eq 0 ]]; then
  echo "usage: $0 STRICT_COPTS... -- EXERCISE_COPTS..." >&2
  exit 2
fi

cxx="${CXX:-clang++-19}"
if ! command -v "$cxx" >/dev/null; then
  echo "$cxx not found: install clang-19 (./racelings installs it)" >&2
  exit 2
fi

root="${TEST_SRCDIR:-.}/${TEST_WORKSPACE:-}"
cases="$root/primitives/thread_annotations_cases.cc"
[[ -f $cases ]] || { echo "missing $cases" >&2; exit 2; }

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# compile FLAGS... : clang's diagnostics in $out, its status in $status.
compile() {
  out=$("$cxx" -std=c++20 -fsyntax-only -iquote "$root" "$@" "$cases" 2>&1)
  status=$?
}

# accepts NAME FLAGS... : compiles with no diagnostic at all.
accepts() {
  local name=$1; shift
  compile "$@"
  if [[ $status -ne 0 || -n $out ]]; then
    fail "$name: expected a clean compile, got status $status:"
    echo "$out"
  else
    echo "ok: $name compiles cleanly"
  fi
}

# rejects NAME DIAGNOSTIC FLAGS... : fails, with DIAGNOSTIC as an error.
rejects() {
  local name=$1 diagnostic=$2; shift 2
  compile "$@"
  if [[ $status -eq 0 ]]; then
    fail "$name: compiled, but the analysis must reject it with: $diagnostic"
  elif ! grep -qF "error: $diagnostic" <<<"$out"; then
    fail "$name: rejected, but not with \"error: $diagnostic\":"
    echo "$out"
  else
    echo "ok: $name rejected: $diagnostic"
  fi
}

accepts "correct program (primitives' flags)" "${strict[@]}"
rejects "GUARDED_BY(RawMutex) touched without a LockGuard" \
  "writing variable 'balance_' requires holding mutex 'mu_' exclusively" "${strict[@]}" -DCASE_RAW_UNLOCKED
rejects "GUARDED_BY(Mutex<T>) touched after guard.unlock()" \
  "writing variable 'last_page' requires holding mutex 'hits' exclusively" "${strict[@]}" -DCASE_AFTER_UNLOCK
rejects "GUARDED_BY(Mutex<T>) touched after the guard's scope" \
  "writing variable 'last_page' requires holding mutex 'hits' exclusively" "${strict[@]}" -DCASE_AFTER_GUARD_SCOPE
rejects "GUARDED_BY(RwLock<T>) written under a read guard" \
  "writing variable 'version' requires holding rwlock 'config' exclusively" "${strict[@]}" -DCASE_WRITE_UNDER_READ
rejects "a guard returned without an ACQUIRE annotation (primitives' flags)" \
  "mutex 'total' is still held at the end of function" "${strict[@]}" -DCASE_GUARD_RETURNED

accepts "a student's returned and moved guards (exercises' flags)" "${exercise[@]}" -DCASE_GUARD_RETURNED
rejects "GUARDED_BY(RawMutex) touched without a LockGuard (exercises' flags)" \
  "writing variable 'balance_' requires holding mutex 'mu_' exclusively" "${exercise[@]}" -DCASE_RAW_UNLOCKED

if [[ $failures -gt 0 ]]; then
  echo "$failures case(s) failed"
  exit 1
fi
echo "all cases behave"
