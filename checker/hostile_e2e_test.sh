#!/usr/bin/env bash
# End-to-end test of the checker against hostile and broken submissions: the
# programs in checker/testdata/hostile/ (see its README.md), each a
# replacement exercise.cc for exercise 01. Every one goes through
# `racelings check 01` in a pristine copy of the tree, with its exit code,
# finding kinds and specific promises asserted (a fork bomb and a 10 GB
# allocation leave nothing behind, a flood of output is cut with a note, no
# file appears outside the run's directory, a stream of fake reports keeps
# the checker small). Then the whole corpus is graded at once, one student
# per program, while a second `grade` on the same --out is refused; and two
# `check`s run at the same time on one tree. The cheats that try to fool the
# grader rather than the runner (testdata/hostile/cheats.bzl) are also run
# through plain `bazel test //exercises/01_spawn_join:test`, which must fail
# with the integrity check's reasons.
#
# Usage: checker/hostile_e2e_test.sh RACELINGS_BINARY   (./racelings test runs it)
# It uses the real Bazel of this tree (checking builds code), so it runs
# outside `bazel test`. Run it as root to test the user-of-its-own isolation.
set -uo pipefail

bin=${1:?usage: hostile_e2e_test.sh path/to/checker/racelings}
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
corpus=$root/checker/testdata/hostile
ex=01_spawn_join
start=$SECONDS
work=$(mktemp -d /tmp/racelings-hostile-e2e-XXXXXX)
copy=$work/tree
failures=0
checked=0
# The outside files write_outside.cc tries to create.
outside=(/racelings-hostile-write /root/racelings-hostile-write "$copy/racelings-hostile-write"
  "$copy/exercises/$ex/racelings-hostile-write")

source "$root/checker/e2e_lib.sh"
# Grading's pristine copy and slot go inside $work: nothing is left in the user's cache.
RACELINGS_DISK_CACHE=$(e2e_shared_disk_cache)
export RACELINGS_DISK_CACHE
grade_env=(env XDG_CACHE_HOME="$work/xdg")

