// runtime.h
// -----------------------------------------------------------------------------
//
// The runtime that runs Tasks. `Runtime` owns worker threads (or, with
// `Runtime::current_thread()`, none: everything runs on the thread that calls
// `block_on`). `block_on(task)` runs a task to its end and returns its value;
// `spawn(task)` starts a task that runs concurrently and returns a
// `JoinHandle<T>`, which `co_await` turns into the task's value (or its
// exception, thrown again). `yield_now()` lets other tasks run.
//
// Differences from tokio: a spawned task whose JoinHandle is dropped keeps
// running (detached), as in tokio; `abort()` cancels a task at its next
// suspension by destroying its coroutine frames (every local's destructor
// runs, so guards unlock and sleeps are cancelled) and the JoinHandle then
// throws `JoinError` (cancelled). A task that throws prints
// "racelings: task #N ... threw an exception" at once, like a panicking
// tokio task. When the runtime is destroyed, the tasks still alive are
// destroyed too (newest first), as tokio drops them at shutdown.
//
// Deadlocks: when block_on waits and every task of the runtime waits too, with
// nothing runnable and no timer pending, the runtime prints a report
// (`WARNING: racelings: deadlock (all tasks are blocked)`, format in
// primitives/REPORTS.md, examples in primitives/async/README.md) naming each
// task, what it awaits and the
// line of its `co_await`, and ends the program with exit code 66. Idle workers
// and a waiting block_on are also visible to the thread deadlock detector.
//
// This header holds `Runtime`, `JoinHandle<T>`, `JoinError`, `spawn` and
// `yield_now`.
//
// Rust equivalent: tokio (seeds 000, 002):
//
//   #[tokio::main] async fn main() { ... }         // int main() { Runtime rt; rt.block_on(async_main()); }
//   let rt = Builder::new_current_thread()...      // auto rt = Runtime::current_thread();
//   let handle = tokio::spawn(async { f().await }); // auto handle = spawn(f());
//   let v = handle.await.unwrap();                  // auto v = co_await handle;  // throws what f threw
//   handle.abort();                                 // handle.abort();
//   tokio::task::yield_now().await;                 // co_await yield_now();

#ifndef RACELINGS_PRIMITIVES_ASYNC_RUNTIME_H_
#define RACELINGS_PRIMITIVES_ASYNC_RUNTIME_H_

#include <concepts>
#include <coroutine>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <source_location>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>

#include "primitives/async/core.h"
#include "primitives/async/task.h"
#include "primitives/detector.h"
#include "primitives/result.h"

namespace racelings {
namespace async {

// JoinError: why a JoinHandle gives no value: the task was cancelled (abort()
// or the runtime shut down), or it threw (a "panic" in tokio's words; the
// exception is kept). Rust: `tokio::task::JoinError`.
class JoinError : public std::runtime_error {
 public:
  enum class Kind { kCancelled, kPanic };
  explicit JoinError(Kind kind, std::exception_ptr panic = nullptr)
      : std::runtime_error(kind == Kind::kCancelled ? "task was cancelled" : "task threw an exception"),
        kind_(kind),
        panic_(std::move(panic)) {}
  bool is_cancelled() const { return kind_ == Kind::kCancelled; }
  bool is_panic() const { return kind_ == Kind::kPanic; }
  // The exception the task threw (is_panic() only).
  const std::exception_ptr& panic() const { return panic_; }
  [[noreturn]] void resume_panic() const { std::rethrow_exception(panic_); }

 private:
  Kind kind_;
  std::exception_ptr panic_;
};

namespace internal {

struct Cancelled {};

// Prints "racelings: task #N (spawned at f.cc:3) threw an exception: what".
void print_task_exception(const TaskHeader& t, const std::exception_ptr& e) noexcept;

// Where a finished task's outcome waits for its JoinHandle or join_all. Written
// by the task's runner before the task is marked complete (a release store of
// the state), read after is_complete() (an acquire load).
template <typename T>
class ResultCell : public TaskHeader {
 public:
  using TaskHeader::TaskHeader;

