// Benchmarks of primitives/async (Google Benchmark), each against a baseline
// doing the same work with racelings threads and the racelings channel:
//
//   spawn_join        spawn + join of 10^6 empty tasks (multi-threaded runtime,
//                     2 workers) vs. racelings::spawn + join of empty threads
//   spawn_join_ct     the same on a current-thread runtime
//   pingpong          a message there and back over two bounded async channels
//                     (capacity 1) between two tasks vs. two threads and two
//                     sync_channel(1)
//   pingpong_ct       the same on a current-thread runtime
//
// After Google Benchmark's own table, two lines per figure (medians of five
// repetitions):
//   metric: <name> ours=<ns per op>ns baseline=<ns per op>ns ratio=<baseline/ours>
//   metric: <name>_wall ...
// The first is the CPU time of the whole process (every thread, user and
// system) per operation: what the work costs, and steady on a shared
// machine. The second is wall-clock time, which other load on the machine
// inflates. Reference: tokio spawns and joins a task in well under a
// microsecond.

#include <benchmark/benchmark.h>
#include <malloc.h>

#include <cstdio>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "primitives/async/async.h"
#include "primitives/channel.h"
#include "primitives/thread.h"

namespace {

using racelings::async::JoinHandle;
using racelings::async::Receiver;
using racelings::async::Runtime;
using racelings::async::Sender;
using racelings::async::Task;

constexpr long kTasks = 1'000'000;
constexpr long kBatch = 1024;     // Tasks in flight at once.
constexpr long kThreads = 2'000;  // Threads are ~100x dearer: fewer of them.
constexpr long kRoundTrips = 100'000;
constexpr long kThreadRoundTrips = 20'000;

Runtime make_runtime(bool current_thread) {
  return current_thread ? Runtime::current_thread() : Runtime::multi_thread(2);
}

Task<void> empty_task() { co_return; }

void BM_SpawnJoinTasks(benchmark::State& state) {
  Runtime rt = make_runtime(state.range(0) != 0);
  for (auto _ : state) {
    rt.block_on([]() -> Task<void> {
      std::vector<JoinHandle<void>> handles;
      handles.reserve(kBatch);
      for (long done = 0; done < kTasks; done += kBatch) {
        for (long i = 0; i < kBatch; ++i) handles.push_back(racelings::async::spawn(empty_task()));
        for (auto& h : handles) co_await h;
        handles.clear();
      }
    });
  }
  state.counters["items"] = kTasks;
}

void BM_SpawnJoinThreads(benchmark::State& state) {
  for (auto _ : state) {
    for (long i = 0; i < kThreads; ++i) racelings::spawn([] {}).join();
  }
  state.counters["items"] = kThreads;
}

Task<void> pong(Receiver<long> rx, Sender<long> tx) {
  while (auto v = co_await rx.recv()) (co_await tx.send(*v + 1)).unwrap();
}

void BM_PingPongTasks(benchmark::State& state) {
  Runtime rt = make_runtime(state.range(0) != 0);
  for (auto _ : state) {
    long last = rt.block_on([]() -> Task<long> {
      auto [to_pong, pong_rx] = racelings::async::channel<long>(1);
      auto [to_ping, ping_rx] = racelings::async::channel<long>(1);
      auto other = racelings::async::spawn(pong(std::move(pong_rx), std::move(to_ping)));
      long v = 0;
      for (long i = 0; i < kRoundTrips; ++i) {
        (co_await to_pong.send(v)).unwrap();
        v = *co_await ping_rx.recv();
      }
      to_pong.close();
      co_await other;
      co_return v;
    });
    benchmark::DoNotOptimize(last);
  }
  state.counters["items"] = kRoundTrips;
}

void BM_PingPongThreads(benchmark::State& state) {
  for (auto _ : state) {
    auto [to_pong, pong_rx] = racelings::sync_channel<long>(1);
    auto [to_ping, ping_rx] = racelings::sync_channel<long>(1);
    auto other = racelings::spawn([rx = std::move(pong_rx), tx = std::move(to_ping)]() mutable {
      for (long v : rx) tx.send(v + 1).unwrap();
    });
    long v = 0;
    for (long i = 0; i < kThreadRoundTrips; ++i) {
      to_pong.send(v).unwrap();
      v = ping_rx.recv().unwrap();
    }
    to_pong.close();
    other.join();
    benchmark::DoNotOptimize(v);
  }
  state.counters["items"] = kThreadRoundTrips;
}

// Arg 0: multi-threaded runtime (2 workers); arg 1: current-thread runtime.
// Five repetitions of one iteration each; the metrics use the median.
#define RACELINGS_BENCH_OPTIONS \
  Iterations(1)->Repetitions(5)->ReportAggregatesOnly(true)->MeasureProcessCPUTime()->UseRealTime()
BENCHMARK(BM_SpawnJoinTasks)->Arg(0)->Arg(1)->RACELINGS_BENCH_OPTIONS;
BENCHMARK(BM_SpawnJoinThreads)->RACELINGS_BENCH_OPTIONS;
BENCHMARK(BM_PingPongTasks)->Arg(0)->Arg(1)->RACELINGS_BENCH_OPTIONS;
BENCHMARK(BM_PingPongThreads)->RACELINGS_BENCH_OPTIONS;

// Keeps the process CPU time and the wall time per item of every run.
class MetricReporter : public benchmark::ConsoleReporter {
 public:
  MetricReporter() : ConsoleReporter(OO_Tabular) {}  // No colours: stdout is parsed.
  struct PerOp {
    double cpu_ns = 0;
    double wall_ns = 0;
  };
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& run : runs) {
      if (run.run_type != Run::RT_Aggregate || run.aggregate_name != "median") continue;
      auto it = run.counters.find("items");
      if (it == run.counters.end() || it->second.value <= 0) continue;
      double to_ns = 1e9 / benchmark::GetTimeUnitMultiplier(run.time_unit);
      // The name without "/iterations:1/repeats:5/process_time/real_time_median".
      std::string name = run.benchmark_name();
      name = name.substr(0, name.find("/iterations:"));
      per_op_[name] = {run.GetAdjustedCPUTime() * to_ns / it->second.value,
                       run.GetAdjustedRealTime() * to_ns / it->second.value};
    }
    ConsoleReporter::ReportRuns(runs);
  }
  PerOp get(const std::string& name) const {
    auto it = per_op_.find(name);
    return it == per_op_.end() ? PerOp{} : it->second;
  }

 private:
  std::map<std::string, PerOp> per_op_;
};

