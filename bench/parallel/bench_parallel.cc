// Benchmarks of the work-stealing scheduler (primitives/parallel/parallel.h)
// against a sequential loop, oneTBB and OpenMP, on the workloads of
// bench/baselines and bench/rust: the sum and the map (x*x+1, collected into
// a new array) of 10^7 u64, and fib(32) by recursive fork-join with a
// sequential cutoff below n = 20.
//
//   bazel run -c opt //bench/parallel:bench_parallel [-- <name substrings>]
//
// One stdout line per workload (the baseline is TBB):
//   metric: <name> ours=<v>ms baseline=<v>ms ratio=<ours/baseline> seq=<v>ms
//       speedup_vs_seq=<seq/ours> omp=<v>ms
// RACELINGS_BENCH_SCALE (default 1) scales the sizes, RACELINGS_BENCH_REPS
// (default 7) the repetitions; after one untimed warm-up per variant the
// variants run round-robin (so that a noisy neighbour hurts all alike) and
// the median is reported. OpenMP is told not to spin after a parallel region
// (OMP_WAIT_POLICY=passive) so that its idle threads do not steal the CPU
// from the other variants.

#include <omp.h>
#include <tbb/blocked_range.h>
#include <tbb/info.h>
#include <tbb/parallel_for.h>
#include <tbb/parallel_invoke.h>
#include <tbb/parallel_reduce.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <numeric>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "primitives/parallel/parallel.h"

namespace {

using u64 = std::uint64_t;
using Clock = std::chrono::steady_clock;

template <class T>
inline void do_not_optimize(T& value) {
  asm volatile("" : "+r,m"(value) : : "memory");
}

[[noreturn]] void die(const std::string& msg) {
  std::fprintf(stderr, "bench_parallel: %s\n", msg.c_str());
  std::exit(2);
}

void check(bool ok, const char* what) {
  if (!ok) die(std::string("self-check failed: ") + what);
}

struct Config {
  double scale = 1.0;
  int reps = 7;
  std::vector<std::string> filters;

