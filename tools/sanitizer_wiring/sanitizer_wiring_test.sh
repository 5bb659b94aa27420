#!/usr/bin/env bash
# Proves the per-target sanitizer wiring: each deliberately broken program,
# built by sanitized_cc_binary, must print its sanitizer's report (not merely
# exit non-zero), and the report must name the line of the bug.
set -u
fail=0

expect_report() {
  local binary=$1 options_var=$2 options=$3 pattern=$4 line=$5
  local out
  out=$(env "$options_var=$options" "$binary" 2>&1)
  local code=$?
  if ! grep -q "$pattern" <<<"$out"; then
    echo "FAIL: $binary printed no '$pattern' (exit $code). Output:"
    echo "$out" | head -40
    fail=1
  elif ! grep -q "$line" <<<"$out"; then
    echo "FAIL: the report of $binary does not name $line. Output:"
    echo "$out" | head -40
    fail=1
  else
    echo "ok: $binary reported '$pattern' at $line (exit $code)"
  fi
}

dir=tools/sanitizer_wiring
expect_report "$dir/racy_tsan" TSAN_OPTIONS "exitcode=66" \
  "WARNING: ThreadSanitizer: data race" "racy.cc:11"
expect_report "$dir/uaf_asan" ASAN_OPTIONS "detect_leaks=1" \
  "ERROR: AddressSanitizer: heap-use-after-free" "uaf.cc:8"
exit $fail
