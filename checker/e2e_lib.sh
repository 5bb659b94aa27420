# Shared by the end-to-end test scripts (grade_e2e_test.sh,
# hostile_e2e_test.sh), which source it.

# Bazel's disk cache as ./racelings and checker/bazel.cc choose it. The tests
# point $XDG_CACHE_HOME (where grading keeps its pristine copy and build
# slot) into their own temporary folder, but keep this cache the shared one,
# so they reuse what the tests already compiled.
e2e_shared_disk_cache() {
  echo "${RACELINGS_DISK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/racelings/disk-cache}"
}

# Stops the Bazel servers of these workspaces and drops their output bases.
# (Bazel 4 keeps output bases under ~/.cache/bazel whatever $XDG_CACHE_HOME says.)
e2e_stop_bazel() {
  local ws base
  for ws in "$@"; do
    [ -f "$ws/WORKSPACE" ] || continue
    base=$(cd "$ws" && bazel info output_base 2>/dev/null)
    (cd "$ws" && bazel shutdown >/dev/null 2>&1)
    case "$base" in */_bazel_*/*) rm -rf "$base" ;; esac
  done
}

# e2e_expect_grade OUT STUDENT EXERCISE SCORE REASON: the student's
# Gradescope results.json is well formed, gives EXERCISE the SCORE, and its
# reason names REASON (an empty REASON: no reason at all). Says what differs.
e2e_expect_grade() {
  python3 - "$1/$2/results.json" "$1/$2/exercises/$3.json" "$4" "$5" <<'PY'
import json, sys
results, exercise, score, reason = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
r = json.load(open(results))
e = json.load(open(exercise))
test = next(t for t in r["tests"] if t["name"] == e["name"])
ok = True
for key in ("score", "execution_time", "output", "tests"):
    if key not in r: print(f"  {results}: no {key}"); ok = False
for key in ("name", "score", "max_score", "output", "visibility"):
    if key not in test: print(f"  {results}: test without {key}"); ok = False
if test["score"] != score:
    print(f"  {e['name']}: score {test['score']}, expected {score}; reason: {e['reason']!r}"); ok = False
if (reason == "" and e["reason"] != "") or reason not in e["reason"]:
    print(f"  {e['name']}: reason {e['reason']!r}, expected {reason!r}"); ok = False
sys.exit(0 if ok else 1)
PY
}
