#!/usr/bin/env bash
# What racelings.yml costs per push, measured here the way the workflow runs
# it: a clone of the pristine tree, a student's repository with some
# exercises solved, `racelings grade --runs 3`, and Bazel's disk cache as
# actions/cache hands it over: empty on the first push, as the first push left
# it on the next one. Each push starts a new Bazel server with an empty output
# base, as a new container does. (The apt cache is not measured: packages are
# already installed on this machine.)
#
#   .github/classroom/measure.sh [WORK_DIR]     (WORK_DIR is removed first)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
work=${1:-/tmp/racelings-classroom}
rm -rf "$work" && mkdir -p "$work"
export RACELINGS_DISK_CACHE="$work/disk-cache" CI=true

git clone -q "$root" "$work/racelings"
git -C "$root" archive HEAD | (mkdir -p "$work/submission" && tar -x -C "$work/submission")
solve() {
  local name
  for name in "$@"; do
    cp "$work/racelings/solutions/$name/solution.cc" "$work/submission/exercises/$name/exercise.cc"
  done
}
mapfile -t names < <(ls "$work/racelings/exercises" | grep -E '^[0-9]{2}_' | sort)
solve "${names[@]:0:10}"   # the student has solved the first ten exercises
mkdir -p "$work/subs" && ln -s "$work/submission" "$work/subs/student"

push() {
  local label=$1 start end score
  rm -rf "$work/out-$label"
  start=$(date +%s)
  "$work/racelings/racelings" grade "$work/subs" --out "$work/out-$label" --runs 3 >"$work/$label.log" 2>&1 || true
  end=$(date +%s)
  score=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(r["score"], "of", len(r["tests"]))' \
    "$work/out-$label/student/results.json" 2>/dev/null || echo "no result")
  # The job's container ends: its Bazel server and output base go with it.
  (cd "$work/racelings" && output_base=$(bazel info output_base 2>/dev/null) && bazel shutdown && rm -rf "$output_base")
  printf 'measure: %-12s %5d s   score %s   disk cache %s\n' "$label" $((end - start)) "$score" \
    "$(du -sh "$work/disk-cache" 2>/dev/null | cut -f1)"
}
push first-push
solve "${names[10]}"   # one more exercise solved, pushed
push next-push
push same-again
