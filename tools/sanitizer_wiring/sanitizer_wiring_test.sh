#!/usr/bin/env bash
# Proves the per-target sanitizer wiring, with the options each program's
# build writes beside it (`<program>.env`, as the tests and the checker use):
#
# - each deliberately broken program prints its sanitizer's report (not
#   merely exits non-zero), naming the line of the bug;
# - every option the runtime knows is set from the environment
#   (tools/sanitizer_options/), so that a default compiled into a program
#   has nothing left to change;
# - programs whose compiled-in defaults would hide their bug (quiet_*.cc) do
#   hide it when run bare, and are caught anyway with the options.
set -u
fail=0
dir=tools/sanitizer_wiring

# run_with_env PROGRAM [VAR=VALUE...]: runs PROGRAM with only the variables
# of its .env file (and those given); sets $out and $code.
run_with_env() {
  local program=$1 entry
  shift
  local -a vars=()
  while IFS= read -r entry; do vars+=("$entry"); done <"$program.env"
  out=$(env -i PATH=/usr/bin:/bin "${vars[@]}" "$@" "$program" 2>&1)
  code=$?
  # No value may hold a blank: shells that read a .env file split it there.
  if printf '%s\n' "${vars[@]}" | grep -q '[[:blank:]]'; then
    echo "FAIL: $program.env has a value with a blank in it"
    fail=1
  fi
}

option_value() { # VAR_NAME PROGRAM: the value of VAR_NAME in PROGRAM.env
  sed -n "s/^$1=//p" "$2.env"
}

# exit_code_set PROGRAM VAR: the exitcode= that VAR of PROGRAM.env sets.
exit_code_set() {
  option_value "$2" "$1" | tr ':' '\n' | sed -n 's/^exitcode=//p'
}

# expect_report PROGRAM PATTERN LINE VAR: the report, naming LINE, and the
# exit code that VAR of PROGRAM.env sets (not 0: a report must fail the run).
expect_report() {
  local program=$1 pattern=$2 line=$3 want_code
  want_code=$(exit_code_set "$program" "$4")
  if [ -z "$want_code" ] || [ "$want_code" = 0 ]; then
    echo "FAIL: $4 of $program.env sets no non-zero exitcode (got '$want_code')"
    fail=1
    return
  fi
  run_with_env "$program"
  if ! grep -q "$pattern" <<<"$out"; then
    echo "FAIL: $program printed no '$pattern' (exit $code). Output:"
    echo "$out" | head -40
    fail=1
  elif ! grep -q "$line" <<<"$out"; then
    echo "FAIL: the report of $program does not name $line. Output:"
    echo "$out" | head -40
    fail=1
  elif [ "$code" -ne "$want_code" ]; then
    echo "FAIL: $program exited with $code, expected $want_code"
    fail=1
  else
    echo "ok: $program reported '$pattern' at $line (exit $code)"
  fi
}

# expect_hidden_when_bare PROGRAM PATTERN: without any options, the
# program's compiled-in defaults hide its bug (so the test above can fail).
expect_hidden_when_bare() {
  local program=$1 pattern=$2
  local bare
  bare=$(env -i PATH=/usr/bin:/bin "$program" 2>&1)
  local bare_code=$?
  if grep -q "$pattern" <<<"$bare" || [ $bare_code -ne 0 ]; then
    echo "FAIL: run bare, $program was expected to hide its bug (exit 0, no '$pattern'), got exit $bare_code:"
    echo "$bare" | head -20
    fail=1
  else
    echo "ok: run bare, $program hides its bug (exit 0)"
  fi
}

# expect_all_options_set PROGRAM VAR: every option the runtime lists (help=1)
# is set in VAR, except those that take no value or only read more options,
# and the layout of stack frames (tools/sanitizer_options/pin_options.sh says why).
expect_all_options_set() {
  local program=$1 var=$2
  local options listed missing=""
  options=$(option_value "$var" "$program")
  run_with_env "$program" "$var=$options:help=1"
  listed=$(awk '/^\t[A-Za-z0-9_]+$/ { print substr($0, 2) }' <<<"$out")
  if [ -z "$listed" ]; then
    echo "FAIL: $program listed no options with help=1:"
    echo "$out" | head -20
    fail=1
    return
  fi
  for name in $listed; do
    case "$name" in help | include | include_if_exists | log_suffix | stack_trace_format) continue ;; esac
    case ":$options" in *":$name="*) ;; *) missing="$missing $name" ;; esac
  done
  if [ -n "$missing" ]; then
    echo "FAIL: $var of $program leaves these options to a compiled-in default:$missing"
    echo "      (after a clang upgrade: tools/sanitizer_options/pin_options.sh > tools/sanitizer_options/pinned.bzl)"
    fail=1
  else
    echo "ok: $var of $program sets all $(wc -w <<<"$listed") options the runtime lists"
  fi
  if grep -qi "invalid value\|flag parsing failed\|unknown" <<<"$out"; then
    echo "FAIL: the runtime of $program rejects an option of $var:"
    grep -i "invalid value\|flag parsing failed\|unknown" <<<"$out" | head -5
    fail=1
  fi
}

expect_report "$dir/racy_tsan" "WARNING: ThreadSanitizer: data race" "racy.cc:11" TSAN_OPTIONS
expect_report "$dir/uaf_asan" "ERROR: AddressSanitizer: heap-use-after-free" "uaf.cc:8" ASAN_OPTIONS
expect_all_options_set "$dir/racy_tsan" TSAN_OPTIONS
expect_all_options_set "$dir/uaf_asan" ASAN_OPTIONS
[ -n "$(option_value LSAN_OPTIONS "$dir/uaf_asan")" ] || { echo "FAIL: uaf_asan.env sets no LSAN_OPTIONS"; fail=1; }

expect_hidden_when_bare "$dir/racy_quiet_tsan" "ThreadSanitizer"
expect_report "$dir/racy_quiet_tsan" "WARNING: ThreadSanitizer: data race" "racy.cc:11" TSAN_OPTIONS
expect_hidden_when_bare "$dir/uaf_quiet_asan" "AddressSanitizer"
expect_report "$dir/uaf_quiet_asan" "ERROR: AddressSanitizer: heap-use-after-free" "uaf.cc:8" ASAN_OPTIONS
exit $fail
