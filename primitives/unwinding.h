// unwinding.h
// -----------------------------------------------------------------------------
//
// Internal: how many exceptions are unwinding the calling thread's stack,
// read fast. Guards call it twice per lock (at lock and at unlock) to know
// whether to poison their lock, so it is on every lock's path.
//
// `std::uncaught_exceptions()` gives the same number, but through a call into
// libstdc++ that reaches the per-thread exception state through dynamic TLS,
// about 5 ns each time, which made `Mutex<T>` several times slower than
// `std::mutex` (measured in bench/primitives_bench.cc). The Itanium C++ ABI,
// which GCC and Clang follow on Linux, defines that state:
// `__cxa_get_globals()` returns the thread's `__cxa_eh_globals`, whose first
// two fields are the caught-exception stack and `uncaughtExceptions`
// (https://itanium-cxx-abi.github.io/cxx-abi/abi-eh.html, 2.2.2). We ask for
// its address once per thread and then read the field. unwinding_test.cc
// checks it against std::uncaught_exceptions().
//
// Rust equivalent: `std::thread::panicking()`, which has the same job.

#ifndef RACELINGS_PRIMITIVES_UNWINDING_H_
#define RACELINGS_PRIMITIVES_UNWINDING_H_

// Bound to the ABI function under another name, so that no declaration can
// clash with <cxxabi.h>'s (which returns an opaque type).
extern "C" void* racelings_cxa_get_globals() noexcept __asm__("__cxa_get_globals");

namespace racelings {
namespace internal {

// The head of the Itanium ABI's per-thread exception state.
struct CxaEhGlobals {
  void* caught_exceptions;
  unsigned int uncaught_exceptions;
};

// uncaught_exceptions(): std::uncaught_exceptions(), in one load.
inline int uncaught_exceptions() noexcept {
  // The structure lives as long as its thread; only this thread reads it.
  // initial-exec TLS: one load from the thread pointer (see detector.h).
  static thread_local const CxaEhGlobals* globals
      __attribute__((tls_model("initial-exec"))) = static_cast<const CxaEhGlobals*>(racelings_cxa_get_globals());
  return static_cast<int>(globals->uncaught_exceptions);
}

}  // namespace internal
}  // namespace racelings

#endif  // RACELINGS_PRIMITIVES_UNWINDING_H_
