#!/usr/bin/env bash
# Formats the project's C++ with the repository's .clang-format, using
# Debian's clang-format-19 (./racelings install --test installs it).
#
#   tools/format.sh            rewrite the files in place
#   tools/format.sh --check    list the files that would change; exit 1 if any
#   tools/format.sh [--check] PATH...   only these files or folders
#
# Default paths: checker/ and primitives/, less testdata/ (its programs'
# line numbers are expected by the tests). Exercises and solutions are
# teaching material laid out by hand, and left alone.
set -uo pipefail
cd "$(dirname "$0")/.."

check=false
if [ "${1:-}" = --check ]; then
  check=true
  shift
fi
formatter=$(command -v clang-format-19) || {
  echo "format.sh: clang-format-19 is missing; run ./racelings install --test" >&2
  exit 2
}
paths=("$@")
[ ${#paths[@]} -gt 0 ] || paths=(checker primitives)

mapfile -t files < <(find "${paths[@]}" -type f \( -name '*.cc' -o -name '*.h' \) ! -path '*/testdata/*' | sort)
if ! $check; then
  "$formatter" -i --style=file "${files[@]}"
  exit $?
fi
changed=0
for f in "${files[@]}"; do
  if ! "$formatter" --style=file "$f" | cmp -s - "$f"; then
    echo "$f"
    changed=$((changed + 1))
  fi
done
echo "format.sh: $changed of ${#files[@]} files would change" >&2
[ "$changed" -eq 0 ]
