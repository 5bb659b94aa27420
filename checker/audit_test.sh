#!/usr/bin/env bash
# Runs `racelings audit` on the exercise and solution programs Bazel built as
# this test's data (no nested Bazel): every broken exercise must show its
# expected finding and every solution must be clean, in every run.
set -euo pipefail
root="${TEST_SRCDIR}/${TEST_WORKSPACE}"
out="${TEST_UNDECLARED_OUTPUTS_DIR:-${TEST_TMPDIR}}"
# The tree must look like a racelings tree to the checker.
touch "$root/WORKSPACE" 2>/dev/null || true
# Exploration with a small budget here (./racelings audit explores 1000
# schedules of every program): enough to prove that every broken exercise
# fails under the controlled scheduler with an id that replays.
"$root/checker/racelings" --no-color audit --prebuilt "$root" --runs "${RACELINGS_AUDIT_RUNS:-2}" \
  --explore "${RACELINGS_AUDIT_EXPLORE:-50}" \
  --json "$out/audit.json" --html "$out/audit.html"