  // The value, or what the task threw thrown again, or JoinError (cancelled).
  // Only once.
  Stored<T> take_value() {
    if (taken_) throw std::logic_error("the result of this task was already taken (JoinHandle awaited twice)");
    taken_ = true;
    switch (outcome_.index()) {
      case 1:
        return std::move(std::get<1>(outcome_));
      case 2:
        std::rethrow_exception(std::get<2>(outcome_));
      default:
        throw JoinError(JoinError::Kind::kCancelled);
    }
  }
  Result<T, JoinError> take_result() {
    if (taken_) throw std::logic_error("the result of this task was already taken (JoinHandle awaited twice)");
    taken_ = true;
    switch (outcome_.index()) {
      case 1:
        if constexpr (std::is_void_v<T>) {
          return Result<void, JoinError>();
        } else {
          return Result<T, JoinError>(std::move(std::get<1>(outcome_)));
        }
      case 2:
        return Result<T, JoinError>(Err, JoinError::Kind::kPanic, std::get<2>(outcome_));
      default:
        return Result<T, JoinError>(Err, JoinError::Kind::kCancelled);
    }
  }
  std::exception_ptr exception() const { return outcome_.index() == 2 ? std::get<2>(outcome_) : nullptr; }

 protected:
  std::variant<std::monostate, Stored<T>, std::exception_ptr, Cancelled> outcome_;
  bool taken_ = false;  // Only the JoinHandle's owner (or join_all) touches it.
};

// The callable that made a task's Task, kept alive with the task.
template <typename F>
struct FnSlot {
  std::optional<F> fn;
};
template <>
struct FnSlot<void> {};

// A task's header together with its coroutine. `F` is the callable that made
// the Task (kept alive so that a coroutine lambda's captures outlive the
// frame), or void when a Task was given directly.
template <typename T, typename F>
class TaskCell final : public ResultCell<T> {
 public:
  using Handle = std::coroutine_handle<TaskPromise<T>>;

  TaskCell(RuntimeCore* rt, TaskKind kind, std::source_location where, Task<T> task)
    requires std::is_void_v<F>
      : ResultCell<T>(rt, kind, where), handle_(TaskAccess::release(task)) {
    if (!handle_) throw EmptyTaskError("spawn/block_on of an empty Task (moved from or default-constructed)");
  }
  template <typename G>
  TaskCell(RuntimeCore* rt, TaskKind kind, std::source_location where, G&& f)
    requires(!std::is_void_v<F>)
      : ResultCell<T>(rt, kind, where) {
    fn_.fn.emplace(std::forward<G>(f));
    Task<T> task = std::invoke(*fn_.fn);
    handle_ = TaskAccess::release(task);
    if (!handle_) throw EmptyTaskError("spawn/block_on of a callable that returned an empty Task");
  }
  ~TaskCell() override {
    if (handle_) handle_.destroy();
  }

  void finish() noexcept override {
    try {
      if constexpr (std::is_void_v<T>) {
        handle_.promise().take();
        this->outcome_.template emplace<1>();
      } else {
        this->outcome_.template emplace<1>(handle_.promise().take());
      }
    } catch (...) {
      this->outcome_.template emplace<2>(std::current_exception());
      if (this->kind == TaskKind::kSpawned) print_task_exception(*this, std::get<2>(this->outcome_));
    }
    drop_frame();
  }
  void cancel() noexcept override {
    drop_frame();
    this->outcome_.template emplace<3>();
  }
  bool root_done() const noexcept override { return handle_.done(); }
  std::coroutine_handle<> root() const noexcept override { return handle_; }

 private:
  void drop_frame() noexcept {
    if (handle_) std::exchange(handle_, nullptr).destroy();
    if constexpr (!std::is_void_v<F>) fn_.fn.reset();
  }

