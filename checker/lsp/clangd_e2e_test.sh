#!/usr/bin/env bash
# clangd as an editor runs it, on this tree: `racelings lsp` writes
# compile_commands.json from Bazel's action graph, then clangd_test.py opens
# every file of the primitives and the first solution of each chapter (no
# error may show) and a RawMutex-guarded member read without its lock, with
# an exercise's flags (the thread-safety error must show).
#
#   checker/lsp/clangd_e2e_test.sh PATH/TO/racelings
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
racelings=${1:?usage: clangd_e2e_test.sh PATH/TO/racelings}
cd "$root"
"$racelings" --root "$root" --no-color lsp
mapfile -t files < <(
  find primitives -type f \( -name '*.h' -o -name '*.cc' \) ! -name '*_test.cc' | sort
  python3 - <<'PY'
import json
first = {}
for e in json.load(open("exercises/catalog.json"))["exercises"]:
    first.setdefault(e["chapter"], e["name"])
for name in sorted(first.values()):
    print("solutions/%s/solution.cc" % name)
PY
)
python3 checker/lsp/clangd_test.py "$root" "${files[@]}"
