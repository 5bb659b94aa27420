// C++20 baselines with only the standard library and oneTBB: the same
// workloads (and metric names) as bench/rust, for side-by-side comparison
// with racelings' primitives.
//
//   clang++-19 -O2 -std=c++20 -pthread baselines.cpp -ltbb
//
// Channels are a std::mutex + std::condition_variable + std::deque queue;
// the rendezvous channel is a mutex + condvar hand-off slot; par_* use
// tbb::parallel_reduce / tbb::parallel_for; fork_join_fib uses
// tbb::parallel_invoke. See bench_util.hpp for env vars and output format.

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <latch>
#include <memory>
#include <mutex>
#include <numeric>
#include <optional>
#include <thread>
#include <vector>

#include <tbb/blocked_range.h>
#include <tbb/info.h>
#include <tbb/parallel_for.h>
#include <tbb/parallel_invoke.h>
#include <tbb/parallel_reduce.h>

#include "bench_util.hpp"

using namespace bench;
using u64 = std::uint64_t;

// ---------------------------------------------------------------- mutex

struct Counter {
    std::mutex m;
    u64 value = 0;
};

static Duration mutex_uncontended(u64 n) {
    Counter c;
    auto d = timed([&] {
        for (u64 i = 0; i < n; ++i) {
            Counter* p = &c;
            do_not_optimize(p);
            std::lock_guard g(p->m);
            ++p->value;
        }
    });
    check(c.value == n, "mutex_uncontended count");
    return d;
}

static Duration mutex_contended(unsigned threads, u64 n_total) {
    const u64 per = n_total / threads;
    Counter c;
    std::latch start(threads + 1);
    std::vector<std::thread> ts;
    for (unsigned t = 0; t < threads; ++t)
        ts.emplace_back([&] {
            start.arrive_and_wait();
            for (u64 i = 0; i < per; ++i) {
                std::lock_guard g(c.m);
                ++c.value;
            }
        });
    start.arrive_and_wait();
    auto d = timed([&] {
        for (auto& t : ts) t.join();
    });
    check(c.value == per * threads, "mutex_contended count");
    return d;
}

// ---------------------------------------------------------------- channels

// Unbounded MPSC queue: mutex + condvar + deque (the textbook channel).
template <class T>
class Queue {
public:
    void push(T v) {
        {
            std::lock_guard g(m_);
            q_.push_back(std::move(v));
        }
        cv_.notify_one();
    }
    T pop() {
        std::unique_lock l(m_);
        cv_.wait(l, [&] { return !q_.empty(); });
        T v = std::move(q_.front());
        q_.pop_front();
        return v;
    }

private:
    std::mutex m_;
    std::condition_variable cv_;
    std::deque<T> q_;
};

static Duration queue_mpsc(unsigned producers, u64 n_total) {
    const u64 per = n_total / producers;
    const u64 total = per * producers;
    u64 sum = 0;
    auto d = timed([&] {
        Queue<u64> q;
        std::vector<std::thread> ts;
        for (unsigned p = 0; p < producers; ++p)
            ts.emplace_back([&] {
                for (u64 i = 0; i < per; ++i) q.push(i);
            });
        for (u64 i = 0; i < total; ++i) sum += q.pop();
        for (auto& t : ts) t.join();
    });
    check(sum == producers * (per * (per - 1) / 2), "queue sum");
    return d;
}

// Rendezvous (capacity 0) channel: send returns only once recv took the value.
template <class T>
class Rendezvous {
public:
    void send(T v) {
        std::unique_lock l(m_);
        cv_.wait(l, [&] { return !slot_.has_value(); });
        slot_.emplace(std::move(v));
        const u64 ticket = ++sent_;
        cv_.notify_all();
        cv_.wait(l, [&] { return received_ >= ticket; });
    }
    T recv() {
        std::unique_lock l(m_);
        cv_.wait(l, [&] { return slot_.has_value(); });
        T v = std::move(*slot_);
        slot_.reset();
        ++received_;
        cv_.notify_all();
        return v;
    }

private:
    std::mutex m_;
    std::condition_variable cv_;
    std::optional<T> slot_;
    u64 sent_ = 0, received_ = 0;
};

static Duration rendezvous_pingpong(u64 n) {
    Rendezvous<u64> ping, pong;
    std::thread echo([&] {
        for (u64 i = 0; i < n; ++i) pong.send(ping.recv() + 1);
    });
    u64 v = 0;
    auto d = timed([&] {
        for (u64 i = 0; i < n; ++i) {
            ping.send(v);
            v = pong.recv();
        }
    });
    echo.join();
    check(v == n, "pingpong value");
    return d;
}

// ---------------------------------------------------------------- TBB

constexpr unsigned kFibCutoff = 20;

static u64 fib_seq(unsigned n) { return n < 2 ? n : fib_seq(n - 1) + fib_seq(n - 2); }

static u64 fib_par(unsigned n) {
    if (n < kFibCutoff) return fib_seq(n);
    u64 a = 0, b = 0;
    tbb::parallel_invoke([&] { a = fib_par(n - 1); }, [&] { b = fib_par(n - 2); });
    return a + b;
}

