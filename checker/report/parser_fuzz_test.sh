#!/usr/bin/env bash
# Fuzzes the report parser (parser_fuzzer.cc: parse, merge, render, JSON)
# for ${RACELINGS_FUZZ_SECONDS:-30} seconds, starting from the recorded logs
# in checker/testdata/logs. Any crash, leak, timeout, out-of-memory or broken
# promise fails the test; the input that caused it is kept in the test's
# undeclared outputs (bazel-testlogs/.../test.outputs/).
#
# Usage (under `bazel test`): parser_fuzz_test.sh path/to/parser_fuzzer
# Longer: bazel test //checker/report:parser_fuzz_test --test_env=RACELINGS_FUZZ_SECONDS=600
set -uo pipefail

fuzzer=${1:?usage: parser_fuzz_test.sh path/to/parser_fuzzer}
seconds=${RACELINGS_FUZZ_SECONDS:-30}
logs=checker/testdata/logs
tmp=${TEST_TMPDIR:-$(mktemp -d)}
artifacts=${TEST_UNDECLARED_OUTPUTS_DIR:-$tmp}

# A writable corpus: libFuzzer adds the inputs it finds interesting.
corpus=$tmp/corpus
mkdir -p "$corpus"
n=0
while IFS= read -r -d '' f; do
  cp "$f" "$corpus/$(echo "$f" | tr '/' '_')"
  n=$((n + 1))
done < <(find -L "$logs" -name '*.log' -print0)
if [ "$n" -eq 0 ]; then
  echo "parser_fuzz_test: no seed logs under $logs"
  exit 1
fi

# Symbolized stacks when something breaks.
# (llvm-19's, which ./racelings installs.)
if [ -x /usr/lib/llvm-19/bin/llvm-symbolizer ]; then
  export ASAN_SYMBOLIZER_PATH=/usr/lib/llvm-19/bin/llvm-symbolizer
fi
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

echo "parser_fuzz_test: fuzzing for $seconds s from $n recorded logs"
"$fuzzer" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -max_len=1048576 \
  -print_final_stats=1 -artifact_prefix="$artifacts/" "$corpus" 2>&1 | tail -n 60
status=${PIPESTATUS[0]}
if [ "$status" -ne 0 ]; then
  echo "parser_fuzz_test: the fuzzer failed (exit $status): the input is in $artifacts"
  exit 1
fi
echo "parser_fuzz_test: no crash, leak or timeout in $seconds s"