  [[no_unique_address]] FnSlot<F> fn_;
  Handle handle_;
};

// The Task type a callable returns, and its value type.
template <typename F>
using TaskOf = std::invoke_result_t<std::decay_t<F>&>;

template <typename X>
struct IsTask : std::false_type {};
template <typename T>
struct IsTask<Task<T>> : std::true_type {};

template <typename F>
concept TaskFactory = std::invocable<std::decay_t<F>&> && IsTask<TaskOf<F>>::value;

// The runtime behind a Runtime object (runtime.cc).
struct RuntimeCoreDeleter {
  void operator()(RuntimeCore* core) const noexcept;
};
RuntimeCore* new_runtime_core(size_t worker_threads, bool current_thread);
size_t worker_count(const RuntimeCore& core) noexcept;
bool is_current_thread(const RuntimeCore& core) noexcept;
// Runs `root` to its end (the calling thread drives a current-thread runtime,
// or waits for the workers) and keeps the calling thread's reference.
void run_block_on(RuntimeCore& core, TaskHeader& root);

template <typename T>
T take_value_of(ResultCell<T>& cell) {
  if constexpr (std::is_void_v<T>) {
    cell.take_value();
  } else {
    return cell.take_value();
  }
}

}  // namespace internal

// JoinHandle<T>: the handle of a spawned task. Move-only. Dropping it detaches
// the task (it keeps running). Rust: `tokio::task::JoinHandle<T>`.
template <typename T>
class [[nodiscard]] JoinHandle : internal::KnownAwaitable {
 public:
  JoinHandle() = default;
  JoinHandle(JoinHandle&& other) noexcept : cell_(std::exchange(other.cell_, nullptr)) {}
  JoinHandle& operator=(JoinHandle&& other) noexcept {
    if (this != &other) {
      reset();
      cell_ = std::exchange(other.cell_, nullptr);
    }
    return *this;
  }
  JoinHandle(const JoinHandle&) = delete;
  JoinHandle& operator=(const JoinHandle&) = delete;

  // JoinHandle<T>::~JoinHandle(): detaches: the task runs on, its result is
  // dropped. Never blocks.
  ~JoinHandle() { reset(); }

  // co_await handle: suspends until the task has finished, then gives its
  // value, or throws what it threw, or JoinError if it was cancelled. Only
  // once (a second await throws std::logic_error).
  // Memory ordering: everything the task wrote is visible after the await.
  auto operator co_await() & { return Awaiter(checked()); }
  auto operator co_await() && { return Awaiter(checked()); }

  // JoinHandle<T>::join_result(): `co_await h.join_result()` gives a
  // Result<T, JoinError> instead of throwing. Rust: `handle.await`.
  auto join_result() { return JoinResult(checked()); }

  // JoinHandle<T>::abort(): asks for the task to be cancelled. A task that is
  // suspended is destroyed before it runs again; a running task at its next
  // suspension; a finished task is not affected. Never blocks. Children of a
  // join_all the task awaits are cancelled first. Rust: `JoinHandle::abort`.
  void abort() {
    if (cell_ != nullptr) internal::abort_task(*cell_);
  }

  // JoinHandle<T>::is_finished(): whether the task has finished (returned,
  // thrown, or been cancelled).
  bool is_finished() const { return cell_ != nullptr && cell_->is_complete(); }

  // JoinHandle<T>::is_suspended(): whether the task is suspended, registered
  // with what it awaits (neither queued, running, nor finished). For tests
  // that wait until a task is parked; the answer may change at once.
  bool is_suspended() const { return cell_ != nullptr && cell_->state.load(std::memory_order_acquire) == 0; }

  // JoinHandle<T>::id(): the number reports use ("task #3").
  uint64_t id() const { return cell_ != nullptr ? cell_->id : 0; }

  // JoinHandle<T>::detach(): drops the handle now (as the destructor does).
  void detach() { reset(); }

  // For the runtime.
  explicit JoinHandle(internal::ResultCell<T>* adopted) noexcept : cell_(adopted) {}

 private:
  internal::ResultCell<T>* checked() const {
    if (cell_ == nullptr) throw std::logic_error("co_await on an empty JoinHandle (moved from or detached)");
    return cell_;
  }
  void reset() noexcept {
    if (cell_ != nullptr) std::exchange(cell_, nullptr)->release();
  }

