// OpenMP variants of par_sum / par_map (metric names par_sum_omp,
// par_map_omp), kept in their own binary so OpenMP's spinning worker
// threads never overlap the std/TBB measurements.
//
//   clang++-19 -O2 -std=c++20 -fopenmp baselines_omp.cpp      (libomp-19-dev)
//   g++ -O2 -std=c++20 -fopenmp baselines_omp.cpp             (fallback, libgomp)

#include <cstdint>
#include <memory>
#include <numeric>
#include <vector>

#include <omp.h>

#include "bench_util.hpp"

using namespace bench;
using u64 = std::uint64_t;

int main(int argc, char** argv) {
    const Config cfg = Config::from_env(argc, argv);
    const int reps = cfg.reps;
    std::fprintf(stderr, "racelings-bench-cpp (OpenMP %d): scale=%g reps=%d (median reported), threads=%d\n",
                 _OPENMP, cfg.scale, reps, omp_get_max_threads());

    const bool want_sum = cfg.wants({"par_sum_omp"});
    const bool want_map = cfg.wants({"par_map_omp"});
    if (!want_sum && !want_map) return 0;

    const u64 n = cfg.n(10'000'000, 1000);
    std::vector<u64> data(n);
    std::iota(data.begin(), data.end(), u64{0});
    const u64* in = data.data();
    const long long nn = static_cast<long long>(n);

    if (want_sum) {
        const u64 expect = n * (n - 1) / 2;
        auto d = median_of(reps, [&] {
            u64 s = 0;
            auto d = timed([&] {
#pragma omp parallel for reduction(+ : s) schedule(static)
                for (long long i = 0; i < nn; ++i) s += in[i];
                do_not_optimize(s);
            });
            check(s == expect, "par_sum_omp");
            return d;
        });
        report("par_sum_omp", ms(d), "ms");
    }
    if (want_map) {
        auto d = median_of(reps, [&] {
            std::unique_ptr<u64[]> out;
            auto d = timed([&] {
                out = std::make_unique_for_overwrite<u64[]>(n);
                u64* o = out.get();
#pragma omp parallel for schedule(static)
                for (long long i = 0; i < nn; ++i) o[i] = in[i] * in[i] + 1;
                do_not_optimize(o);
            });
            check(out[n - 1] == (n - 1) * (n - 1) + 1, "par_map_omp");
            return d;
        });
        report("par_map_omp", ms(d), "ms");
    }
    return 0;
}
