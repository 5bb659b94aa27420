// core.h
// -----------------------------------------------------------------------------
//
// The runtime's internal interface: what a task is to the scheduler
// (`TaskHeader`), how a suspended task is woken (`RuntimeCore::wake`), and
// where the awaitables of this package record what a task waits for, so that
// a deadlock report can name it. Programs use task.h, runtime.h and the other
// headers of this package and never this one.
//
// The model. A *task* is a chain of coroutine frames run by the runtime: the
// root frame (what was spawned) and the frames it awaits, linked by symmetric
// transfer. Only the innermost frame ever suspends for real, inside one of
// this package's awaitables (a sleep, a lock, a receive, a join). Before it
// suspends, the awaitable stores where to resume (`resume_point`), what it
// waits for and where (`wait_what`, `wait_where`), and registers the task
// with whatever will end the wait. That thing wakes the task exactly once; a
// wake puts the task on its runtime's run queue, and a worker resumes it.
// An awaitable whose frame is destroyed before it was resumed (an aborted
// task, a dropped Task, a runtime shut down) unregisters in its destructor,
// so nothing wakes a dead frame.
//
// Rust equivalent: tokio's `runtime::task` (the header, the state word, the
// waker) and `Future::poll`; here the poll is `coroutine_handle::resume()`.

#ifndef RACELINGS_PRIMITIVES_ASYNC_CORE_H_
#define RACELINGS_PRIMITIVES_ASYNC_CORE_H_

#include <atomic>
#include <chrono>
#include <coroutine>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <mutex>
#include <source_location>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>

#include "primitives/async/timer_heap.h"
#include "primitives/detector.h"
#include "primitives/plain_mutex.h"
#include "primitives/thread_annotations.h"

namespace racelings {
namespace async {

// NoRuntimeError: an operation that needs a runtime task (spawn, sleep, a
// lock or channel await, join_all, yield_now) was used outside one, or
// block_on was called from inside a task. Rust: tokio's panic "there is no
// reactor running, must be called from the context of a Tokio runtime".
class NoRuntimeError : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

namespace internal {

// Every awaitable of this package derives from this tag. Task and stream
// promises accept only such awaitables in `co_await`: a foreign awaitable
// would suspend a task without telling the runtime, which could then never
// resume it (or would resume it on a thread it does not know).
struct KnownAwaitable {};

// Marks a wait that ends only when other tasks end (a JoinHandle, join_all):
// a deadlock report's summary prefers a task that waits for something else.
struct JoinWait {};

template <typename A>
concept RuntimeAwaitable = std::is_base_of_v<KnownAwaitable, std::remove_cvref_t<A>>;

// The location of the `co_await` being evaluated on this thread, written by
// the promise's await_transform just before the awaitable's await_suspend
// runs on the same thread. Thread-local: never shared.
inline thread_local std::source_location tls_await_site{};

// A value slot for every T, void included.
template <typename T>
using Stored = std::conditional_t<std::is_void_v<T>, std::monostate, T>;

class RuntimeCore;
class JoinGroup;
class MutexCore;

// The async mutexes' lock table (mutex.cc): guards every async mutex's state
// and each task's `waiting_for_mutex`. A plain global (constant-initialized,
// never destroyed), so that mutexes with static storage may use it in any order.
extern ::racelings::internal::PlainMutex lock_table_mu;

// The task state word (TaskHeader::state).
//   idle:         suspended, registered with whatever will wake it
//   kScheduled:   on a run queue
//   kRunning:     a worker is resuming it
//   kNotified:    woken while running: run it again once it suspends
//   kCancelled:   abort() was called: destroy the frames instead of resuming
//   kComplete:    finished (returned, threw or cancelled); never changes again
inline constexpr uint32_t kScheduled = 1;
inline constexpr uint32_t kRunning = 2;
inline constexpr uint32_t kNotified = 4;
inline constexpr uint32_t kCancelled = 8;
inline constexpr uint32_t kComplete = 16;

// Why a task exists, for reports.
enum class TaskKind { kSpawned, kBlockOn, kJoinChild };

// What the scheduler knows about a task. Reference counted: the runtime holds
// one reference while the task is alive, each JoinHandle and join_all group
// one more.
class TaskHeader {
 public:
  TaskHeader(RuntimeCore* rt, TaskKind kind, std::source_location spawned_at);
  virtual ~TaskHeader() = default;
  TaskHeader(const TaskHeader&) = delete;
  TaskHeader& operator=(const TaskHeader&) = delete;

  // Relaxed increment: a new reference is made from an existing one.
  void add_ref() noexcept { refs_.fetch_add(1, std::memory_order_relaxed); }
  // Acq_rel decrement: the last owner sees every other owner's writes before
  // it deletes the header.
  void release() noexcept {
    if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
  }

  // The task's root coroutine is done: take its result, destroy its frame.
  virtual void finish() noexcept = 0;
  // Destroy the unfinished frames (abort, shutdown); the outcome is "cancelled".
  virtual void cancel() noexcept = 0;
  // Whether the root coroutine has returned (only its runner may ask).
  virtual bool root_done() const noexcept = 0;
  // Where the root coroutine starts.
  virtual std::coroutine_handle<> root() const noexcept = 0;

