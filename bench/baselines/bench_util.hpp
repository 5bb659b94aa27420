// Shared helpers for the standalone C++ baselines (std + TBB, OpenMP).
// Same conventions as bench/rust: RACELINGS_BENCH_SCALE, RACELINGS_BENCH_REPS
// (default 5, one untimed warm-up, MEDIAN reported), argument substrings
// select workloads, stdout carries only `metric: <name> value=<number><unit>`.
#pragma once

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace bench {

using Clock = std::chrono::steady_clock;
using Duration = std::chrono::nanoseconds;

[[noreturn]] inline void die(const std::string& msg) {
    std::fprintf(stderr, "racelings-bench-cpp: %s\n", msg.c_str());
    std::exit(2);
}

// Like benchmark::DoNotOptimize: the compiler must assume `value` is read
// and may have been changed here, and that memory was touched (so a pure call
// on it cannot be hoisted or merged with an earlier identical call).
template <class T>
inline void do_not_optimize(T& value) {
#if defined(__clang__)
    asm volatile("" : "+r,m"(value) : : "memory");
#else
    asm volatile("" : "+m,r"(value) : : "memory");
#endif
}

struct Config {
    double scale = 1.0;
    int reps = 5;
    std::vector<std::string> filters;

    static Config from_env(int argc, char** argv) {
        Config c;
        if (const char* s = std::getenv("RACELINGS_BENCH_SCALE")) {
            char* end = nullptr;
            c.scale = std::strtod(s, &end);
            if (end == s || *end != '\0' || !(c.scale > 0) || !std::isfinite(c.scale))
                die(std::string("RACELINGS_BENCH_SCALE must be a positive number, got '") + s + "'");
        }
        if (const char* s = std::getenv("RACELINGS_BENCH_REPS")) {
            char* end = nullptr;
            long r = std::strtol(s, &end, 10);
            if (end == s || *end != '\0' || r < 1 || r > 1000)
                die(std::string("RACELINGS_BENCH_REPS must be an integer >= 1, got '") + s + "'");
            c.reps = static_cast<int>(r);
        }
        for (int i = 1; i < argc; ++i) c.filters.emplace_back(argv[i]);
        return c;
    }

    // `base` scaled, never below `min`.
    std::uint64_t n(std::uint64_t base, std::uint64_t min) const {
        auto v = static_cast<std::uint64_t>(std::llround(static_cast<double>(base) * scale));
        return std::max(v, min);
    }

    bool wants(std::initializer_list<std::string_view> names) const {
        if (filters.empty()) return true;
        for (auto n : names)
            for (const auto& f : filters)
                if (n.find(f) != std::string_view::npos) return true;
        return false;
    }
};

// Runs f (which returns the Duration it measured) once untimed, then `reps`
// times, and returns the median.
template <class F>
Duration median_of(int reps, F&& f) {
    (void)f();
    std::vector<Duration> v;
    v.reserve(reps);
    for (int i = 0; i < reps; ++i) v.push_back(f());
    std::sort(v.begin(), v.end());
    std::size_t mid = v.size() / 2;
    return v.size() % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

template <class F>
Duration timed(F&& f) {
    auto start = Clock::now();
    f();
    return std::chrono::duration_cast<Duration>(Clock::now() - start);
}

inline double per_op_ns(Duration d, std::uint64_t ops) {
    return static_cast<double>(d.count()) / static_cast<double>(ops);
}
inline double ms(Duration d) { return static_cast<double>(d.count()) / 1e6; }

inline void report(const char* name, double value, const char* unit) {
    std::printf("metric: %s value=%.3f%s\n", name, value, unit);
    std::fflush(stdout);
}

inline void check(bool ok, const char* what) {
    if (!ok) die(std::string("self-check failed: ") + what);
}

}  // namespace bench
