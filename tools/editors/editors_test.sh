#!/usr/bin/env bash
# The editor files, tested as far as this machine allows:
#   - .vscode/*.json, .devcontainer/devcontainer.json and the Classroom
#     workflow against the schemas and parsers of the tools that read them
#     (check_editor_files.mjs);
#   - the tasks' problem matcher on what the checker really prints: `check`
#     of a pristine race exercise, and `watch` on an exercise that does not
#     compile (problem_matcher_test.mjs), in a copy of the tree.
# The npm packages (pinned in package-lock.json) go to the racelings cache,
# never into the tree.
#
#   tools/editors/editors_test.sh PATH/TO/racelings
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
racelings=${1:?usage: editors_test.sh PATH/TO/racelings}
here="$root/tools/editors"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/racelings/editor-checks"
status=0

mkdir -p "$cache"
cp "$here"/package.json "$here"/package-lock.json "$here"/*.mjs "$cache"/
if ! cmp -s "$here/package-lock.json" "$cache/node_modules/.installed-lock"; then
  (cd "$cache" && npm ci --no-audit --no-fund --loglevel=error)
  cp "$here/package-lock.json" "$cache/node_modules/.installed-lock"
fi
node "$cache/check_editor_files.mjs" "$root" || status=1

# A copy of the tree (Bazel's outputs and .git left out) where exercise 01
# does not compile; 06 stays as handed out (a data race).
copy=$(mktemp -d /tmp/racelings-editors.XXXXXX)
cleanup() {
  # Its output base too, not only its server: every run left one behind.
  (cd "$copy" && bazel clean --expunge >/dev/null 2>&1) || true
  rm -rf "$copy"
}
trap cleanup EXIT
tar -C "$root" --exclude='./bazel-*' --exclude=./.git --exclude=./.racelings --exclude=./.cache -cf - . | tar -C "$copy" -xf -
broken=exercises/01_spawn_join/exercise.cc
echo 'static int not_an_expression = ;' >>"$copy/$broken"
broken_line=$(wc -l <"$copy/$broken")

# As VS Code runs a task: in a terminal (script(1) gives it one, so the
# output is line-buffered as there), with NO_COLOR as the tasks set it.
export NO_COLOR=1
in_terminal() {
  local log=$1
  shift
  script -q -e -f -c "$(printf '%q ' "$@")" "$log" >/dev/null 2>&1
}
in_terminal "$copy/check.out" "$racelings" --root "$copy" check 6 || true
# watch checks the first exercise not passing (01), then waits for a save.
in_terminal "$copy/watch.out" "$racelings" --root "$copy" watch &
watcher=$!
for _ in $(seq 600); do
  grep -q '^Watching ' "$copy/watch.out" 2>/dev/null && break
  kill -0 "$watcher" 2>/dev/null || break
  sleep 1
done
pkill -TERM -P "$watcher" 2>/dev/null || true
kill "$watcher" 2>/dev/null || true
wait "$watcher" 2>/dev/null || true

node "$cache/problem_matcher_test.mjs" "$copy" "racelings: check this exercise" "$copy/check.out" \
  "exercises/06_counter_mutex/exercise.cc:*:data race" || status=1
node "$cache/problem_matcher_test.mjs" "$copy" "racelings: watch" "$copy/watch.out" \
  "$broken:$broken_line:build error" || status=1
if [ $status -ne 0 ]; then
  echo "--- check 6 printed:"; cat "$copy/check.out"
  echo "--- watch printed:"; cat "$copy/watch.out"
fi
exit $status
