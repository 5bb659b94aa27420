// once_lock.h
// -----------------------------------------------------------------------------
//
// `OnceLock<T>`: a value written at most once, then read by any thread
// without locking: lazy initialisation done right. `get_or_init(f)` returns
// the value, running `f` first if nobody has; concurrent callers wait for that
// one run. If `f` throws, the cell stays empty and the next caller tries again.
//
// Differences from a function-local `static`: the value can live anywhere
// (a member, a heap object), can be set from outside with `set()`, and can
// be asked whether it is there with `get()`.
//
// Rust equivalent: `std::sync::OnceLock<T>`, the safe form of seed 002's
// `static mut SINGLETON` + `Once` pattern:
//
//   static SINGLETON: OnceLock<Arc<MyService>> = OnceLock::new();
//   SINGLETON.get_or_init(|| Arc::new(MyService::new()))
//
//   static OnceLock<std::shared_ptr<MyService>> singleton;
//   singleton.get_or_init([] { return std::make_shared<MyService>(); });

#ifndef RACELINGS_PRIMITIVES_ONCE_LOCK_H_
#define RACELINGS_PRIMITIVES_ONCE_LOCK_H_

#include <optional>
#include <source_location>
#include <utility>

#include "primitives/once.h"

namespace racelings {

template <typename T>
class OnceLock {
 public:
  OnceLock() = default;
  OnceLock(const OnceLock&) = delete;
  OnceLock& operator=(const OnceLock&) = delete;

  // OnceLock<T>::get(): the value, or nullptr if it is not set yet. Never blocks.
  const T* get() const { return once_.is_completed() ? &*value_ : nullptr; }

  // OnceLock<T>::get_or_init(): the value, computing it with `f` if no one
  // has. Blocks while another thread computes it. Rethrows what `f` throws.
  template <typename F>
  const T& get_or_init(F&& f, std::source_location where = std::source_location::current()) {
    once_.call_once([&] { value_.emplace(std::forward<F>(f)()); }, where);
    return *value_;
  }

  // OnceLock<T>::set(): stores `value` if the cell is empty. Returns false
  // (and drops `value`) if it was already set. Rust returns Err(value).
  bool set(T value, std::source_location where = std::source_location::current()) {
    bool stored = false;
    once_.call_once(
        [&] {
          value_.emplace(std::move(value));
          stored = true;
        },
        where);
    return stored;
  }

  // OnceLock<T>::into_inner(): the value, if set; consumes the cell.
  std::optional<T> into_inner() && { return once_.is_completed() ? std::move(value_) : std::nullopt; }

 private:
  // Written once inside once_, read only after once_ completed (acquire).
  std::optional<T> value_;
  Once once_{Once::OnFailure::kRetry};
};

}  // namespace racelings

#endif  // RACELINGS_PRIMITIVES_ONCE_LOCK_H_
