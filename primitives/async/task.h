// task.h
// -----------------------------------------------------------------------------
//
// `Task<T>`: the return type of an async function. A coroutine declared to
// return `Task<T>` does not start when called: it runs when it is awaited
// (`co_await task`), spawned (`spawn(task)`) or driven by `block_on`. What it
// `co_return`s is what `co_await` gives; what it throws is stored and thrown
// again where it is awaited.
//
// Differences from Rust futures: a Task is a coroutine frame, not a state
// machine value: it lives on the heap, and dropping a Task destroys the frame
// (its locals' destructors run), like dropping a future. Awaiting a moved-from
// or default-constructed Task throws `EmptyTaskError` (Rust cannot express
// it). Awaiting one Task from another runs it on the same runtime task, with
// symmetric transfer: a loop that awaits a million tasks that finish at once
// does not grow the stack. Inside a Task only this package's awaitables may
// be awaited (others would suspend the task behind the runtime's back): the
// compiler says so.
//
// Borrowing: a Task's parameters are copied into its frame, but references
// stay references. Pass by value what must outlive the caller (Rust's
// `async move`), and never write a coroutine lambda with captures unless the
// lambda outlives the Task (spawn(f) and block_on(f) keep `f` alive for you).
//
// This header holds `Task<T>` and `EmptyTaskError`.
//
// Rust equivalent: `async fn` / `impl Future<Output = T>` (seeds 000, 002):
//
//   async fn example_function() -> i32 { 42 }      // Task<int> example_function() { co_return 42; }
//   let result = example_function().await;          // int result = co_await example_function();
//   async fn fetch_data(id: u32)                    // Task<std::string> fetch_data(uint32_t id) {
//       -> Result<String, E> { ... }                //   ... throw on error ... }

#ifndef RACELINGS_PRIMITIVES_ASYNC_TASK_H_
#define RACELINGS_PRIMITIVES_ASYNC_TASK_H_

#include <coroutine>
#include <exception>
#include <source_location>
#include <stdexcept>
#include <type_traits>
#include <utility>
#include <variant>

#include "primitives/async/core.h"

namespace racelings {
namespace async {

// EmptyTaskError: `co_await` on a Task that holds no coroutine (moved from,
// default-constructed, or handed to spawn), or on a Task that another
// coroutine is already awaiting.
class EmptyTaskError : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

template <typename T = void>
class Task;

namespace internal {

// What every promise of this package shares: laziness, and the check (plus
// the source location) for each co_await.
struct PromiseBase {
  std::coroutine_handle<> continuation;  // Who awaits us; resumed when we finish.

  std::suspend_always initial_suspend() noexcept { return {}; }

  // PromiseBase::await_transform(): called by the compiler for every
  // `co_await x` in the coroutine; the default argument is evaluated at the
  // co_await, which is how deadlock reports name the line a task waits on.
  template <typename A>
  A&& await_transform(A&& awaitable, std::source_location where = std::source_location::current()) noexcept {
    static_assert(RuntimeAwaitable<A>,
                  "racelings::async: only Task, JoinHandle, Stream::next() and the awaitables of "
                  "primitives/async (sleep_for, Mutex::lock, Sender::send, Receiver::recv, join_all, "
                  "yield_now) can be awaited inside a Task: another awaitable would suspend the task "
                  "without the runtime knowing how to resume it");
    tls_await_site = where;
    return std::forward<A>(awaitable);
  }
};

// Resumes whoever awaited the finished coroutine (symmetric transfer), or
// returns to the runtime's worker when nobody did (a spawned root).
struct FinalAwaiter {
  bool await_ready() const noexcept { return false; }
  template <typename P>
  std::coroutine_handle<> await_suspend(std::coroutine_handle<P> h) noexcept {
    std::coroutine_handle<> next = h.promise().continuation;
    return next ? next : std::noop_coroutine();
  }
  void await_resume() const noexcept {}
};

template <typename T>
class TaskPromise : public PromiseBase {
 public:
  Task<T> get_return_object() noexcept;
  FinalAwaiter final_suspend() noexcept { return {}; }
  void unhandled_exception() noexcept { result_.template emplace<2>(std::current_exception()); }

  template <typename U = T>
    requires std::is_convertible_v<U&&, T>
  void return_value(U&& value) noexcept(std::is_nothrow_constructible_v<T, U&&>) {
    result_.template emplace<1>(std::forward<U>(value));
  }

  // The value, or the stored exception thrown again.
  T& result() & {
    if (result_.index() == 2) std::rethrow_exception(std::get<2>(result_));
    return std::get<1>(result_);
  }
  T take() {
    if (result_.index() == 2) std::rethrow_exception(std::get<2>(result_));
    return std::move(std::get<1>(result_));
  }
  std::exception_ptr exception() const noexcept { return result_.index() == 2 ? std::get<2>(result_) : nullptr; }

