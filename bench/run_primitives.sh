#!/usr/bin/env bash
# Runs //bench:primitives_bench twice, with the deadlock detector on
# (RACELINGS_DETECT=1) and off (=0), and prints one line per comparison:
#
#   metric: <name> ours=<v>ns baseline=<v>ns ratio=<x>
#
# (ns per operation: per lock/unlock (CPU time), per message, per round trip
# (wall time); ratio = ours / baseline, lower is better). Goals from the issues: uncontended
# Mutex<T> within 1.1x of std::mutex with detection off, 2x with it on.
#
#   bench/run_primitives.sh                 build with bazel -c opt, then run
#   bench/run_primitives.sh path/to/binary  run a binary built already
#   BAZEL="bazel --output_base=..."  BAZEL_FLAGS="--disk_cache=..."  (optional)
#   RACELINGS_BENCH_REPS=5                  repetitions per benchmark (median)
# Benchmark output goes to stderr; stdout has only the metric lines.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
reps="${RACELINGS_BENCH_REPS:-5}"

if [[ $# -ge 1 ]]; then
  bin="$1"
else
  cd "$here/.."
  read -r -a bazel <<<"${BAZEL:-bazel}"
  read -r -a flags <<<"${BAZEL_FLAGS:-}"
  "${bazel[@]}" build -c opt "${flags[@]}" //bench:primitives_bench >&2
  bin="$("${bazel[@]}" info -c opt "${flags[@]}" bazel-bin 2>/dev/null)/bench/primitives_bench"
fi

# Median real time per operation in ns, by benchmark name, from CSV output.
run() {
  RACELINGS_DETECT="$1" "$bin" --benchmark_repetitions="$reps" --benchmark_report_aggregates_only=true \
    --benchmark_min_time=0.2 --benchmark_format=csv 2>/dev/null |
    awk -F, '
      $1 ~ /_median"?$/ {
        name = $1; gsub(/"/, "", name); sub(/_median$/, "", name);
        # Single-threaded benchmarks: CPU time, steadier on a shared machine.
        # Multi-threaded ones: wall time, since waiting is part of the cost.
        t = (name ~ /^BM_Uncontended/) ? $4 : $3; unit = $5; gsub(/"/, "", unit);
        mult = (unit == "us") ? 1000 : (unit == "ms") ? 1e6 : (unit == "s") ? 1e9 : 1;
        ns = t * mult;
        # Per-item benchmarks: an iteration moves many messages or round trips.
        if (name ~ /^BM_Channel_/) ns /= 20000;
        if (name ~ /^BM_PingPong_/) ns /= 2000;
        printf "%s %.2f\n", name, ns;
      }'
}

declare -A on off
while read -r name ns; do on[$name]=$ns; echo "detect=on  $name ${ns}ns" >&2; done < <(run 1)
while read -r name ns; do off[$name]=$ns; echo "detect=off $name ${ns}ns" >&2; done < <(run 0)

metric() {  # metric <name> <ours> <baseline>
  awk -v n="$1" -v o="$2" -v b="$3" 'BEGIN { printf "metric: %s ours=%.2fns baseline=%.2fns ratio=%.2f\n", n, o, b, o / b }'
}

for mode in on off; do
  declare -n t="$mode"
  metric "mutex_uncontended_detect_$mode" "${t[BM_Uncontended_Mutex]}" "${t[BM_Uncontended_StdMutex]}"
  metric "raw_mutex_uncontended_detect_$mode" "${t[BM_Uncontended_RawMutex]}" "${t[BM_Uncontended_StdMutex]}"
  metric "mutex_uncontended_threaded_detect_$mode" "${t[BM_UncontendedThreaded_Mutex]}" "${t[BM_UncontendedThreaded_StdMutex]}"
  metric "mutex_contended_4t_detect_$mode" "${t["BM_Contended4_Mutex/real_time/threads:4"]}" "${t["BM_Contended4_StdMutex/real_time/threads:4"]}"
  metric "channel_spsc_detect_$mode" "${t["BM_Channel_Ours/1/real_time"]}" "${t["BM_Channel_StdQueue/1/real_time"]}"
  metric "channel_mpsc4_detect_$mode" "${t["BM_Channel_Ours/4/real_time"]}" "${t["BM_Channel_StdQueue/4/real_time"]}"
  metric "rendezvous_pingpong_detect_$mode" "${t["BM_PingPong_Rendezvous/real_time"]}" "${t["BM_PingPong_StdQueue/real_time"]}"
  unset -n t
done