  static Config from_env(int argc, char** argv) {
    Config c;
    if (const char* s = std::getenv("RACELINGS_BENCH_SCALE")) {
      char* end = nullptr;
      c.scale = std::strtod(s, &end);
      if (end == s || *end != '\0' || !(c.scale > 0)) die("RACELINGS_BENCH_SCALE must be a positive number");
    }
    if (const char* s = std::getenv("RACELINGS_BENCH_REPS")) {
      c.reps = std::atoi(s);
      if (c.reps < 1) die("RACELINGS_BENCH_REPS must be an integer >= 1");
    }
    for (int i = 1; i < argc; ++i) c.filters.emplace_back(argv[i]);
    return c;
  }
  u64 n(u64 base, u64 min) const { return std::max<u64>(min, static_cast<u64>(std::llround(base * scale))); }
  bool wants(std::string_view name) const {
    if (filters.empty()) return true;
    for (const auto& f : filters) {
      if (name.find(f) != std::string_view::npos) return true;
    }
    return false;
  }
};

// A variant returns the time it measured (setup and teardown stay outside).
using Variant = std::function<double()>;  // milliseconds

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  size_t mid = v.size() / 2;
  return v.size() % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

// Warms each variant up once, then runs them round-robin `reps` times.
void compare(const Config& cfg, const char* name, const Variant& ours, const Variant& tbb, const Variant& omp,
             const Variant& seq) {
  const Variant* variants[] = {&ours, &tbb, &omp, &seq};
  std::vector<double> times[4];
  for (const Variant* v : variants) (void)(*v)();
  for (int r = 0; r < cfg.reps; ++r) {
    for (int i = 0; i < 4; ++i) times[i].push_back((*variants[i])());
  }
  double o = median(times[0]), t = median(times[1]), m = median(times[2]), s = median(times[3]);
  std::printf("metric: %s ours=%.3fms baseline=%.3fms ratio=%.3f seq=%.3fms speedup_vs_seq=%.2f omp=%.3fms\n", name, o,
              t, o / t, s, s / o, m);
  std::fflush(stdout);
}

constexpr unsigned kFibCutoff = 20;

u64 fib_seq(unsigned n) { return n < 2 ? n : fib_seq(n - 1) + fib_seq(n - 2); }

u64 fib_ours(unsigned n) {
  if (n < kFibCutoff) return fib_seq(n);
  auto [a, b] = racelings::join([n] { return fib_ours(n - 1); }, [n] { return fib_ours(n - 2); });
  return a + b;
}

u64 fib_tbb(unsigned n) {
  if (n < kFibCutoff) return fib_seq(n);
  u64 a = 0, b = 0;
  tbb::parallel_invoke([&] { a = fib_tbb(n - 1); }, [&] { b = fib_tbb(n - 2); });
  return a + b;
}

u64 fib_omp_task(unsigned n) {
  if (n < kFibCutoff) return fib_seq(n);
  u64 a = 0, b = 0;
#pragma omp task shared(a)
  a = fib_omp_task(n - 1);
  b = fib_omp_task(n - 2);
#pragma omp taskwait
  return a + b;
}

u64 fib_omp(unsigned n) {
  u64 r = 0;
#pragma omp parallel
#pragma omp single
  r = fib_omp_task(n);
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  // Before the OpenMP runtime starts: idle OpenMP threads sleep at once.
  setenv("OMP_WAIT_POLICY", "passive", 0);
  setenv("KMP_BLOCKTIME", "0", 0);
  const Config cfg = Config::from_env(argc, argv);
  std::fprintf(stderr,
               "bench_parallel: scale=%g reps=%d (median), ours=%zu threads, tbb=%d, omp=%d, hardware_concurrency=%u\n",
               cfg.scale, cfg.reps, racelings::current_num_threads(), tbb::info::default_concurrency(),
               omp_get_max_threads(), std::thread::hardware_concurrency());

  const u64 n = cfg.n(10'000'000, 1000);
  std::vector<u64> data(n);
  std::iota(data.begin(), data.end(), u64{0});
  const u64* in = data.data();

  if (cfg.wants("par_sum")) {
    const u64 expect = n * (n - 1) / 2;
    auto timed_sum = [&](auto&& body) {
      auto start = Clock::now();
      u64 s = body();
      do_not_optimize(s);
      double t = ms_since(start);
      check(s == expect, "sum");
      return t;
    };
    compare(
        cfg, "par_sum", [&] { return timed_sum([&] { return racelings::par_iter(data).sum(); }); },
        [&] {
          return timed_sum([&] {
            return tbb::parallel_reduce(
                tbb::blocked_range<size_t>(0, n), u64{0},
                [&](const tbb::blocked_range<size_t>& r, u64 acc) {
                  for (size_t i = r.begin(); i != r.end(); ++i) acc += in[i];
                  return acc;
                },
                std::plus<u64>());
          });
        },
        [&] {
          return timed_sum([&] {
            u64 s = 0;
            const long long nn = static_cast<long long>(n);
#pragma omp parallel for reduction(+ : s) schedule(static)
            for (long long i = 0; i < nn; ++i) s += in[i];
            return s;
          });
        },
        [&] {
          return timed_sum([&] {
            const u64* p = in;
            do_not_optimize(p);
            return std::accumulate(p, p + n, u64{0});
          });
        });
  }

  if (cfg.wants("par_map")) {
    auto f = [](u64 x) { return x * x + 1; };
    auto check_out = [&](const u64* o) { check(o[n - 1] == f(n - 1) && o[n / 2] == f(n / 2), "map"); };
    compare(
        cfg, "par_map",
        [&] {
          auto start = Clock::now();
          std::vector<u64> out = racelings::par_iter(data).map(f).collect();
          u64* o = out.data();
          do_not_optimize(o);
          double t = ms_since(start);
          check_out(o);
          return t;
        },
        [&] {
          auto start = Clock::now();
          auto out = std::make_unique_for_overwrite<u64[]>(n);
          u64* o = out.get();
          tbb::parallel_for(tbb::blocked_range<size_t>(0, n), [&](const tbb::blocked_range<size_t>& r) {
            for (size_t i = r.begin(); i != r.end(); ++i) o[i] = f(in[i]);
          });
          do_not_optimize(o);
          double t = ms_since(start);
          check_out(o);
          return t;
        },
        [&] {
          auto start = Clock::now();
          auto out = std::make_unique_for_overwrite<u64[]>(n);
          u64* o = out.get();
          const long long nn = static_cast<long long>(n);
#pragma omp parallel for schedule(static)
          for (long long i = 0; i < nn; ++i) o[i] = f(in[i]);
          do_not_optimize(o);
          double t = ms_since(start);
          check_out(o);
          return t;
        },
        [&] {
          auto start = Clock::now();
          auto out = std::make_unique_for_overwrite<u64[]>(n);
          u64* o = out.get();
          for (size_t i = 0; i < n; ++i) o[i] = f(in[i]);
          do_not_optimize(o);
          double t = ms_since(start);
          check_out(o);
          return t;
        });
  }

  if (cfg.wants("fork_join_fib")) {
    long shrink = std::lround(std::log(cfg.scale) / std::log(1.618034));
    unsigned fn = static_cast<unsigned>(std::clamp(32L + shrink, long(kFibCutoff) + 1, 40L));
    const u64 expect = fib_seq(fn);
    std::fprintf(stderr, "  fork_join_fib: fib(%u), cutoff n<%u\n", fn, kFibCutoff);
    auto timed_fib = [&](u64 (*fib)(unsigned)) {
      unsigned m = fn;
      do_not_optimize(m);
      auto start = Clock::now();
      u64 r = fib(m);
      do_not_optimize(r);
      double t = ms_since(start);
      check(r == expect, "fib");
      return t;
    };
    compare(
        cfg, "fork_join_fib", [&] { return timed_fib(fib_ours); }, [&] { return timed_fib(fib_tbb); },
        [&] { return timed_fib(fib_omp); }, [&] { return timed_fib(fib_seq); });
  }
  return 0;
}
