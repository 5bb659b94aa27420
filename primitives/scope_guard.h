// scope_guard.h
// -----------------------------------------------------------------------------
//
// `ScopeGuard`: runs a cleanup when it leaves scope, whether by return or by
// exception. Use it to make sure a lock is given back, a counter restored, a
// file closed, on every path out of a function.
//
// Rust equivalent: a type with `impl Drop` (seed 002's `CleanupGuard`):
//
//   struct CleanupGuard<T>(Arc<Mutex<T>>);          // auto cleanup = defer([&] {
//   impl<T> Drop for CleanupGuard<T> {              //   auto data = shared->lock();
//       fn drop(&mut self) { ... }                  //   data->clear();
//   }                                               // });

#ifndef RACELINGS_PRIMITIVES_SCOPE_GUARD_H_
#define RACELINGS_PRIMITIVES_SCOPE_GUARD_H_

#include <utility>

namespace racelings {

template <typename F>
class [[nodiscard]] ScopeGuard {
 public:
  explicit ScopeGuard(F cleanup) : cleanup_(std::move(cleanup)) {}
  ScopeGuard(ScopeGuard&& other) noexcept
      : cleanup_(std::move(other.cleanup_)), active_(std::exchange(other.active_, false)) {}
  ScopeGuard(const ScopeGuard&) = delete;
  ScopeGuard& operator=(const ScopeGuard&) = delete;
  ScopeGuard& operator=(ScopeGuard&&) = delete;

  // Runs the cleanup unless dismissed. A cleanup that throws during stack
  // unwinding would terminate the program, so cleanups must not throw.
  ~ScopeGuard() {
    if (active_) cleanup_();
  }

  // ScopeGuard::dismiss(): the cleanup will not run (the work succeeded).
  void dismiss() { active_ = false; }

 private:
  F cleanup_;
  bool active_ = true;
};

// defer(): `auto guard = defer([&] { cleanup(); });`
template <typename F>
ScopeGuard<F> defer(F cleanup) {
  return ScopeGuard<F>(std::move(cleanup));
}

}  // namespace racelings

#endif  // RACELINGS_PRIMITIVES_SCOPE_GUARD_H_
