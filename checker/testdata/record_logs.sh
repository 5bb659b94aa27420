#!/usr/bin/env bash
# Regenerates checker/testdata/logs/{clang-14,clang-19,g++-12}/*.log by really
# compiling and running the small programs in checker/testdata/programs/.
#
# The programs are compiled inside a directory shaped like a Bazel sandbox
# (.../_bazel_root/<hash>/sandbox/processwrapper-sandbox/<n>/execroot/racelings/)
# with relative source paths, as Bazel does, so the recorded reports carry the
# long absolute paths the parser must normalise to `checker/testdata/...`.
# clang-19 additionally maps that directory to /proc/self/cwd, which is what
# Bazel's own toolchain makes reports show.
#
# Needs: clang++-14 (libclang-rt-14-dev), clang++-19 (libclang-rt-19-dev),
# g++ 12, lld, libgtest-dev. Usage: checker/testdata/record_logs.sh [compiler...]
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
logs=$here/logs
compilers=("$@")
[[ ${#compilers[@]} -gt 0 ]] || compilers=(clang-14 clang-19 g++-12)

# The same runtime options the project passes (tools/sanitizers.bzl).
export TSAN_OPTIONS=halt_on_error=0:exitcode=66:history_size=4:second_deadlock_stack=1
export ASAN_OPTIONS=detect_leaks=1:detect_stack_use_after_return=1:strict_init_order=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

tmp=$(mktemp -d /tmp/racelings-record.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
execroot=$tmp/_bazel_root/8c2f0e2b5a1d4b7e9f3a6c1d0e5b4a29/sandbox/processwrapper-sandbox/17/execroot/racelings
mkdir -p "$execroot/checker/testdata"
cp -r "$here/programs" "$execroot/checker/testdata/"
cd "$execroot" || exit 1
src=checker/testdata/programs

for compiler in "${compilers[@]}"; do
  case $compiler in
    clang-14) cxx=clang++-14; extra=(-fuse-ld=lld) ;;
    clang-19) cxx=clang++-19; extra=(-fuse-ld=lld "-fdebug-prefix-map=$execroot=/proc/self/cwd") ;;
    g++-12) cxx=g++; extra=() ;;
    *) echo "unknown compiler $compiler (want clang-14, clang-19 or g++-12)" >&2; exit 2 ;;
  esac
  out=$logs/$compiler
  mkdir -p "$out"
  bin=bazel-out/k8-fastbuild/bin/$compiler
  mkdir -p "$bin"
  echo "== $compiler: $($cxx --version | head -1)"

  # build NAME SANITIZER_FLAGS... : compiles programs/NAME.cc to $bin/NAME.
  build() {
    local name=$1
    shift
    "$cxx" -std=c++20 -g -fno-omit-frame-pointer "${extra[@]}" "$@" \
      "$src/$name.cc" -o "$bin/$name" -pthread
  }
  # record LOG NAME: runs $bin/NAME through a shell (so a fatal signal is
  # reported the way a shell reports it) and keeps stdout and stderr.
  record() {
    local log=$1 name=$2
    bash -c "$bin/$name; exit \$?" >"$out/$log.log" 2>&1
    echo "   $log.log (exit $?)"
  }

  for name in tsan_data_race tsan_lock_order tsan_thread_leak tsan_unlock_unlocked \
    tsan_destroy_locked tsan_double_lock tsan_signal_unsafe; do
    build "$name" -O1 -fsanitize=thread && record "$name" "$name"
  done
  for name in asan_heap_use_after_free asan_stack_use_after_scope \
    asan_stack_use_after_return asan_double_free lsan_leak; do
    build "$name" -O1 -fsanitize=address -fsanitize-address-use-after-scope && record "$name" "$name"
  done
  build ubsan_error -O1 -fsanitize=undefined -fno-sanitize-recover=all && record ubsan_error ubsan_error
  build crash_segfault -O0 && record crash_segfault crash_segfault
  build crash_uncaught_exception -O0 && record crash_uncaught_exception crash_uncaught_exception
  "$cxx" -std=c++20 -g "${extra[@]}" "$src/test_failure.cc" -o "$bin/test_failure" \
    -lgtest -lgtest_main -pthread && record test_failure test_failure

  # Compiler and linker errors: the compiler's own output is the log.
  "$cxx" -std=c++20 -Wall -Wextra -Werror -c "$src/build_error.cc" -o "$bin/build_error.o" \
    >"$out/build_error.log" 2>&1
  echo "   build_error.log (exit $?)"
  if [[ $compiler == clang-* ]]; then
    "$cxx" -std=c++20 -Wall -Wextra -Wthread-safety -Werror -c "$src/thread_safety_error.cc" \
      -o "$bin/thread_safety_error.o" >"$out/thread_safety_error.log" 2>&1
    echo "   thread_safety_error.log (exit $?)"
  fi
  "$cxx" -std=c++20 -g "${extra[@]}" "$src/link_error.cc" -o "$bin/link_error" \
    >"$out/link_error.log" 2>&1
  echo "   link_error.log (exit $?)"
done
