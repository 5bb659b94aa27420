// Under ThreadSanitizer, every std::atomic operation the compiler emits is a
// call to the runtime's __tsan_atomic* functions. The linker renames those
// calls to the wrappers below (-Wl,--wrap, see BUILD), which make each
// atomic operation of a thread the scheduler runs a scheduling point before
// calling the original. So a lost update between an atomic load and an
// atomic store (exercise 13), or a spin loop on a flag, is explored like a
// lock. Atomics inside the primitives (under Quiet) and inside the
// scheduler are not points. Fences are not points: with one thread running
// at a time, every execution is sequentially consistent, and weak-memory
// outcomes are ThreadSanitizer's to find (as races on the data they should
// have ordered). Without ThreadSanitizer this file is empty: atomics are not
// scheduling points there (README.md).

#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define RACELINGS_TSAN_ATOMICS 1
#endif
#endif

#ifdef RACELINGS_TSAN_ATOMICS

#include <sanitizer/tsan_interface_atomic.h>

#include "primitives/schedule/schedule.h"

namespace {

using racelings::schedule::Op;

inline void atomic_point(Op op, const volatile void* address, const void* pc) {
  if (racelings::schedule::managed() && racelings::schedule::internal::tls_flags.quiet == 0 &&
      racelings::schedule::internal::tls_flags.in_scheduler == 0) {
    racelings::schedule::point_at_pc(op, const_cast<const void*>(address), pc);
  }
}

}  // namespace

using morder = __tsan_memory_order;

#define RACELINGS_LOAD(T, N)                                                    \
  extern "C" T __real___tsan_atomic##N##_load(const volatile T* a, morder mo);  \
  extern "C" T __wrap___tsan_atomic##N##_load(const volatile T* a, morder mo) { \
    atomic_point(Op::kAtomicLoad, a, __builtin_return_address(0));              \
    return __real___tsan_atomic##N##_load(a, mo);                               \
  }

#define RACELINGS_STORE(T, N)                                                      \
  extern "C" void __real___tsan_atomic##N##_store(volatile T* a, T v, morder mo);  \
  extern "C" void __wrap___tsan_atomic##N##_store(volatile T* a, T v, morder mo) { \
    atomic_point(Op::kAtomicStore, a, __builtin_return_address(0));                \
    __real___tsan_atomic##N##_store(a, v, mo);                                     \
  }

#define RACELINGS_RMW(T, N, NAME)                                                \
  extern "C" T __real___tsan_atomic##N##_##NAME(volatile T* a, T v, morder mo);  \
  extern "C" T __wrap___tsan_atomic##N##_##NAME(volatile T* a, T v, morder mo) { \
    atomic_point(Op::kAtomicRmw, a, __builtin_return_address(0));                \
    return __real___tsan_atomic##N##_##NAME(a, v, mo);                           \
  }

#define RACELINGS_CAS(T, N, NAME)                                                                                     \
  extern "C" int __real___tsan_atomic##N##_compare_exchange_##NAME(volatile T* a, T* c, T v, morder mo, morder fmo);  \
  extern "C" int __wrap___tsan_atomic##N##_compare_exchange_##NAME(volatile T* a, T* c, T v, morder mo, morder fmo) { \
    atomic_point(Op::kAtomicRmw, a, __builtin_return_address(0));                                                     \
    return __real___tsan_atomic##N##_compare_exchange_##NAME(a, c, v, mo, fmo);                                       \
  }

#define RACELINGS_CAS_VAL(T, N)                                                                                 \
  extern "C" T __real___tsan_atomic##N##_compare_exchange_val(volatile T* a, T c, T v, morder mo, morder fmo);  \
  extern "C" T __wrap___tsan_atomic##N##_compare_exchange_val(volatile T* a, T c, T v, morder mo, morder fmo) { \
    atomic_point(Op::kAtomicRmw, a, __builtin_return_address(0));                                               \
    return __real___tsan_atomic##N##_compare_exchange_val(a, c, v, mo, fmo);                                    \
  }

#define RACELINGS_ALL(T, N)       \
  RACELINGS_LOAD(T, N)            \
  RACELINGS_STORE(T, N)           \
  RACELINGS_RMW(T, N, exchange)   \
  RACELINGS_RMW(T, N, fetch_add)  \
  RACELINGS_RMW(T, N, fetch_sub)  \
  RACELINGS_RMW(T, N, fetch_and)  \
  RACELINGS_RMW(T, N, fetch_or)   \
  RACELINGS_RMW(T, N, fetch_xor)  \
  RACELINGS_RMW(T, N, fetch_nand) \
  RACELINGS_CAS(T, N, strong)     \
  RACELINGS_CAS(T, N, weak)       \
  RACELINGS_CAS_VAL(T, N)

RACELINGS_ALL(__tsan_atomic8, 8)
RACELINGS_ALL(__tsan_atomic16, 16)
RACELINGS_ALL(__tsan_atomic32, 32)
RACELINGS_ALL(__tsan_atomic64, 64)
#if __TSAN_HAS_INT128
RACELINGS_ALL(__tsan_atomic128, 128)
#endif

#endif  // RACELINGS_TSAN_ATOMICS