 private:
  std::variant<std::monostate, T, std::exception_ptr> result_;
};

template <>
class TaskPromise<void> : public PromiseBase {
 public:
  Task<void> get_return_object() noexcept;
  FinalAwaiter final_suspend() noexcept { return {}; }
  void unhandled_exception() noexcept { exception_ = std::current_exception(); }
  void return_void() noexcept {}
  void result() {
    if (exception_) std::rethrow_exception(exception_);
  }
  void take() { result(); }
  std::exception_ptr exception() const noexcept { return exception_; }

 private:
  std::exception_ptr exception_;
};

// Lets the runtime take a Task's coroutine (spawn, block_on, join_all).
struct TaskAccess {
  template <typename T>
  static std::coroutine_handle<TaskPromise<T>> release(Task<T>& task) noexcept {
    return std::exchange(task.handle_, nullptr);
  }
};

}  // namespace internal

// Task<T>: a lazy coroutine producing a T. Move-only; owns its frame.
template <typename T>
class [[nodiscard]] Task : internal::KnownAwaitable {
  static_assert(!std::is_reference_v<T>, "Task<T&> is not supported: return a pointer or a value");

 public:
  using promise_type = internal::TaskPromise<T>;
  using value_type = T;

  // Task<T>::Task(): an empty task; awaiting it throws EmptyTaskError.
  Task() noexcept = default;
  Task(Task&& other) noexcept : handle_(std::exchange(other.handle_, nullptr)) {}
  Task& operator=(Task&& other) noexcept {
    if (this != &other) {
      reset();
      handle_ = std::exchange(other.handle_, nullptr);
    }
    return *this;
  }
  Task(const Task&) = delete;
  Task& operator=(const Task&) = delete;

  // Task<T>::~Task(): destroys the frame, whether it never started, finished,
  // or (through an aborted parent) is suspended: its locals' destructors run.
  ~Task() { reset(); }

  // Task<T>::valid(): whether the Task holds a coroutine.
  bool valid() const noexcept { return static_cast<bool>(handle_); }

  // Task<T>::is_ready(): whether the coroutine has finished.
  bool is_ready() const noexcept { return handle_ && handle_.done(); }

  // co_await task: runs the task to its end on the awaiting runtime task
  // (suspending whenever it waits) and gives its value, or throws what it
  // threw. `co_await std::move(task)` (or a temporary) moves the value out;
  // `co_await task` on an lvalue gives a reference that lives as long as the
  // Task. Throws EmptyTaskError for an empty Task.
  // Memory ordering: the awaiting coroutine sees every write the task made.
  auto operator co_await() & { return LvalueAwaiter{handle_}; }
  auto operator co_await() && { return RvalueAwaiter{handle_}; }

 private:
  friend class internal::TaskPromise<T>;
  friend struct internal::TaskAccess;
  using Handle = std::coroutine_handle<promise_type>;

  explicit Task(Handle h) noexcept : handle_(h) {}

  void reset() noexcept {
    if (handle_) std::exchange(handle_, nullptr).destroy();
  }

  struct AwaiterBase {
    Handle h;
    bool await_ready() const {
      if (!h) throw EmptyTaskError("co_await on an empty Task (moved from, default-constructed, or spawned)");
      if (!h.done() && h.promise().continuation) {
        throw EmptyTaskError("co_await on a Task that is already being awaited");
      }
      return h.done();
    }
    // Start (or continue) the awaited coroutine right away: symmetric transfer.
    std::coroutine_handle<> await_suspend(std::coroutine_handle<> awaiting) noexcept {
      h.promise().continuation = awaiting;
      return h;
    }
  };
  struct LvalueAwaiter : AwaiterBase {
    decltype(auto) await_resume() { return this->h.promise().result(); }
  };
  struct RvalueAwaiter : AwaiterBase {
    T await_resume() { return this->h.promise().take(); }
  };

  Handle handle_;
};

namespace internal {

template <typename T>
Task<T> TaskPromise<T>::get_return_object() noexcept {
  return Task<T>(std::coroutine_handle<TaskPromise<T>>::from_promise(*this));
}

inline Task<void> TaskPromise<void>::get_return_object() noexcept {
  return Task<void>(std::coroutine_handle<TaskPromise<void>>::from_promise(*this));
}

}  // namespace internal
}  // namespace async
}  // namespace racelings

#endif  // RACELINGS_PRIMITIVES_ASYNC_TASK_H_