cleanup() {
  e2e_stop_bazel "$copy" "$work"/xdg/racelings/grade/*/slot
  rm -rf "$work"
}
trap cleanup EXIT

fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}

# sample PID COMM FILE: while PID runs, records in FILE the most processes
# named COMM seen at once, PID's peak resident memory (kB), and the users
# the COMM processes ran as.
sample() {
  local pid=$1 comm=$2 file=$3 most=0 peak=0 uids=" " n h u
  local -a found
  while kill -0 "$pid" 2>/dev/null; do
    if [ -n "$comm" ]; then
      mapfile -t found < <(ps -e -o uid=,comm= | awk -v c="$comm" '$2 == c { print $1 }')
      n=${#found[@]}
      [ "$n" -gt "$most" ] && most=$n
      for u in "${found[@]}"; do
        case "$uids" in *" $u "*) ;; *) uids="$uids$u " ;; esac
      done
    fi
    h=$(awk '/^VmHWM:/ { print $2 }' "/proc/$pid/status" 2>/dev/null)
    [ -n "$h" ] && [ "$h" -gt "$peak" ] && peak=$h
    sleep 0.2
  done
  echo "$most $peak$uids" >"$file"
}

# left_alive uid|comm VALUE: how many processes whose user id (uid) or name
# (comm) is VALUE are still alive (not counting zombies about to be reaped),
# after up to 5 s.
left_alive() {
  local n
  for _ in $(seq 25); do
    n=$(ps -e -o stat=,"$1"= | awk -v v="$2" '$2 == v && $1 !~ /^Z/' | wc -l)
    [ "$n" -eq 0 ] && break
    sleep 0.2
  done
  echo "$n"
}

# check NAME CODE KIND...: runs `check 01` on the program NAME.cc and asserts
# the exit code and that every KIND is named: in the summary line
# ("✗ 01_spawn_join: kind, kind"), or for "build error" as a compile failure.
# Sets $log, $peak_kb, $most and $uids for the caller's own assertions.
check() {
  local name=$1 want=$2
  shift 2
  local t0=$SECONDS code kind summary comm="" failed_before=$failures
  case "$name" in
    fork_bomb) comm=hostile-fork ;;
    alloc_10gb) comm=hostile-alloc ;;
  esac
  cp "$corpus/$name.cc" "$copy/exercises/$ex/exercise.cc"
  log=$work/check-$name.log
  # From inside the tree, as a student runs it (write_outside.cc reads $PWD).
  (cd "$copy" && exec "$bin" --root "$copy" --no-color check 01) >"$log" 2>&1 &
  local pid=$!
  sample "$pid" "$comm" "$work/sample-$name" &
  local sampler=$!
  wait "$pid"
  code=$?
  wait "$sampler"
  read -r most peak_kb uids <"$work/sample-$name"
  checked=$((checked + 1))
  printf '  check %-22s exit %d in %3d s\n' "$name" "$code" $((SECONDS - t0))
  [ "$code" -eq "$want" ] || fail "$name: check exited with $code, expected $want"
  summary=$(grep -a -m1 "✗ $ex" "$log")
  for kind in "$@"; do
    if [ "$kind" = "build error" ]; then
      grep -aq "✗ $ex does not compile" "$log" && grep -aq "^build error" "$log" ||
        fail "$name: the output does not show a build error"
    else
      case "$summary" in
        *"$kind"*) ;;
        *) fail "$name: the summary does not name '$kind': ${summary:-<none>}" ;;
      esac
    fi
  done
  if [ "$want" -eq 0 ]; then
    grep -aq "✓ $ex passes" "$log" || fail "$name: no pass line"
  fi
  # The checker stays small whatever the program prints.
  [ "${peak_kb:-0}" -lt 400000 ] || fail "$name: the checker itself grew to ${peak_kb} kB"
  if [ "$failures" -gt "$failed_before" ]; then
    echo "    --- its output (first 40 lines) ---"
    head -n 40 "$log" | cut -c1-200 | sed 's/^/    /'
  fi
}

echo "hostile e2e: copying the tree at HEAD to $copy"
mkdir -p "$copy"
git -C "$root" archive HEAD | tar -x -C "$copy" || { echo "FAIL: could not copy the tree"; exit 1; }
cp "$copy/exercises/$ex/exercise.cc" "$work/pristine_exercise.cc"
cd "$copy" || exit 1
# What log_links.cc links to: readable by root only, shaped like a report.
cat >"$copy/hostile-secret.log" <<'EOF'
==================
WARNING: ThreadSanitizer: data race (pid=1)
  Write of size 8 at 0x7b0400000000 by thread T1:
    #0 secret_leaked() exercises/01_spawn_join/exercise.cc:1:1 (test+0x1)

SUMMARY: ThreadSanitizer: data race exercises/01_spawn_join/exercise.cc:1:1 in secret_leaked()
==================
EOF
chmod 600 "$copy/hostile-secret.log"
am_root=0
[ "$(id -u)" -eq 0 ] && [ -z "${RACELINGS_NO_ISOLATION:-}" ] && am_root=1
rm -f "${outside[@]}"

# plain_bazel_test NAME: `bazel test` of exercise 01 with the program NAME.cc
# in place (as check left it) fails, and says why in the test's log.
plain_bazel_test() {
  local name=$1 code testlog
  (cd "$copy" && bazel test --disk_cache="$RACELINGS_DISK_CACHE" --noshow_progress --color=no --curses=no \
    "//exercises/$ex:test") >"$work/bazel-test-$name.log" 2>&1
  code=$?
  testlog="$copy/bazel-testlogs/exercises/$ex/test/test.log"
  if [ $code -ne 3 ]; then
    fail "$name: plain bazel test exited with $code, expected 3 (the test failed)"
    tail -n 20 "$work/bazel-test-$name.log" | sed 's/^/    /'
  elif ! grep -q "breaks the grading rules" "$testlog"; then
    fail "$name: the failing bazel test does not give the integrity check's reasons"
    head -n 20 "$testlog" | sed 's/^/    /'
  fi
  printf '  bazel test %-19s exit %d\n' "$name" "$code"
}

# --- check, one program at a time ---------------------------------------
check compile_error 1 "build error"
check link_error 1 "build error"
check not_cpp 1 "build error"
check empty 1 "build error"
check segfault 1 crash
check abort 1 crash
check stack_overflow 1 crash
check exit_from_worker 1 "test failure"
check close_stdio_race 1 "data race"
check infinite_loop 1 timeout
# ThreadSanitizer reports a lock-order inversion only once both orders have
# completed; a deadlock that really happens is a timeout.
check deadlock_lock_order 1 timeout

check fork_bomb 1
grep -Eq "✗ $ex: .*(timeout|crash)" "$log" || fail "fork_bomb: neither a timeout nor a crash: $(grep -m1 "✗" "$log")"
[ "${most:-0}" -ge 2 ] || fail "fork_bomb: never saw it fork (most processes at once: ${most:-0})"
if [ $am_root -eq 1 ]; then
  [ -n "$uids" ] || fail "fork_bomb: did not see the user it ran as"
  for u in $uids; do
    [ "$u" -ge 61000 ] || fail "fork_bomb: ran as uid $u, not a user of its own"
    n=$(left_alive uid "$u")
    [ "$n" -eq 0 ] || fail "fork_bomb: $n processes of uid $u are still running after the check"
  done
fi
[ "$(left_alive comm hostile-fork)" -eq 0 ] || fail "fork_bomb: processes named hostile-fork are still running"
echo "    (fork bomb: up to $most processes at once, users:${uids:- ?}; none left)"

check alloc_10gb 1 crash
grep -q "too much memory" "$log" || fail "alloc_10gb: not stopped for its memory"
for u in $uids; do
  n=$(left_alive uid "$u")
  [ "$n" -eq 0 ] || fail "alloc_10gb: $n processes of uid $u are still running after the check"
done
[ "$(left_alive comm hostile-alloc)" -eq 0 ] || fail "alloc_10gb: hostile-alloc is still running"

check flood_output 0
grep -Eq "[0-9]+ bytes of output dropped" "$log" || fail "flood_output: no 'bytes of output dropped' note"

check fake_report_flood 1 "data race" timeout
echo "    (fake report flood: the checker peaked at ${peak_kb} kB)"

check write_outside 0
if [ $am_root -eq 1 ]; then
  for f in "${outside[@]}"; do
    [ ! -e "$f" ] || { fail "write_outside: created $f"; rm -f "$f"; }
  done
else
  echo "    (not root: the program runs as this user, so writes outside its folder are not blocked; not asserted)"
  rm -f "${outside[@]}"
fi

# A FIFO and a link to a root-only file among its log files: no hang, no leak.
check log_links 0
grep -aq "secret_leaked" "$log" && fail "log_links: the checker read a file through the program's link"

# The cheats on the grader: check refuses each (and says why, quoting the
# line), and so does plain bazel test.
mapfile -t cheats < <(sed -n 's/^ *"\([a-z_0-9]*\)",$/\1/p' "$corpus/cheats.bzl")
[ "${#cheats[@]}" -ge 9 ] || fail "found only ${#cheats[@]} cheats in cheats.bzl"
for name in "${cheats[@]}"; do
  check "$name" 1 integrity
  grep -aq "breaks the grading rules" "$log" || fail "$name: check does not say that the file breaks the grading rules"
  plain_bazel_test "$name"
done

# --- two checks at once on one tree -------------------------------------
cp "$work/pristine_exercise.cc" "$copy/exercises/$ex/exercise.cc"
t0=$SECONDS
(cd "$copy" && exec "$bin" --root "$copy" --no-color check 01) >"$work/concurrent-1.log" 2>&1 &
c1=$!
(cd "$copy" && exec "$bin" --root "$copy" --no-color check 01) >"$work/concurrent-2.log" 2>&1 &
c2=$!
for i in 1 2; do
  pid=$c1
  [ $i -eq 2 ] && pid=$c2
  wait $pid
  code=$?
  [ $code -eq 1 ] || fail "concurrent check $i exited with $code, expected 1"
  grep -q "✗ $ex: data race" "$work/concurrent-$i.log" || fail "concurrent check $i did not report the data race"
done
python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); assert d["'$ex'"]["passed"] is False' \
  "$copy/.racelings/state.json" || fail ".racelings/state.json is not valid after two concurrent checks"
printf '  two concurrent checks         in %3d s\n' $((SECONDS - t0))

# --- the whole corpus graded, one student per program --------------------
subs=$work/submissions
out=$work/out
for f in "$corpus"/*.cc; do
  name=$(basename "$f" .cc)
  mkdir -p "$subs/$name/exercises/$ex"
  cp "$f" "$subs/$name/exercises/$ex/exercise.cc"
done
# The copy is not a git checkout: it is its own pristine tree.
t0=$SECONDS
"${grade_env[@]}" "$bin" --root "$copy" --no-color grade "$subs" --out "$out" --runs 1 --pristine "$copy" \
  >"$work/grade.log" 2>&1 &
grader=$!
for _ in $(seq 1200); do
  grep -q "^Grading " "$work/grade.log" && break
  kill -0 $grader 2>/dev/null || break
  sleep 0.25
done
# A second grade on the same --out while the first one runs is refused.
"${grade_env[@]}" "$bin" --root "$copy" --no-color grade "$subs" --out "$out" --runs 1 --pristine "$copy" \
  >"$work/grade-second.log" 2>&1
code=$?
[ $code -eq 2 ] || fail "a second grade on the same --out exited with $code, expected 2 (refused)"
grep -q "another \`racelings grade\` is writing to" "$work/grade-second.log" ||
  fail "the second grade did not say why it refused: $(head -c 300 "$work/grade-second.log")"
wait $grader
code=$?
[ $code -eq 0 ] || { cat "$work/grade.log"; fail "grade exited with $code"; }
printf '  grade of %d submissions      in %3d s\n' "$(ls "$subs" | wc -l)" $((SECONDS - t0))

# expect STUDENT SCORE REASON_SUBSTRING
graded=0
expect() {
  graded=$((graded + 1))
  e2e_expect_grade "$out" "$1" "$ex" "$2" "$3" || fail "grade: $1"
}
expect compile_error 0 "build error"
expect link_error 0 "build error"
expect not_cpp 0 "integrity: removed-concurrency"
expect empty 0 "integrity: removed-concurrency"
expect segfault 0 "crash"
expect abort 0 "integrity: early-exit"
expect stack_overflow 0 "crash"
expect exit_from_worker 0 "integrity: early-exit"
expect close_stdio_race 0 "data race"
expect infinite_loop 0 "timeout"
expect deadlock_lock_order 0 "timeout"
# A hang gets no failing schedule: every schedule would wait out the watchdog.
[ ! -e "$out/deadlock_lock_order/replay/$ex.html" ] || fail "grade: a timed-out run got a replay page"
expect fork_bomb 0 "integrity: process-control"
expect alloc_10gb 0 "integrity: memory-mapping"
expect flood_output 1 ""
expect fake_report_flood 0 "data race"
expect write_outside 1 ""
expect log_links 1 ""
expect pasted_suppressions 0 "integrity: sanitizer-options"
expect options_hook_macro 0 "integrity: sanitizer-options"
expect macro_attribute 0 "integrity: no-sanitize"
expect hand_annotations 0 "integrity: sanitizer-annotation"
expect header_rewrite 0 "integrity: macro-before-include"
expect pragma_from_macro 0 "integrity: no-sanitize"
expect asm_label_annotation 0 "integrity: inline-asm"
expect static_init_exit 0 "integrity: early-exit"
expect computed_include 0 "integrity: macro-before-include"
[ "$graded" -eq "$(ls "$corpus"/*.cc | wc -l)" ] || fail "the corpus has programs this test does not grade"
[ "$checked" -eq "$graded" ] || fail "checked $checked programs but graded $graded"
if [ $am_root -eq 1 ]; then
  for f in "${outside[@]}"; do [ ! -e "$f" ] || fail "grading write_outside created $f"; done
fi

elapsed=$((SECONDS - start))
if [ $failures -eq 0 ]; then
  echo "hostile e2e: $checked hostile programs checked and graded as expected; fork bomb and 10 GB left nothing running; concurrent checks and grades safe ($elapsed s)"
else
  echo "--- grade log ---"
  cat "$work/grade.log"
  echo "hostile e2e: $failures failure(s) ($elapsed s)"
  exit 1
fi
