#!/usr/bin/env bash
# The dev container's install step, run as `docker build` would run it: the
# Dockerfile's lines are checked for what they must say, then install.sh runs
# on a copy of the build context (the tree less .dockerignore's entries) and
# must install every package of the list and build the checker and the
# solutions. Only `docker build` itself goes untested (no Docker engine here).
#
#   .devcontainer/install_test.sh        (as root, like the Dockerfile)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dockerfile="$root/.devcontainer/Dockerfile"
fail() { echo "install_test: $*" >&2; exit 1; }

grep -qx 'FROM debian:12' "$dockerfile" || fail "the Dockerfile must start from debian:12 (./racelings installs bookworm's packages)"
grep -q '^COPY \. /tmp/racelings$' "$dockerfile" || fail "the Dockerfile must copy the tree to /tmp/racelings"
grep -q '^RUN bash /tmp/racelings/.devcontainer/install.sh /tmp/racelings' "$dockerfile" ||
  fail "the Dockerfile's RUN must be install.sh on the copied tree (the step this test runs)"
[ "$(grep -c '^RUN' "$dockerfile")" -eq 1 ] || fail "the Dockerfile must have one RUN line: install.sh (anything else is untested)"

# The build context, as Docker sends it.
excludes=()
while IFS= read -r pattern; do
  case "$pattern" in '' | '#'*) continue ;; esac
  excludes+=("--exclude=./$pattern")
done <"$root/.dockerignore"
copy=$(mktemp -d /tmp/racelings-devcontainer.XXXXXX)
# The copy's Bazel server and output base go with it: each run would
# otherwise leave some 500 MB under ~/.cache/bazel (a CI machine filled up).
cleanup() {
  (cd "$copy" && bazel clean --expunge >/dev/null 2>&1) || true
  rm -rf "$copy"
}
trap cleanup EXIT
tar -C "$root" "${excludes[@]}" -cf - . | tar -C "$copy" -xf -
[ ! -e "$copy/.git" ] && ! compgen -G "$copy/bazel-*" >/dev/null || fail ".dockerignore lets Bazel's outputs or .git into the image"

bash "$copy/.devcontainer/install.sh" "$copy"
echo "install_test: the dev container's install step passed"
