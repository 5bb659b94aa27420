#!/usr/bin/env bash
# Records checker/testdata/logs/racelings/*.log, the report parser's samples
# of the primitives' own reports, by running the tests of
# programs/racelings_reports.cc (one test per log) and keeping what they print
# (standard output and error together, as Bazel's test.log has them). No log
# there is written by hand.
#
#   checker/testdata/record_racelings_logs.sh
#       (from the workspace root) builds the program twice with Bazel, plain
#       and with --config=tsan, and records every log below.
#   record_racelings_logs.sh --check PROGRAM LOG_DIR [REPORTS_MD]
#       runs PROGRAM (as built by the current configuration) the same way and
#       fails, showing the difference, when its output no longer matches the
#       logs in LOG_DIR, or when an example of REPORTS_MD that quotes the
#       program is no longer found word for word in one of them
#       (racelings_logs_test does this).
#
# What varies from run to run is replaced when recording and when comparing:
# process and thread ids (pid=, tid=, ==pid==), addresses (0x...), and
# GoogleTest's timings ("(3 ms)"). When comparing, what only a sanitizer
# build prints is also left out on both sides: ThreadSanitizer's own report
# blocks and its closing count, and the "Stack of the reporting thread"
# section our reports add when a sanitizer runtime is linked in. Everything
# else, the primitives' reports above all, must match line for line.
set -uo pipefail

# LOG TEST BUILD: the log, the GoogleTest test that prints it, and the build
# it is recorded from (plain, or tsan: a deadlock as a TSan-built exercise
# prints it, with the reporting thread's stack and TSan's own report).
readonly RECORDINGS=(
  "deadlock_all_blocked KeepSender.ReceivesEveryMessage plain"
  "deadlock_cycle Bank.TransfersWhileBothHold plain"
  "deadlock_cycle_tsan Bank.TransfersWhileBothHold tsan"
  "deadlock_self Log.FlushThenAppend plain"
  "lock_order_inversion Bank.TransfersBothWays plain"
  "mutex_misuse Shutdown.DrainsAndStops plain"
  "thread_leak Upload.FinishesInTheBackground plain"
  "timeout Pipeline.DeliversEveryItem plain"
)
# The options .bazelrc gives a TSan-built test.
readonly TSAN_RUN_OPTIONS=halt_on_error=0:exitcode=66:history_size=4:second_deadlock_stack=1:atexit_sleep_ms=0:external_symbolizer_path=/usr/lib/llvm-19/bin/llvm-symbolizer

# run PROGRAM TEST: the test's output, with a clean environment (no variable
# of the caller's, Bazel's or racelings' own may change what it prints) and a
# one-second watchdog limit for the timeout log.
run() {
  env -i PATH=/usr/bin:/bin TSAN_OPTIONS="${TSAN_OPTIONS:-$TSAN_RUN_OPTIONS}" \
    ${ASAN_OPTIONS:+ASAN_OPTIONS="$ASAN_OPTIONS"} RACELINGS_TEST_TIMEOUT_S=1 \
    "$1" --gtest_filter="$2" 2>&1
}

# Replaces what varies from run to run.
normalize() {
  sed -E -e 's/\((pid|tid)=[0-9]+/(\1=ID/g' -e 's/==[0-9]+==/==ID==/g' \
    -e 's/0x[0-9a-f]+/0xADDR/g' -e 's/\(([0-9]+) ms( total)?\)/(N ms\2)/g' \
    -e 's/\(timeout: no result after [0-9]+ s/(timeout: no result after N s/'
}

# Leaves out what only a sanitizer build prints.
without_sanitizer_parts() {
  awk '
    # A line of = opens a block; it is kept unless TSan wrote that block.
    held != "" {
      if ($0 ~ /^WARNING: ThreadSanitizer/) { held = ""; in_tsan = 1; next }
      print held
      held = ""
    }
    in_tsan { if ($0 == "==================") in_tsan = 0; next }
    $0 == "==================" { held = $0; next }
    /^ThreadSanitizer: reported [0-9]+ warnings?$/ { next }
    /llvm-symbolizer: error: / { next }
    # The section runs to the SUMMARY line, blank lines included.
    /^  Stack of the reporting thread:$/ { in_stack = 1; next }
    in_stack { if ($0 ~ /^SUMMARY: /) in_stack = 0; else next }
    { print }
    END { if (held != "") print held }
  '
}

