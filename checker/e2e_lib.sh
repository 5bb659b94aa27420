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
