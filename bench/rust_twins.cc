// rust_twins: racelings' primitives on exactly the workloads of bench/rust
// (same sizes, same structure, same metric names), so that bench/vs_rust.sh
// can run this program and the Rust one in turn, repetition by repetition,
// and compare like with like:
//
//   mutex_uncontended            one thread: Mutex<u64> lock, += 1, unlock, 10^7 times
//   mutex_contended_4            4 threads, 4*10^6 increments in all (wall time / op)
//   channel_spsc                 channel(): 1 producer sends 2*10^6 u64, main receives
//                                (includes spawning the producer)
//   channel_mpsc_4               the same with 4 producers, 2*10^6 messages in all
//   channel_rendezvous_pingpong  two sync_channel(0): main sends, an echo thread
//                                replies, 10^5 round trips
//
// Conventions as bench/baselines/bench_util.hpp: RACELINGS_BENCH_SCALE,
// RACELINGS_BENCH_REPS (one untimed warm-up, median reported), argument
// substrings select workloads, stdout has only `metric: <name> value=<v><unit>`.
// RACELINGS_DETECT (0 or 1) switches the deadlock detector as in any program.

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <latch>
#include <thread>
#include <vector>

#include "bench/baselines/bench_util.hpp"
#include "primitives/channel.h"
#include "primitives/detector.h"
#include "primitives/mutex.h"

namespace {

using namespace bench;
using u64 = std::uint64_t;

Duration mutex_uncontended(u64 n) {
  // Rust's Mutex always uses atomic instructions; ours, like glibc's, skips
  // them while the process has one thread. Compare like with like: a
  // process that has started a thread (as every concurrent program has).
  static bool threaded = [] {
    std::thread([] {}).join();
    return true;
  }();
  (void)threaded;
  racelings::Mutex<u64> m(0);
  auto d = timed([&] {
    for (u64 i = 0; i < n; ++i) {
      racelings::Mutex<u64>* p = &m;
      do_not_optimize(p);
      *p->lock() += 1;
    }
  });
  check(*m.lock() == n, "mutex_uncontended count");
  return d;
}

Duration mutex_contended(unsigned threads, u64 n_total) {
  const u64 per = n_total / threads;
  racelings::Mutex<u64> m(0);
  std::latch start(threads + 1);
  std::vector<std::thread> ts;
  for (unsigned t = 0; t < threads; ++t) {
    ts.emplace_back([&] {
      start.arrive_and_wait();
      for (u64 i = 0; i < per; ++i) *m.lock() += 1;
    });
  }
  start.arrive_and_wait();
  auto d = timed([&] {
    for (auto& t : ts) t.join();
  });
  check(*m.lock() == per * threads, "mutex_contended count");
  return d;
}

Duration channel_spsc(u64 n) {
  u64 sum = 0;
  auto d = timed([&] {
    auto [tx, rx] = racelings::channel<u64>();
    std::thread producer([tx = std::move(tx), n]() mutable {
      for (u64 i = 0; i < n; ++i) tx.send(i).unwrap();
    });
    for (u64 i = 0; i < n; ++i) sum += rx.recv().unwrap();
    producer.join();
  });
  check(sum == n * (n - 1) / 2, "channel_spsc sum");
  return d;
}

Duration channel_mpsc(unsigned producers, u64 n_total) {
  const u64 per = n_total / producers;
  u64 count = 0;
  auto d = timed([&] {
    auto [tx, rx] = racelings::channel<u64>();
    std::vector<std::thread> ts;
    for (unsigned p = 0; p < producers; ++p) {
      ts.emplace_back([tx = tx, per]() mutable {
        for (u64 i = 0; i < per; ++i) tx.send(i).unwrap();
      });
    }
    tx.close();
    for (u64 v : rx) {
      (void)v;
      ++count;
    }
    for (auto& t : ts) t.join();
  });
  check(count == per * producers, "channel_mpsc count");
  return d;
}

Duration rendezvous_pingpong(u64 n) {
  auto [ping_tx, ping_rx] = racelings::sync_channel<u64>(0);
  auto [pong_tx, pong_rx] = racelings::sync_channel<u64>(0);
  std::thread echo([rx = std::move(ping_rx), tx = std::move(pong_tx)]() mutable {
    for (u64 v : rx) {
      if (tx.send(v + 1).is_err()) break;
    }
  });
  u64 v = 0;
  auto d = timed([&] {
    for (u64 i = 0; i < n; ++i) {
      ping_tx.send(v).unwrap();
      v = pong_rx.recv().unwrap();
    }
  });
  ping_tx.close();
  echo.join();
  check(v == n, "rendezvous_pingpong value");
  return d;
}

}  // namespace

int main(int argc, char** argv) {
  Config cfg = Config::from_env(argc, argv);
  std::fprintf(stderr, "racelings-bench-twins: scale=%g reps=%d (median reported), detection %s\n", cfg.scale,
               cfg.reps, racelings::detector::enabled() ? "on" : "off");
  if (cfg.wants({"mutex_uncontended"})) {
    u64 n = cfg.n(10'000'000, 1000);
    report("mutex_uncontended", per_op_ns(median_of(cfg.reps, [&] { return mutex_uncontended(n); }), n), "ns/op");
  }
  if (cfg.wants({"mutex_contended_4"})) {
    u64 n = cfg.n(4'000'000, 4000) / 4 * 4;
    report("mutex_contended_4", per_op_ns(median_of(cfg.reps, [&] { return mutex_contended(4, n); }), n), "ns/op");
  }
  if (cfg.wants({"channel_spsc"})) {
    u64 n = cfg.n(2'000'000, 1000);
    report("channel_spsc", per_op_ns(median_of(cfg.reps, [&] { return channel_spsc(n); }), n), "ns/msg");
  }
  if (cfg.wants({"channel_mpsc_4"})) {
    u64 n = cfg.n(2'000'000, 4000) / 4 * 4;
    report("channel_mpsc_4", per_op_ns(median_of(cfg.reps, [&] { return channel_mpsc(4, n); }), n), "ns/msg");
  }
  if (cfg.wants({"channel_rendezvous_pingpong"})) {
    u64 n = cfg.n(100'000, 100);
    report("channel_rendezvous_pingpong",
           per_op_ns(median_of(cfg.reps, [&] { return rendezvous_pingpong(n); }), n), "ns/roundtrip");
  }
  return 0;
}