void print_metric(const std::string& name, double ours, double baseline) {
  std::printf("metric: %s ours=%.1fns baseline=%.1fns ratio=%.1f\n", name.c_str(), ours, baseline,
              ours > 0 ? baseline / ours : 0.0);
}

void print_pair(const char* name, const MetricReporter& r, const std::string& ours, const std::string& baseline) {
  print_metric(name, r.get(ours).cpu_ns, r.get(baseline).cpu_ns);
  print_metric(std::string(name) + "_wall", r.get(ours).wall_ns, r.get(baseline).wall_ns);
}

}  // namespace

int main(int argc, char** argv) {
  // Each batch of 1024 tasks allocates ~300 KB and frees it all; glibc would
  // give that back to the OS every time (heap trimming) and page-fault it in
  // again, which costs more than the tasks. Keep the heap (for both sides).
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
  mallopt(M_TOP_PAD, 16 << 20);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  MetricReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  std::fflush(stdout);
  print_pair("spawn_join", reporter, "BM_SpawnJoinTasks/0", "BM_SpawnJoinThreads");
  print_pair("spawn_join_ct", reporter, "BM_SpawnJoinTasks/1", "BM_SpawnJoinThreads");
  print_pair("pingpong", reporter, "BM_PingPongTasks/0", "BM_PingPongThreads");
  print_pair("pingpong_ct", reporter, "BM_PingPongTasks/1", "BM_PingPongThreads");
  return 0;
}
