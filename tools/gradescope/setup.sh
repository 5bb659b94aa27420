#!/usr/bin/env bash
# Gradescope autograder setup: runs once, when Gradescope builds the image.
#
# Zip the whole racelings tree (with this folder's setup.sh and
# run_autograder at the top of the zip: see README "Grading") and upload it
# as the autograder. Use a Debian 12 (bookworm) base image: racelings
# installs clang-19 and Bazel 4.2.3 from Debian's packages.
set -euo pipefail
cd /autograder/source
# Installs the Debian packages, builds the checker...
./racelings list >/dev/null
# ...and builds every exercise and solution once, checking that the broken
# versions fail and the solutions pass: later builds only compile what a
# student changed.
./racelings check --dev --runs 1
