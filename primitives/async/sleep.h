// sleep.h
// -----------------------------------------------------------------------------
//
// Timers: `co_await sleep_for(d)` suspends the calling task for at least `d`;
// `co_await sleep_until(t)` until the steady clock reaches `t` (at once if it
// already has). No thread sleeps per timer: each runtime keeps one heap of
// deadlines and one idle worker (or the current-thread runtime's block_on)
// waits for the earliest. Timers with the same deadline fire in the order
// they were set. A sleeping task that is aborted has its timer removed.
//
// A pending timer counts as a way out of a deadlock: while one is set, the
// runtime never reports "all tasks are blocked".
//
// This header holds `sleep_for` and `sleep_until`.
//
// Rust equivalent: `tokio::time` (seed 002):
//
//   tokio::time::sleep(Duration::from_secs(1)).await;   // co_await sleep_for(std::chrono::seconds(1));
//   tokio::time::sleep_until(Instant::now() + d).await;  // co_await sleep_until(steady_clock::now() + d);

#ifndef RACELINGS_PRIMITIVES_ASYNC_SLEEP_H_
#define RACELINGS_PRIMITIVES_ASYNC_SLEEP_H_

#include <chrono>
#include <coroutine>
#include <string>

#include "primitives/async/core.h"
#include "primitives/detector.h"

namespace racelings {
namespace async {
namespace internal {

// The awaitable of sleep_for/sleep_until; its TimerNode sits in the runtime's
// heap while the task sleeps.
class Sleep : public KnownAwaitable, public detector::Waitable {
 public:
  explicit Sleep(std::chrono::steady_clock::time_point deadline) { node_.deadline = deadline; }
  Sleep(const Sleep&) = delete;
  Sleep& operator=(const Sleep&) = delete;

  // Destroyed while still sleeping (task aborted, runtime shut down): the
  // timer is removed so that it never wakes a dead frame.
  ~Sleep() override {
    if (rt_ != nullptr) remove_timer(*rt_, node_);
  }

  bool await_ready() const noexcept { return node_.deadline <= std::chrono::steady_clock::now(); }
  bool await_suspend(std::coroutine_handle<> h) {
    TaskHeader& me = require_task("sleep_for()/sleep_until()");
    prepare_wait(me, h, *this);
    node_.task = &me;
    rt_ = me.rt;
    add_timer(*rt_, node_);
    return true;
  }
  // The timer fired (it left the heap before the wake): nothing to remove.
  void await_resume() noexcept { rt_ = nullptr; }

  std::string describe_wait() const override {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(node_.deadline -
                                                                      std::chrono::steady_clock::now());
    return "sleeps (its timer fires in " + std::to_string(left.count()) + " ms)";
  }

 private:
  TimerNode node_;
  RuntimeCore* rt_ = nullptr;  // Set while the timer is in the heap.
};

}  // namespace internal

// sleep_until(): `co_await sleep_until(deadline)` suspends the task until the
// steady clock reaches `deadline`; a deadline in the past does not suspend.
// Throws NoRuntimeError outside a task.
// Memory ordering: none beyond the task's own.
inline internal::Sleep sleep_until(std::chrono::steady_clock::time_point deadline) { return internal::Sleep(deadline); }

// sleep_for(): `co_await sleep_for(d)` suspends the task for at least `d`.
template <typename Rep, typename Period>
internal::Sleep sleep_for(std::chrono::duration<Rep, Period> d) {
  return internal::Sleep(std::chrono::steady_clock::now() + std::chrono::ceil<std::chrono::steady_clock::duration>(d));
}

}  // namespace async
}  // namespace racelings

#endif  // RACELINGS_PRIMITIVES_ASYNC_SLEEP_H_
