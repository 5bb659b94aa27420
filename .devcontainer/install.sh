#!/usr/bin/env bash
# The dev container's install step (the Dockerfile's one RUN line), kept as a
# script so that `./racelings test` runs it too (install_test.sh): the image
# gets exactly what ./racelings installs on a Debian 12 machine, from the same
# package list (`./racelings install --editor`: the packages ./racelings
# needs, and clangd-19 for the editor), then the checker and every solution
# are built once into Bazel's disk cache (~/.cache/racelings), so that a
# student's first check compiles only their own file.
#
#   .devcontainer/install.sh TREE      (as root; TREE is a copy of the tree)
set -euo pipefail
tree=$(cd "${1:?usage: install.sh TREE}" && pwd)
if [ "$(id -u)" -ne 0 ]; then
  echo "install.sh: run it as root (it installs Debian packages), as the Dockerfile does" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
"$tree/racelings" install --editor
mapfile -t wanted < <("$tree/racelings" install --editor --print)
for package in "${wanted[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
    echo "install.sh: $package did not install" >&2
    exit 1
  fi
done
cd "$tree"
# The checker (every ./racelings command runs it)...
./racelings list >/dev/null
# ...and each solution's test under its sanitizer: the primitives and
# GoogleTest in every sanitizer's build, the shared part of every exercise.
cache="--disk_cache=${RACELINGS_DISK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/racelings/disk-cache}"
bazel build "$cache" --noshow_progress --curses=no --color=no //solutions/...
# Keep only the disk cache: this copy's Bazel server and output base go.
output_base=$(bazel info output_base 2>/dev/null)
bazel shutdown
rm -rf "$output_base"
echo "install.sh: installed ${wanted[*]}; checker and solutions built into the disk cache"