  bool is_complete() const noexcept { return (state.load(std::memory_order_acquire) & kComplete) != 0; }

  // "Task #3 (spawned at seed_test.cc:40)"
  std::string describe() const;
  // "task #3"
  std::string short_name() const;

  // ---- Scheduling (see the state constants above) ----
  // Starts as kScheduled: schedule_new() queues it. Changed by CAS loops in
  // runtime.cc, each acq_rel: a transition publishes what its thread wrote
  // (the awaitable's fields, a message handed over) to the thread that makes
  // the next one (the runner that resumes the task).
  std::atomic<uint32_t> state{kScheduled};
  // Where the next resume starts. Written by the task itself before it
  // suspends; read by the worker that resumes it, after the run queue (a
  // mutex) ordered the two.
  std::coroutine_handle<> resume_point;
  TaskHeader* queue_next = nullptr;  // Run queue link; guarded by the runtime's mutex.
  TaskHeader* live_prev = nullptr;   // Live-task list links; guarded by the runtime's mutex.
  TaskHeader* live_next = nullptr;
  bool in_live_list = false;  // Guarded by the runtime's mutex.
  RuntimeCore* const rt;

  // ---- Identity, for reports ----
  const uint64_t id;
  const TaskKind kind;
  const std::source_location spawned_at;
  uint64_t parent_id = 0;  // join_all children: the awaiting task.
  int child_index = 0;     // join_all children: position in the group.
  int child_count = 0;

  // ---- What the task waits for ----
  // Written by the task while it runs (just before it suspends); read for a
  // report only while every task is suspended and the runtime's mutex shows
  // that no worker runs any (see RuntimeCore), so never concurrently.
  const detector::Waitable* wait_what = nullptr;
  std::source_location wait_where{};
  // The async mutex this task waits for.
  const MutexCore* waiting_for_mutex GUARDED_BY(lock_table_mu) = nullptr;

  // ---- Completion ----
  ::racelings::internal::PlainMutex done_mu;
  TaskHeader* join_waiter GUARDED_BY(done_mu) = nullptr;  // The task awaiting our JoinHandle.
  JoinGroup* group = nullptr;         // Set before the task starts: the join_all that owns it.
  bool block_on_root = false;         // Set before the task starts.
  // The join_all this task awaits right now. While its children run, an
  // abort() of this task is forwarded to them and the frames wait for them.
  // Release store once the group holds all its children, acquire load by the
  // worker that cancels the task, so it sees them.
  std::atomic<JoinGroup*> child_group{nullptr};

 private:
  std::atomic<int32_t> refs_{1};
};

// A counted reference to a task header.
class TaskRef {
 public:
  TaskRef() = default;
  explicit TaskRef(TaskHeader* adopt) noexcept : t_(adopt) {}
  TaskRef(const TaskRef& o) noexcept : t_(o.t_) {
    if (t_ != nullptr) t_->add_ref();
  }
  TaskRef(TaskRef&& o) noexcept : t_(std::exchange(o.t_, nullptr)) {}
  TaskRef& operator=(TaskRef o) noexcept {
    std::swap(t_, o.t_);
    return *this;
  }
  ~TaskRef() {
    if (t_ != nullptr) t_->release();
  }
  TaskHeader* get() const noexcept { return t_; }
  TaskHeader* operator->() const noexcept { return t_; }
  explicit operator bool() const noexcept { return t_ != nullptr; }

 private:
  TaskHeader* t_ = nullptr;
};

// The task the calling thread is running, or nullptr outside tasks.
TaskHeader* current_task() noexcept;

// The task the calling thread runs; throws NoRuntimeError naming `what`.
TaskHeader& require_task(const char* what);

// The runtime of the calling thread (a worker, or a thread inside block_on),
// or nullptr.
RuntimeCore* current_runtime() noexcept;

// Records, in the running task, what it is about to wait for and where, and
// where to resume it. Call from await_suspend, before registering the task
// with whatever will wake it.
inline void prepare_wait(TaskHeader& t, std::coroutine_handle<> h, const detector::Waitable& what) noexcept {
  t.resume_point = h;
  t.wait_what = &what;
  t.wait_where = tls_await_site;
}

// Wakes a suspended task: it will be resumed by a worker of its runtime. A
// task is woken exactly once per suspension, by the one thing it waits for.
// Never blocks for long (takes the runtime's queue mutex).
// Memory ordering: what the waker wrote before wake() is visible to the task
// when it resumes.
void wake(TaskHeader& t) noexcept;

// Registers a new task with `rt` and queues it to run.
void schedule_new(RuntimeCore& rt, TaskHeader& t);

// Asks for `t` to be cancelled at its next suspension (see JoinHandle::abort).
void abort_task(TaskHeader& t) noexcept;

// Timers: a TimerNode (timer_heap.h) lives inside a sleeping task's awaitable.
void add_timer(RuntimeCore& rt, TimerNode& node);
// Removes the node if it has not fired; returns whether it had fired.
bool remove_timer(RuntimeCore& rt, TimerNode& node) noexcept;

}  // namespace internal
}  // namespace async
}  // namespace racelings

#endif  // RACELINGS_PRIMITIVES_ASYNC_CORE_H_
