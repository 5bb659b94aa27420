#!/usr/bin/env bash
# The disk cache's pruning in ./racelings: over its limit, the entries used
# longest ago go first, where an entry's use is the later of its write and
# its last read (Bazel reads a hit without writing it). An entry written
# long ago but read a minute ago stays; old entries nobody read go.
set -euo pipefail
racelings=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
cache=$(mktemp -d "${TEST_TMPDIR:-/tmp}/disk-cache-XXXXXX")
trap 'rm -rf "$cache"' EXIT
mkdir -p "$cache/cas" "$cache/ac"
# Four entries of 300 kB: 1.2 MB in a cache allowed 1 MB, pruned to 0.75 MB.
for name in old_unused older_unused written_old_read_now new; do
  head -c 307200 /dev/zero >"$cache/cas/$name"
done
touch -m -d '5 hours ago' "$cache/cas/old_unused"
# Written first of all: by write time alone it would go first.
touch -m -d '7 hours ago' "$cache/cas/written_old_read_now"
touch -a -d '5 hours ago' "$cache/cas/old_unused"
touch -m -d '6 hours ago' "$cache/cas/older_unused"
touch -a -d '6 hours ago' "$cache/cas/older_unused"
touch -a -d '1 minute ago' "$cache/cas/written_old_read_now"
touch -d '2 minutes ago' "$cache/cas/new"
# Any command prunes first (at most once an hour: no stamp here yet).
RACELINGS_DISK_CACHE=$cache RACELINGS_DISK_CACHE_MB=1 "$racelings" install --print >/dev/null
left=$(cd "$cache/cas" && ls | sort | tr '\n' ' ')
[ "$left" = "new written_old_read_now " ] || {
  echo "prune_test: expected 'new written_old_read_now' to stay, found: $left" >&2
  exit 1
}
[ -e "$cache/.pruned" ] || { echo "prune_test: no .pruned stamp" >&2; exit 1; }
echo "prune_test: the two entries used least recently went; the one read a minute ago stayed"
