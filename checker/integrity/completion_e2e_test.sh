#!/usr/bin/env bash
# Plain `bazel test` cannot be fooled by an early exit (issue #15): each
# program in testdata/ that exits with status 0 before its tests all ran
# (from a static initializer, quick_exit mid-run, an atexit handler after a
# failure, a skipped test) fails through `<test>.runner.sh`, exactly
# what `bazel test` runs, with the reason; run bare, each exits 0, which is
# what a grader that trusts exit codes would have taken for a pass.
set -u
fail=0
dir=checker/integrity/testdata

# expect NAME CODE MESSAGE: the runner's exit code and a line of its output.
expect() {
  local name=$1 want=$2 message=$3 out code bare_code
  out=$(env -u RACELINGS_COMPLETION_NONCE -u RACELINGS_COMPLETION_FILE "$dir/$name.runner.sh" 2>&1)
  code=$?
  env -u RACELINGS_COMPLETION_NONCE -u RACELINGS_COMPLETION_FILE "$dir/$name" >/dev/null 2>&1
  bare_code=$?
  if [ "$code" -ne "$want" ]; then
    echo "FAIL: $name: the runner exited with $code, expected $want. Output:"
    echo "$out" | tail -20
    fail=1
  elif ! grep -qF "$message" <<<"$out"; then
    echo "FAIL: $name: the runner did not say '$message'. Output:"
    echo "$out" | tail -20
    fail=1
  else
    echo "ok: $name: runner exit $code ('$message'); the program alone exits $bare_code"
  fi
  if [ "$want" -ne 0 ] && [ "$bare_code" -ne 0 ]; then
    echo "FAIL: $name was meant to exit 0 on its own (to show that the exit code proves nothing), got $bare_code"
    fail=1
  fi
}

expect completes 0 "[  PASSED  ] 2 tests."
expect exits_before_main 1 "exited with code 0 before its tests finished"
expect quick_exit_mid_run 1 "exited with code 0 before its tests finished"
expect atexit_hides_failure 1 "the tests failed"
expect skips_a_test 1 "only 1 of the 2 tests ran"
exit $fail