check() {
  local program=$1 dir=$2 failed=0 entry log test build fresh diff_file
  diff_file=$(mktemp)
  for entry in "${RECORDINGS[@]}"; do
    read -r log test build <<<"$entry"
    fresh=$(run "$program" "$test" | normalize | without_sanitizer_parts)
    if ! diff -u <(without_sanitizer_parts <"$dir/$log.log") <(printf '%s\n' "$fresh") >"$diff_file"; then
      echo "FAIL: $log.log ($test, recorded from the $build build) is no longer what the program prints:"
      cat "$diff_file"
      echo "(re-record with checker/testdata/record_racelings_logs.sh and review the parser's tests)"
      failed=1
    else
      echo "ok: $log.log"
    fi
  done
  rm -f "$diff_file"
  # A log nobody records any more is a hand-written one in waiting.
  for file in "$dir"/*.log; do
    log=$(basename "$file" .log)
    if ! printf '%s\n' "${RECORDINGS[@]}" | grep -q "^$log "; then
      echo "FAIL: $log.log is not recorded by this script"
      failed=1
    fi
  done
  return $failed
}

# check_quotes REPORTS_MD LOG_DIR: every fenced example of REPORTS_MD that
# names racelings_reports.cc is part of a recorded log, word for word.
check_quotes() {
  local doc=$1 dir=$2 all block="" inside=0 failed=0 line count=0
  all=$(cat "$dir"/*.log)
  while IFS= read -r line; do
    if [[ $line == '```' ]]; then
      if ((inside)) && [[ $block == *racelings_reports.cc* ]]; then
        count=$((count + 1))
        if [[ $all != *"${block%$'\n'}"* ]]; then
          echo "FAIL: this example in $(basename "$doc") is in no recorded log (copy it from $dir):"
          printf '%s' "$block" | head -5
          failed=1
        fi
      fi
      inside=$((1 - inside))
      block=""
    elif ((inside)); then
      block+="$line"$'\n'
    fi
  done <"$doc"
  ((count > 0)) || { echo "FAIL: $(basename "$doc") quotes no recorded log"; failed=1; }
  ((failed)) || echo "ok: the $count examples of $(basename "$doc") that quote racelings_reports.cc"
  return $failed
}

record() {
  local root tmp entry log test build
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
  cd "$root" || exit 1
  tmp=$(mktemp -d /tmp/racelings-record.XXXXXX)
  trap "rm -rf '$tmp'" EXIT
  local -a flags=("--disk_cache=${RACELINGS_DISK_CACHE:-$HOME/.cache/racelings/disk-cache}")
  for build in plain tsan; do
    local -a config=()
    [[ $build == tsan ]] && config=(--config=tsan)
    bazel build "${flags[@]}" "${config[@]}" //checker/testdata:racelings_reports || exit 1
    mkdir "$tmp/$build"
    cp "$(bazel info "${flags[@]}" "${config[@]}" bazel-bin)/checker/testdata/racelings_reports" "$tmp/$build/"
  done
  for entry in "${RECORDINGS[@]}"; do
    read -r log test build <<<"$entry"
    run "$tmp/$build/racelings_reports" "$test" | normalize >"checker/testdata/logs/racelings/$log.log"
    echo "recorded $log.log ($test, $build build)"
  done
}

if [[ ${1:-} == --check ]]; then
  [[ $# -eq 3 || $# -eq 4 ]] || { echo "usage: $0 --check PROGRAM LOG_DIR [REPORTS_MD]" >&2; exit 2; }
  status=0
  check "$2" "$3" || status=1
  if [[ $# -eq 4 ]]; then check_quotes "$4" "$3" || status=1; fi
  exit $status
else
  [[ $# -eq 0 ]] || { echo "usage: $0 (records) | $0 --check PROGRAM LOG_DIR" >&2; exit 2; }
  record
fi
