// primitives_bench: the primitives against their std:: counterparts.
//
//   * uncontended lock/unlock: std::mutex, RawMutex, Mutex<int>, in a process
//     with one thread and (Threaded) in one where threads were started;
//   * contended: 4 threads incrementing one counter, Mutex<int> vs std::mutex;
//   * channel throughput, one producer (SPSC) and four (MPSC-4), against a
//     std::mutex + std::condition_variable + std::deque queue;
//   * rendezvous ping-pong: a round trip over two sync_channel(0), against
//     the same over two std:: queues.
//
// The deadlock detector is switched by RACELINGS_DETECT, read once per
// process: bench/run_primitives.sh runs this binary with detection on and
// off and prints `metric:` ratio lines. Build it with -c opt so that the
// primitives' .cc files are optimised too.

#include <benchmark/benchmark.h>

#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "primitives/channel.h"
#include "primitives/detector.h"
#include "primitives/mutex.h"
#include "primitives/raw_mutex.h"

namespace {

using racelings::Mutex;
using racelings::RawMutex;

// ---- Uncontended lock/unlock ---------------------------------------------------

void BM_Uncontended_StdMutex(benchmark::State& state) {
  std::mutex mu;
  long counter = 0;
  for (auto _ : state) {
    std::lock_guard<std::mutex> lock(mu);
    ++counter;
    benchmark::DoNotOptimize(counter);
  }
}
BENCHMARK(BM_Uncontended_StdMutex);

void BM_Uncontended_RawMutex(benchmark::State& state) {
  RawMutex mu("bench");
  long counter = 0;
  for (auto _ : state) {
    mu.lock();
    ++counter;
    benchmark::DoNotOptimize(counter);
    mu.unlock();
  }
}
BENCHMARK(BM_Uncontended_RawMutex);

void BM_Uncontended_Mutex(benchmark::State& state) {
  Mutex<long> m(0, "bench");
  for (auto _ : state) {
    auto g = m.lock();
    ++*g;
    benchmark::DoNotOptimize(*g);
  }
}
BENCHMARK(BM_Uncontended_Mutex);

// ---- Uncontended, with other threads alive ---------------------------------------
//
// The benchmarks above run while the process has one thread, where glibc's
// pthread_mutex_lock (and so std::mutex) skips its atomic instructions, and
// so does our lock word (lock_word.h). A concurrent program has threads:
// these run the same loops after one thread was started and joined, which
// turns that shortcut off for the rest of the process (glibc keeps
// __libc_single_threaded false from the first pthread_create on).

void start_a_thread() {
  static bool started = [] {
    std::thread([] {}).join();
    return true;
  }();
  (void)started;
}

void BM_UncontendedThreaded_StdMutex(benchmark::State& state) {
  start_a_thread();
  BM_Uncontended_StdMutex(state);
}
BENCHMARK(BM_UncontendedThreaded_StdMutex);

void BM_UncontendedThreaded_Mutex(benchmark::State& state) {
  start_a_thread();
  BM_Uncontended_Mutex(state);
}
BENCHMARK(BM_UncontendedThreaded_Mutex);

// ---- Contended: 4 threads, one counter --------------------------------------------

std::mutex contended_std_mu;
long contended_std_counter = 0;
void BM_Contended4_StdMutex(benchmark::State& state) {
  for (auto _ : state) {
    std::lock_guard<std::mutex> lock(contended_std_mu);
    ++contended_std_counter;
  }
}
BENCHMARK(BM_Contended4_StdMutex)->Threads(4)->UseRealTime();

Mutex<long>* contended_mutex() {
  static auto* m = new Mutex<long>(0, "contended");
  return m;
}
void BM_Contended4_Mutex(benchmark::State& state) {
  Mutex<long>& m = *contended_mutex();
  for (auto _ : state) {
    *m.lock() += 1;
  }
}
BENCHMARK(BM_Contended4_Mutex)->Threads(4)->UseRealTime();

// ---- Channels -----------------------------------------------------------------

// The textbook queue: what a C++ programmer writes without a channel type.
template <typename T>
class StdQueue {
 public:
  void push(T v) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      q_.push_back(std::move(v));
    }
    cv_.notify_one();
  }
  void close() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      closed_ = true;
    }
    cv_.notify_all();
  }
  std::optional<T> pop() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return !q_.empty() || closed_; });
    if (q_.empty()) return std::nullopt;
    T v = std::move(q_.front());
    q_.pop_front();
    return v;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<T> q_;
  bool closed_ = false;
};

