#!/usr/bin/env bash
# End-to-end test of `racelings grade`: grades a folder of sample submissions
# made from exercise 01 (correct, broken, not compiling, and cheating in each
# way the grader must catch) and asserts every score and every reason. Then
# kills a grading run halfway, resumes it, and checks that the results are the
# same as an uninterrupted run's.
#
# Usage: checker/grade_e2e_test.sh RACELINGS_BINARY   (./racelings test runs it)
# It uses the real Bazel of this tree (grading builds code), so it runs
# outside `bazel test`.
set -uo pipefail

bin=${1:?usage: grade_e2e_test.sh path/to/checker/racelings}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ex=01_spawn_join
work=$(mktemp -d /tmp/racelings-grade-e2e-XXXXXX)
source "$root/checker/e2e_lib.sh"
# Grading's pristine copy and slot go inside $work: nothing is left in the user's cache.
RACELINGS_DISK_CACHE=$(e2e_shared_disk_cache)
export RACELINGS_DISK_CACHE
export XDG_CACHE_HOME=$work/xdg
cleanup() {
  e2e_stop_bazel "$work"/xdg/racelings/grade/*/slot
  rm -rf "$work"
}
trap cleanup EXIT
subs=$work/submissions
out=$work/out
failures=0

fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}

# One student's submission: a folder holding exercises/01_spawn_join/exercise.cc.
student() {
  local name=$1 source=$2
  mkdir -p "$subs/$name/exercises/$ex"
  cp "$source" "$subs/$name/exercises/$ex/exercise.cc"
}

pristine=$root/exercises/$ex/exercise.cc
solution=$root/solutions/$ex/solution.cc

student correct "$solution"
student broken "$pristine"
{ cat "$solution"; echo "this is not C++"; } >"$work/nocompile.cc"
student nocompile "$work/nocompile.cc"
{ cat "$pristine"; echo 'extern "C" const char* __tsan_default_options() { return "report_bugs=0:exitcode=0"; }'; } >"$work/opts.cc"
student cheat_tsan_options "$work/opts.cc"
{ cat "$pristine"; echo '__attribute__((no_sanitize("thread"))) static void quiet() {}'; } >"$work/nosan.cc"
student cheat_no_sanitize "$work/nosan.cc"
{ cat "$pristine"; echo '#include <cstdlib>'; echo 'static int early = (std::exit(0), 0);'; } >"$work/exit.cc"
student cheat_exit "$work/exit.cc"
# The same trick hidden from the source scan by token pasting: caught on the
# preprocessed source (and, were it missed, at run time: the program never
# writes its completion record).
{ cat "$pristine"; echo '#include <cstdlib>'; echo '#define JOIN(a, b) a##b'; echo 'static int early = (std::JOIN(ex, it)(0), 0);'; } >"$work/hidden.cc"
student cheat_hidden_exit "$work/hidden.cc"
cat >"$work/sequential.cc" <<'EOF'
#include <vector>
namespace exercise {
long sum_in_background(const std::vector<int>& numbers) {
  long total = 0;
  for (int n : numbers) total += n;
  return total;
}
}  // namespace exercise
EOF
student cheat_sequential "$work/sequential.cc"
# A whole copy of the tree, with the solution and a weakened test.
mkdir -p "$subs/cheat_tampered_test"
git -C "$root" archive HEAD exercises | tar -x -C "$subs/cheat_tampered_test"
cp "$pristine" "$subs/cheat_tampered_test/exercises/$ex/exercise.cc"
echo 'TEST(Extra, Nothing) {}' >>"$subs/cheat_tampered_test/exercises/$ex/test.cc"
# An archive.
mkdir -p "$work/archived/exercises/$ex"
cp "$solution" "$work/archived/exercises/$ex/exercise.cc"
tar -czf "$subs/archived.tar.gz" -C "$work/archived" exercises

"$bin" --root "$root" --no-color grade "$subs" --out "$out" --runs 2 >"$work/grade.log" 2>&1
code=$?
[ $code -eq 0 ] || { cat "$work/grade.log"; fail "grade exited with $code"; }

# expect STUDENT SCORE REASON_SUBSTRING
expect() { e2e_expect_grade "$out" "$1" "$ex" "$2" "$3" || fail "$1"; }

expect correct 1 ""
expect archived 1 ""
expect broken 0 "data race"
expect nocompile 0 "build error"
expect cheat_tsan_options 0 "integrity: sanitizer-options"
expect cheat_no_sanitize 0 "integrity: no-sanitize"
expect cheat_exit 0 "integrity: early-exit"
expect cheat_hidden_exit 0 "integrity: early-exit"
expect cheat_sequential 0 "integrity: removed-concurrency"
expect cheat_tampered_test 0 "integrity: changed files"

grep -q "correct,1" "$out/class.csv" || fail "class.csv lacks the correct student's row"
grep -q 'id="matrix"' "$out/report.html" || fail "report.html has no class matrix"

# The broken student's failing schedule, step by step: a page linked from the
# class report, and the timeline at the end of the result's output.
page=broken/replay/$ex.html
[ -s "$out/$page" ] || fail "no page of the broken student's failing schedule ($page)"
grep -q 'id="timeline"' "$out/$page" || fail "$page has no timeline"
grep -qF "href=\"$page\"" "$out/report.html" || fail "report.html does not link $page"
python3 - "$out/broken/results.json" <<'EOF' || fail "the broken student's output has no timeline"
import json, sys
test = next(t for t in json.load(open(sys.argv[1]))["tests"] if t["name"] == "01_spawn_join")
sys.exit(0 if "A failing schedule, step by step" in test["output"] and "\u2717" in test["output"] else 1)
EOF
[ ! -e "$out/correct/replay" ] || fail "a passing student got a failing schedule's page"

# Crash safety: kill a fresh grading run halfway, resume it, compare.
out2=$work/out2
"$bin" --root "$root" --no-color grade "$subs" --out "$out2" --runs 2 >"$work/partial.log" 2>&1 &
pid=$!
for _ in $(seq 600); do
  n=$(find "$out2" -name "$ex.json" 2>/dev/null | wc -l)
  [ "$n" -ge 4 ] && break
  sleep 0.1
done
kill -9 $pid 2>/dev/null
wait $pid 2>/dev/null
partial=$(find "$out2" -name "$ex.json" | wc -l)
"$bin" --root "$root" --no-color grade "$subs" --out "$out2" --runs 2 >"$work/resume.log" 2>&1 || fail "resumed grade failed"
grep -q "all results reused" "$work/resume.log" || fail "the resumed run reused no finished result (killed after $partial)"
python3 - "$out" "$out2" <<'EOF' || fail "a resumed run gives other scores than an uninterrupted one"
import json, os, sys
a, b = sys.argv[1], sys.argv[2]
for student in sorted(os.listdir(a)):
    ra = os.path.join(a, student, "results.json")
    if not os.path.exists(ra): continue
    sa = [(t["name"], t["score"]) for t in json.load(open(ra))["tests"]]
    sb = [(t["name"], t["score"]) for t in json.load(open(os.path.join(b, student, "results.json")))["tests"]]
    if sa != sb:
        print(f"  {student}: {sa} != {sb}"); sys.exit(1)
EOF

if [ $failures -eq 0 ]; then
  echo "grade e2e: all submissions graded as expected; a killed run resumed with the same scores"
else
  echo "--- grade log ---"
  cat "$work/grade.log"
  exit 1
fi
