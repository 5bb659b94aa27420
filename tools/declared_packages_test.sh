#!/usr/bin/env bash
# Fails when a system file that the build or the runs use belongs to no
# Debian package that ./racelings installs (nor to their dependencies): such a
# file is on the machine where the tests passed only because somebody
# installed its package by hand, and a fresh machine lacks it (issue #15:
# llvm-19's symbolizer and libomp-19-dev's omp.h were missed that way).
#
#   tools/declared_packages_test.sh [--packages "p1 p2 ..."] [BAZEL_OUTPUT_PATH]
#
# The files checked:
#   - every absolute path the project's own build and test files name
#     (/usr/src/googletest, the symbolizer in the sanitizer options, ...);
#   - every system header the compiler read (the .d files Bazel keeps under
#     BAZEL_OUTPUT_PATH, `bazel info output_path`; run it after a build);
#   - every library linked with -l from the system (`clang-19 -print-file-name`);
#   - the programs that the tests and scripts run by name (chromium, python3, ...).
# Each file's package (`dpkg -S`) must be in the dependency closure of the
# declared packages (`./racelings install --test --print`, or --packages).
set -uo pipefail
cd "$(dirname "$0")/.."

declared=""
if [ "${1:-}" = --packages ]; then
  declared=$2
  shift 2
fi
[ -n "$declared" ] || declared=$(./racelings install --test --print | tr '\n' ' ')
output_path=${1:-}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# 1. Absolute system paths named in the project's build files and scripts,
#    and in the string literals of its programs (tests' sample data aside).
sys_path='/usr/(bin|lib|include|share|src|libexec)/[A-Za-z0-9_.+/-]*[A-Za-z0-9_+]'
{
  git ls-files -- '*.bzl' '.bazelrc' 'WORKSPACE' '*BUILD' '*.BUILD' '*.sh' 'racelings' '.ci/*' \
    | grep -v '^bench/' | xargs grep -ohE "$sys_path" 2>/dev/null
  git ls-files -- '*.cc' '*.h' | grep -v -e '_test\.cc$' -e '^bench/' -e '/testdata/' \
    | xargs grep -ohE "\"$sys_path\"" 2>/dev/null | tr -d '"'
} | sort -u >"$work/named"
# 2. System headers the compiler read.
if [ -n "$output_path" ] && [ -d "$output_path" ]; then
  find "$output_path" -name '*.d' -path '*/_objs/*' -print0 2>/dev/null \
    | xargs -0 cat 2>/dev/null | tr ' \\' '\n\n' | grep '^/' | sort -u >"$work/headers"
else
  echo "note: no Bazel output path given: the headers the build read are not checked"
  : >"$work/headers"
fi
# 3. Libraries linked from the system (-lNAME in the workspace's linkopts).
for lib in $(grep -ohE '"-l[A-Za-z0-9_+]+"' WORKSPACE tools/*.bzl */BUILD 2>/dev/null | tr -d '"' | sed 's/^-l//' | sort -u); do
  path=$(clang-19 -print-file-name="lib$lib.so" 2>/dev/null)
  case "$path" in /*) echo "$path" ;; esac
done >"$work/libs"

# 4. Programs the tests and scripts run by name, where any tracked script or
#    test runs them (at the start of a command, or as a quoted program name).
for cmd in python3 chromium tmux clangd-19 git unzip zip tar cargo node npm; do
  git grep -qE -- "(^|[;&|(\`]|\\\$\\()[[:space:]]*$cmd([[:space:]]|\$)|\"(/usr/bin/)?$cmd\"" \
    -- '*.sh' '*_test.cc' 'racelings' '.ci/*' ':!bench/*' 2>/dev/null || continue
  # The Debian program, where PATH would find another first (a pyenv shim, say).
  if [ -x "/usr/bin/$cmd" ]; then realpath "/usr/bin/$cmd"; else command -v "$cmd" 2>/dev/null; fi
done >"$work/programs"

# Every file that exists, as the package database names it: dpkg records the
# path it unpacked, which may differ from the one the compiler printed by
# `..` segments or the /lib -> /usr/lib merge.
cat "$work/named" "$work/headers" "$work/libs" "$work/programs" | sort -u | while read -r f; do
  [ -f "$f" ] || continue  # files only: a directory belongs to many packages
  real=$(realpath -m "$f")
  [ "$real" = "$f" ] && [ -L "$f" ] && real=$(readlink -f "$f")
  echo "$f	$real"
done >"$work/files"
if [ ! -s "$work/files" ]; then
  echo "FAIL: found no system file to check: is this run from the racelings tree?"
  exit 1
fi

essential() {  # part of every Debian system (coreutils' /usr/bin/env, say)
  [ "$(dpkg-query -W -f='${Essential}' "$1" 2>/dev/null)" = yes ]
}

# The closure of the declared packages (what installing them brings in).
# shellcheck disable=SC2086
apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks --no-replaces \
  --no-enhances $declared 2>/dev/null | grep -v '^ ' | tr -d '<>' | sed 's/:.*//' | sort -u >"$work/closure"
for p in $declared; do
  grep -qx "$p" "$work/closure" || { echo "FAIL: the declared package '$p' is unknown to apt"; exit 1; }
done

# Which package owns each file, from dpkg's own file lists (one pass instead
# of a `dpkg -S` per file). dpkg records the path it unpacked, which may differ
# from the one the compiler printed by `..` segments or the /lib -> /usr/lib
# merge: each file is looked up under all of those spellings.
awk '{ n = FILENAME; sub(/.*\//, "", n); sub(/\.list$/, "", n); sub(/:.*/, "", n); print $0 "\t" n }' \
  /var/lib/dpkg/info/*.list >"$work/owners"
awk -F'\t' 'NR == FNR { if (!($1 in owner)) owner[$1] = $2; next }
  {
    pkg = ""
    n = split($1 "\t" $2, tries, "\t")
    tries[3] = $2; sub(/^\/usr/, "", tries[3]); tries[4] = "/usr" $2
    for (i = 1; i <= 4 && pkg == ""; i++) if (tries[i] in owner) pkg = owner[tries[i]]
    print $1 "\t" pkg
  }' "$work/owners" "$work/files" >"$work/owned"

checked=0 failures=0
declare -A seen_package=()
while IFS=$'\t' read -r shown pkg; do
  checked=$((checked + 1))
  if [ -z "$pkg" ]; then
    # Not from any package (made by hand, or by a postinst): nothing apt could install.
    echo "FAIL: $shown belongs to no Debian package: a fresh machine will not have it"
    failures=$((failures + 1))
    continue
  fi
  if ! grep -qx "$pkg" "$work/closure" && ! essential "$pkg"; then
    if [ -z "${seen_package[$pkg]:-}" ]; then
      echo "FAIL: $shown comes from the package '$pkg', which ./racelings does not install (nor anything it installs): add it to PACKAGES or TEST_PACKAGES in ./racelings"
      seen_package[$pkg]=1
    fi
    failures=$((failures + 1))
  fi
done <"$work/owned"

echo "$checked system files checked against the closure of: $declared"
[ "$failures" -eq 0 ] || { echo "$failures file(s) from undeclared packages"; exit 1; }
echo "every one belongs to a declared package or one of their dependencies"
