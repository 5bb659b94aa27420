// callgrind_probe: one thread runs a primitive's uncontended fast path a
// million times, for instruction counts under valgrind --tool=callgrind
// (repeatable on a loaded machine, where timings are not):
//
//   valgrind --tool=callgrind bazel-bin/bench/callgrind_probe channel   # then minus `none`
//
// Workloads: none (the program's own start and end), mutex (Mutex<u64> lock
// and += 1), channel (channel() send then recv, 10^5 at a time), bounded
// (sync_channel(1000), 10^3 at a time). bench/rust's twin programs run the
// same loops for Rust (see bench/README.md).

#include <cstdint>
#include <cstdio>
#include <cstring>

#include "bench/baselines/bench_util.hpp"
#include "primitives/channel.h"
#include "primitives/mutex.h"

int main(int argc, char** argv) {
  const char* which = argc > 1 ? argv[1] : "none";
  uint64_t sum = 0;
  if (std::strcmp(which, "mutex") == 0) {
    racelings::Mutex<uint64_t> m(0);
    for (int i = 0; i < 1000000; ++i) {
      auto* p = &m;
      bench::do_not_optimize(p);
      *p->lock() += 1;
    }
    sum = *m.lock();
  } else if (std::strcmp(which, "channel") == 0 || std::strcmp(which, "bounded") == 0) {
    bool bounded = which[0] == 'b';
    auto [tx, rx] = bounded ? racelings::sync_channel<uint64_t>(1000) : racelings::channel<uint64_t>();
    const int batch = bounded ? 1000 : 100000;
    for (int r = 0; r < 1000000 / batch; ++r) {
      for (int i = 0; i < batch; ++i) tx.send(i).unwrap();
      for (int i = 0; i < batch; ++i) sum += rx.recv().unwrap();
    }
  } else if (std::strcmp(which, "none") != 0) {
    std::fprintf(stderr, "callgrind_probe: unknown workload '%s' (none, mutex, channel, bounded)\n", which);
    return 2;
  }
  std::printf("%llu\n", static_cast<unsigned long long>(sum));
  return 0;
}