int main(int argc, char** argv) {
    const Config cfg = Config::from_env(argc, argv);
    const int reps = cfg.reps;
    std::fprintf(stderr,
                 "racelings-bench-cpp (std+TBB): scale=%g reps=%d (median reported), "
                 "tbb threads=%d, hardware_concurrency=%u\n",
                 cfg.scale, reps, tbb::info::default_concurrency(),
                 std::thread::hardware_concurrency());

    if (cfg.wants({"mutex_uncontended"})) {
        const u64 n = cfg.n(10'000'000, 1000);
        auto d = median_of(reps, [&] { return mutex_uncontended(n); });
        report("mutex_uncontended", per_op_ns(d, n), "ns/op");
    }
    if (cfg.wants({"mutex_contended_4"})) {
        const u64 n = cfg.n(4'000'000, 4000) / 4 * 4;
        auto d = median_of(reps, [&] { return mutex_contended(4, n); });
        report("mutex_contended_4", per_op_ns(d, n), "ns/op");
    }
    if (cfg.wants({"channel_spsc"})) {
        const u64 n = cfg.n(2'000'000, 1000);
        std::fprintf(stderr, "  channel_spsc: %llu messages\n", (unsigned long long)n);
        auto d = median_of(reps, [&] { return queue_mpsc(1, n); });
        report("channel_spsc", per_op_ns(d, n), "ns/msg");
    }
    if (cfg.wants({"channel_mpsc_4"})) {
        const u64 n = cfg.n(2'000'000, 4000) / 4 * 4;
        std::fprintf(stderr, "  channel_mpsc_4: %llu messages from 4 producers\n",
                     (unsigned long long)n);
        auto d = median_of(reps, [&] { return queue_mpsc(4, n); });
        report("channel_mpsc_4", per_op_ns(d, n), "ns/msg");
    }
    if (cfg.wants({"channel_rendezvous_pingpong"})) {
        const u64 n = cfg.n(100'000, 100);
        std::fprintf(stderr, "  channel_rendezvous_pingpong: %llu round trips\n",
                     (unsigned long long)n);
        auto d = median_of(reps, [&] { return rendezvous_pingpong(n); });
        report("channel_rendezvous_pingpong", per_op_ns(d, n), "ns/roundtrip");
    }

    const bool want_sum = cfg.wants({"par_sum", "par_sum_seq"});
    const bool want_map = cfg.wants({"par_map", "par_map_seq"});
    if (want_sum || want_map) {
        const u64 n = cfg.n(10'000'000, 1000);
        std::fprintf(stderr, "  par_sum/par_map: %llu u64\n", (unsigned long long)n);
        std::vector<u64> data(n);
        std::iota(data.begin(), data.end(), u64{0});
        const u64* in = data.data();
        if (want_sum) {
            const u64 expect = n * (n - 1) / 2;
            auto d = median_of(reps, [&] {
                u64 s = 0;
                auto d = timed([&] {
                    s = tbb::parallel_reduce(
                        tbb::blocked_range<std::size_t>(0, n), u64{0},
                        [&](const tbb::blocked_range<std::size_t>& r, u64 acc) {
                            for (std::size_t i = r.begin(); i != r.end(); ++i) acc += in[i];
                            return acc;
                        },
                        std::plus<u64>());
                    do_not_optimize(s);
                });
                check(s == expect, "par_sum");
                return d;
            });
            report("par_sum", ms(d), "ms");
            d = median_of(reps, [&] {
                u64 s = 0;
                auto d = timed([&] {
                    const u64* p = in;
                    do_not_optimize(p);
                    s = std::accumulate(p, p + n, u64{0});
                    do_not_optimize(s);
                });
                check(s == expect, "par_sum_seq");
                return d;
            });
            report("par_sum_seq", ms(d), "ms");
        }
        if (want_map) {
            // The output buffer is allocated (uninitialised) inside the timed
            // region, like Rust's collect::<Vec<_>>().
            auto d = median_of(reps, [&] {
                std::unique_ptr<u64[]> out;
                auto d = timed([&] {
                    out = std::make_unique_for_overwrite<u64[]>(n);
                    u64* o = out.get();
                    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, n),
                                      [&](const tbb::blocked_range<std::size_t>& r) {
                                          for (std::size_t i = r.begin(); i != r.end(); ++i)
                                              o[i] = in[i] * in[i] + 1;
                                      });
                    do_not_optimize(o);
                });
                check(out[n - 1] == (n - 1) * (n - 1) + 1, "par_map");
                return d;
            });
            report("par_map", ms(d), "ms");
            d = median_of(reps, [&] {
                std::unique_ptr<u64[]> out;
                auto d = timed([&] {
                    out = std::make_unique_for_overwrite<u64[]>(n);
                    u64* o = out.get();
                    for (std::size_t i = 0; i < n; ++i) o[i] = in[i] * in[i] + 1;
                    do_not_optimize(o);
                });
                check(out[n - 1] == (n - 1) * (n - 1) + 1, "par_map_seq");
                return d;
            });
            report("par_map_seq", ms(d), "ms");
        }
    }

    if (cfg.wants({"fork_join_fib", "fork_join_fib_seq"})) {
        // fib's work grows by ~phi per step of n: shrink n with the scale.
        long shrink = std::lround(std::log(cfg.scale) / std::log(1.618034));
        const unsigned n = static_cast<unsigned>(std::clamp(32L + shrink, long(kFibCutoff) + 1, 40L));
        const u64 expect = fib_seq(n);
        std::fprintf(stderr, "  fork_join_fib: fib(%u), cutoff n<%u\n", n, kFibCutoff);
        auto d = median_of(reps, [&] {
            u64 r = 0;
            unsigned m = n;
            auto d = timed([&] {
                do_not_optimize(m);
                r = fib_par(m);
                do_not_optimize(r);
            });
            check(r == expect, "fork_join_fib");
            return d;
        });
        report("fork_join_fib", ms(d), "ms");
        d = median_of(reps, [&] {
            u64 r = 0;
            unsigned m = n;
            auto d = timed([&] {
                do_not_optimize(m);
                r = fib_seq(m);
                do_not_optimize(r);
            });
            check(r == expect, "fork_join_fib_seq");
            return d;
        });
        report("fork_join_fib_seq", ms(d), "ms");
    }
    return 0;
}