constexpr int kMessages = 20000;

// Messages per iteration: kMessages from `producers` threads to this one.
void BM_Channel_Ours(benchmark::State& state) {
  const int producers = static_cast<int>(state.range(0));
  for (auto _ : state) {
    auto [tx, rx] = racelings::channel<int>();
    std::vector<std::thread> ts;
    for (int p = 0; p < producers; ++p) {
      ts.emplace_back([tx = tx, producers]() mutable {
        for (int i = 0; i < kMessages / producers; ++i) tx.send(i).unwrap();
      });
    }
    tx.close();
    long sum = 0;
    for (int v : rx) sum += v;
    benchmark::DoNotOptimize(sum);
    for (auto& t : ts) t.join();
  }
  state.SetItemsProcessed(state.iterations() * kMessages);
}
BENCHMARK(BM_Channel_Ours)->Arg(1)->Arg(4)->UseRealTime()->Unit(benchmark::kMicrosecond);

void BM_Channel_StdQueue(benchmark::State& state) {
  const int producers = static_cast<int>(state.range(0));
  for (auto _ : state) {
    StdQueue<int> q;
    std::vector<std::thread> ts;
    std::atomic<int> left{producers};
    for (int p = 0; p < producers; ++p) {
      ts.emplace_back([&] {
        for (int i = 0; i < kMessages / producers; ++i) q.push(i);
        if (left.fetch_sub(1) == 1) q.close();
      });
    }
    long sum = 0;
    while (auto v = q.pop()) sum += *v;
    benchmark::DoNotOptimize(sum);
    for (auto& t : ts) t.join();
  }
  state.SetItemsProcessed(state.iterations() * kMessages);
}
BENCHMARK(BM_Channel_StdQueue)->Arg(1)->Arg(4)->UseRealTime()->Unit(benchmark::kMicrosecond);

// ---- Rendezvous ping-pong -------------------------------------------------------

constexpr int kRoundTrips = 2000;

void BM_PingPong_Rendezvous(benchmark::State& state) {
  for (auto _ : state) {
    auto [ping_tx, ping_rx] = racelings::sync_channel<int>(0);
    auto [pong_tx, pong_rx] = racelings::sync_channel<int>(0);
    std::thread echo([rx = std::move(ping_rx), tx = std::move(pong_tx)]() mutable {
      for (int v : rx) tx.send(v).unwrap();
    });
    for (int i = 0; i < kRoundTrips; ++i) {
      ping_tx.send(i).unwrap();
      benchmark::DoNotOptimize(pong_rx.recv().unwrap());
    }
    ping_tx.close();
    echo.join();
  }
  state.SetItemsProcessed(state.iterations() * kRoundTrips);
}
BENCHMARK(BM_PingPong_Rendezvous)->UseRealTime()->Unit(benchmark::kMicrosecond);

void BM_PingPong_StdQueue(benchmark::State& state) {
  for (auto _ : state) {
    StdQueue<int> ping, pong;
    std::thread echo([&] {
      while (auto v = ping.pop()) pong.push(*v);
    });
    for (int i = 0; i < kRoundTrips; ++i) {
      ping.push(i);
      benchmark::DoNotOptimize(pong.pop());
    }
    ping.close();
    echo.join();
  }
  state.SetItemsProcessed(state.iterations() * kRoundTrips);
}
BENCHMARK(BM_PingPong_StdQueue)->UseRealTime()->Unit(benchmark::kMicrosecond);

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::AddCustomContext("racelings_detect", racelings::detector::enabled() ? "on" : "off");
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