  // Waits for the cell to complete: registers the awaiting task as the
  // cell's join waiter, which completion wakes.
  class WaitBase : public detector::Waitable, public internal::JoinWait {
   public:
    explicit WaitBase(internal::ResultCell<T>* cell) : cell_(cell) {}
    WaitBase(const WaitBase&) = delete;
    WaitBase& operator=(const WaitBase&) = delete;
    ~WaitBase() override {
      if (waiter_ != nullptr) {
        // Destroyed while suspended (the awaiting task was cancelled).
        ::racelings::internal::PlainLock lock(cell_->done_mu);
        if (cell_->join_waiter == waiter_) cell_->join_waiter = nullptr;
      }
    }
    bool await_ready() const noexcept { return cell_->is_complete(); }
    bool await_suspend(std::coroutine_handle<> h) {
      internal::TaskHeader& me = internal::require_task("co_await on a JoinHandle");
      ::racelings::internal::PlainLock lock(cell_->done_mu);
      if (cell_->is_complete()) return false;
      if (cell_->join_waiter != nullptr) throw std::logic_error("a JoinHandle is awaited by two tasks at once");
      internal::prepare_wait(me, h, *this);
      cell_->join_waiter = &me;
      waiter_ = &me;
      return true;
    }
    std::string describe_wait() const override {
      return "waits for " + cell_->describe() + " to finish (co_await on its JoinHandle)";
    }

   protected:
    internal::ResultCell<T>* cell_;
    internal::TaskHeader* waiter_ = nullptr;  // Set while suspended; the completer wakes it.
  };

  class Awaiter : public WaitBase {
   public:
    using WaitBase::WaitBase;
    T await_resume() {
      this->waiter_ = nullptr;  // Woken: the completer unregistered us.
      return internal::take_value_of<T>(*this->cell_);
    }
  };

  class JoinResultAwaiter : public WaitBase {
   public:
    using WaitBase::WaitBase;
    Result<T, JoinError> await_resume() {
      this->waiter_ = nullptr;
      return this->cell_->take_result();
    }
  };

  class JoinResult : public internal::KnownAwaitable {
   public:
    explicit JoinResult(internal::ResultCell<T>* cell) : cell_(cell) {}
    JoinResultAwaiter operator co_await() const { return JoinResultAwaiter(cell_); }

   private:
    internal::ResultCell<T>* cell_;
  };

  internal::ResultCell<T>* cell_ = nullptr;
};

// Runtime: runs tasks. Movable, not copyable. Rust: `tokio::runtime::Runtime`.
class Runtime {
 public:
  // Runtime::Runtime(): a multi-threaded runtime with `worker_threads` workers
  // (0: one per CPU), named "async-worker-<i>". Rust: `Runtime::new()`.
  explicit Runtime(size_t worker_threads = 0)
      : core_(internal::new_runtime_core(worker_threads, /*current_thread=*/false)) {}

  // Runtime::multi_thread(n): the same, spelled out.
  static Runtime multi_thread(size_t worker_threads) { return Runtime(worker_threads); }

  // Runtime::current_thread(): no worker threads: tasks run on the thread that
  // calls block_on, only while it does. Rust: `Builder::new_current_thread()`.
  static Runtime current_thread() { return Runtime(internal::new_runtime_core(0, /*current_thread=*/true)); }

  Runtime(Runtime&&) noexcept = default;
  Runtime& operator=(Runtime&&) noexcept = default;
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  // Runtime::~Runtime(): stops and joins the workers (blocks until the tasks
  // they are running suspend), then destroys every task still alive, newest
  // first; their JoinHandles then report cancellation.
  ~Runtime() = default;

  // Runtime::block_on(): runs `task` to its end and returns its value, or
  // throws what it threw. Blocks the calling thread; on a current-thread
  // runtime the calling thread runs every task meanwhile. Throws
  // NoRuntimeError when called from inside a task. If every task ends up
  // waiting with nothing to wake them, the program stops with a deadlock
  // report. Rust: `Runtime::block_on`.
  // Memory ordering: everything the task wrote is visible when it returns.
  template <typename T>
  T block_on(Task<T> task, std::source_location where = std::source_location::current()) {
    auto* cell = new internal::TaskCell<T, void>(core_.get(), internal::TaskKind::kBlockOn, where, std::move(task));
    return drive(cell);
  }
  // Runtime::block_on(f): the same with the Task that `f()` returns; `f` (a
  // coroutine lambda and its captures) is kept alive until the task ends.
  template <internal::TaskFactory F>
  auto block_on(F&& f, std::source_location where = std::source_location::current()) {
    using T = typename internal::TaskOf<F>::value_type;
    auto* cell = new internal::TaskCell<T, std::decay_t<F>>(core_.get(), internal::TaskKind::kBlockOn, where,
                                                            std::forward<F>(f));
    return drive(cell);
  }

  // Runtime::spawn(): starts `task` on this runtime (from any thread; on a
  // current-thread runtime it runs during the next block_on). Never blocks.
  template <typename T>
  JoinHandle<T> spawn(Task<T> task, std::source_location where = std::source_location::current()) {
    return start(new internal::TaskCell<T, void>(core_.get(), internal::TaskKind::kSpawned, where, std::move(task)));
  }
  template <internal::TaskFactory F>
  auto spawn(F&& f, std::source_location where = std::source_location::current()) {
    using T = typename internal::TaskOf<F>::value_type;
    return start(new internal::TaskCell<T, std::decay_t<F>>(core_.get(), internal::TaskKind::kSpawned, where,
                                                            std::forward<F>(f)));
  }

  // Runtime::worker_count(): the number of worker threads (0 for current_thread).
  size_t worker_count() const { return internal::worker_count(*core_); }
  bool is_current_thread() const { return internal::is_current_thread(*core_); }

 private:
  explicit Runtime(internal::RuntimeCore* core) : core_(core) {}

  template <typename T>
  T drive(internal::ResultCell<T>* cell) {
    cell->block_on_root = true;
    cell->add_ref();  // Ours, besides the runtime's.
    internal::TaskRef keep(cell);
    internal::run_block_on(*core_, *cell);
    return internal::take_value_of<T>(*cell);
  }

  template <typename T>
  JoinHandle<T> start(internal::ResultCell<T>* cell) {
    cell->add_ref();  // The handle's, besides the runtime's.
    JoinHandle<T> handle(cell);
    internal::schedule_new(*core_, *cell);
    return handle;
  }

  std::unique_ptr<internal::RuntimeCore, internal::RuntimeCoreDeleter> core_;
};

// spawn(): starts `task` on the runtime of the calling task (or of the thread
// inside block_on). Throws NoRuntimeError elsewhere. Rust: `tokio::spawn`.
template <typename T>
JoinHandle<T> spawn(Task<T> task, std::source_location where = std::source_location::current()) {
  internal::RuntimeCore* rt = internal::current_runtime();
  if (rt == nullptr) throw NoRuntimeError("spawn() called outside a racelings::async runtime (use Runtime::spawn)");
  auto* cell = new internal::TaskCell<T, void>(rt, internal::TaskKind::kSpawned, where, std::move(task));
  cell->add_ref();
  JoinHandle<T> handle(cell);
  internal::schedule_new(*rt, *cell);
  return handle;
}
template <internal::TaskFactory F>
auto spawn(F&& f, std::source_location where = std::source_location::current()) {
  using T = typename internal::TaskOf<F>::value_type;
  internal::RuntimeCore* rt = internal::current_runtime();
  if (rt == nullptr) throw NoRuntimeError("spawn() called outside a racelings::async runtime (use Runtime::spawn)");
  auto* cell = new internal::TaskCell<T, std::decay_t<F>>(rt, internal::TaskKind::kSpawned, where, std::forward<F>(f));
  cell->add_ref();
  JoinHandle<T> handle(cell);
  internal::schedule_new(*rt, *cell);
  return handle;
}

namespace internal {

// The awaitable of yield_now().
class YieldNow : public KnownAwaitable, public detector::Waitable {
 public:
  bool await_ready() const noexcept { return false; }
  bool await_suspend(std::coroutine_handle<> h) {
    TaskHeader& me = require_task("yield_now()");
    prepare_wait(me, h, *this);
    wake(me);  // Running: marks it to run again, behind the tasks already queued.
    return true;
  }
  void await_resume() const noexcept {}
  std::string describe_wait() const override { return "yields (it is runnable)"; }
};

}  // namespace internal

// yield_now(): `co_await yield_now()` lets the other queued tasks run first,
// then continues. Rust: `tokio::task::yield_now().await`.
inline internal::YieldNow yield_now() { return {}; }

}  // namespace async
}  // namespace racelings

#endif  // RACELINGS_PRIMITIVES_ASYNC_RUNTIME_H_
