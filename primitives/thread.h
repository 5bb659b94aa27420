// thread.h
// -----------------------------------------------------------------------------
//
// Threads: `spawn(f)` starts `f` on a new thread and returns a `JoinHandle<T>`
// whose `join()` waits for it and hands back what `f` returned, or rethrows
// what `f` threw. `Builder` names a thread and sets its stack size;
// `scope(...)` starts threads that may borrow the caller's locals, because
// they are all joined before `scope` returns.
//
// Differences from `std::thread`: the result and the exception travel back
// through `join()`; a `JoinHandle` destroyed without `join()` or `detach()`
// is reported as a *thread leak* and detached, instead of calling
// `std::terminate`; thread names show in sanitizer and deadlock reports; and
// `join()` is seen by the deadlock detector (joining a thread that waits for
// a lock you hold is reported, not hung).
//
// This header holds `spawn`, `JoinHandle<T>`, `ThreadPanic`, `Builder`,
// `scope`, `Scope`, `ScopedJoinHandle<T>` and `current_thread_name`.
//
// Rust equivalent: `std::thread` (seeds 000, 002):
//
//   let handle = thread::spawn(|| 42);              // auto handle = spawn([] { return 42; });
//   let v = handle.join().unwrap();                 // int v = handle.join();
//   match handle.join() {                           // auto r = handle.join_result();
//       Ok(v) => ..., Err(panic) => ... }           // if (r.is_ok()) ... else r.error().what();
//   thread::Builder::new().name("worker".into())    // Builder().name("worker")
//       .stack_size(32 * 1024).spawn(f).unwrap();   //     .stack_size(32 * 1024).spawn(f);
//   thread::scope(|s| { s.spawn(|| ...); });        // scope([&](Scope& s) { s.spawn([&] { ... }); });

#ifndef RACELINGS_PRIMITIVES_THREAD_H_
#define RACELINGS_PRIMITIVES_THREAD_H_

#include <pthread.h>

#include <climits>
#include <cstdio>
#include <exception>
#include <functional>
#include <list>
#include <memory>
#include <source_location>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <utility>
#include <variant>

#include "primitives/detector.h"
#include "primitives/result.h"

namespace racelings {

// ThreadPanic: what a thread threw, as returned by join_result(). Rust: the
// `Err` of `JoinHandle::join()`, the payload of a panic.
class ThreadPanic {
 public:
  explicit ThreadPanic(std::exception_ptr exception) : exception_(std::move(exception)) {}

  // The exception's what(), or a note that it was not a std::exception.
  std::string what() const {
    try {
      std::rethrow_exception(exception_);
    } catch (const std::exception& e) {
      return e.what();
    } catch (...) {
      return "an exception that is not a std::exception";
    }
  }
  const std::exception_ptr& exception() const { return exception_; }
  [[noreturn]] void rethrow() const { std::rethrow_exception(exception_); }

 private:
  std::exception_ptr exception_;
};

namespace internal {

// Only spawn functions build handles and scopes; the key keeps others out.
struct SpawnKey {
  explicit SpawnKey() = default;
};

// Stands in for void so that one Packet type carries every result.
struct Unit {};

template <typename T>
using Stored = std::conditional_t<std::is_void_v<T>, Unit, T>;

// What a thread leaves for whoever joins it. Written by the thread before it
// ends; read after pthread_join, which orders the two.
template <typename T>
struct Packet {
  std::variant<std::monostate, Stored<T>, std::exception_ptr> result;
  std::shared_ptr<detector::ThreadRecord> record;
};

std::string_view record_name(const detector::ThreadRecord* record);
size_t effective_stack_size(size_t requested);
void set_native_name(const std::string& name);
void print_thread_exception(const detector::ThreadRecord* record, const std::exception_ptr& e);

template <typename T, typename F>
struct Start {
  F f;
  std::shared_ptr<Packet<T>> packet;
  std::string name;
};

template <typename T, typename F>
void* thread_main(void* arg) {
  std::unique_ptr<Start<T, F>> start(static_cast<Start<T, F>*>(arg));
  if (!start->name.empty()) set_native_name(start->name);
  detector::enter_spawned(start->packet->record);
  try {
    if constexpr (std::is_void_v<T>) {
      std::invoke(std::move(start->f));
      start->packet->result.template emplace<1>();
    } else {
      start->packet->result.template emplace<1>(std::invoke(std::move(start->f)));
    }
  } catch (...) {
    start->packet->result.template emplace<2>(std::current_exception());
    print_thread_exception(start->packet->record.get(), std::get<2>(start->packet->result));
  }
  // The function and what it captured die here, while the thread still
  // counts as running: their destructors may do what other threads see (a
  // captured Sender's close, say), and under the controlled scheduler that
  // must happen in the thread's turn, not after it.
  start.reset();
  detector::exit_current();
  return nullptr;
}

// Starts the thread; throws std::system_error when the OS refuses.
template <typename T, typename F>
pthread_t start_thread(F&& f, std::shared_ptr<Packet<T>> packet, std::string name, size_t stack_size) {
  detector::ThreadRecord* start_record = packet->record.get();
  auto* start = new Start<T, std::decay_t<F>>{std::forward<F>(f), std::move(packet), std::move(name)};
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  if (stack_size != 0) pthread_attr_setstacksize(&attr, effective_stack_size(stack_size));
  pthread_t native;
  int err = pthread_create(&native, &attr, &thread_main<T, std::decay_t<F>>, start);
  pthread_attr_destroy(&attr);
  if (err != 0) {
    delete start;
    throw std::system_error(err, std::generic_category(), "spawn: could not start a thread");
  }
  // Under the controlled scheduler the thread may be given the turn from now on.
  schedule::on_created(detector::schedule_ctl(*start_record));
  return native;
}

template <typename T>
T take_result(Packet<T>& packet) {
  if (packet.result.index() == 2) std::rethrow_exception(std::get<2>(packet.result));
  if constexpr (!std::is_void_v<T>) return std::move(std::get<1>(packet.result));
}

template <typename T>
Result<T, ThreadPanic> take_result_or_panic(Packet<T>& packet) {
  if (packet.result.index() == 2) return Result<T, ThreadPanic>(Err, std::get<2>(packet.result));
  if constexpr (std::is_void_v<T>) {
    return Result<void, ThreadPanic>();
  } else {
    return Result<T, ThreadPanic>(std::move(std::get<1>(packet.result)));
  }
}

}  // namespace internal

// JoinHandle<T>: owns a running thread. Move-only. Call join() (or detach())
// before it is destroyed; forgetting is reported as a thread leak.
template <typename T>
class [[nodiscard]] JoinHandle {
 public:
  JoinHandle(JoinHandle&& other) noexcept
      : native_(other.native_),
        packet_(std::move(other.packet_)),
        joinable_(std::exchange(other.joinable_, false)),
        spawned_at_(other.spawned_at_) {}
  JoinHandle& operator=(JoinHandle&& other) noexcept {
    if (this != &other) {
      leak_check(std::source_location::current());
      native_ = other.native_;
      packet_ = std::move(other.packet_);
      joinable_ = std::exchange(other.joinable_, false);
      spawned_at_ = other.spawned_at_;
    }
    return *this;
  }
  JoinHandle(const JoinHandle&) = delete;
  JoinHandle& operator=(const JoinHandle&) = delete;

  // JoinHandle<T>::~JoinHandle(): a handle still joinable here is a thread
  // leak: reported, then the thread is detached (as Rust does).
  ~JoinHandle() { leak_check(std::source_location::current()); }

  // JoinHandle<T>::join(): blocks until the thread ends, then returns its
  // result, or rethrows the exception it threw. Only once.
  // Memory ordering: everything the thread wrote is visible after join().
  T join(std::source_location where = std::source_location::current()) {
    wait(where);
    return internal::take_result(*packet_);
  }

  // JoinHandle<T>::join_result(): like join(), but an exception comes back
  // as the error of the Result instead of being rethrown. Rust: `join()`.
  Result<T, ThreadPanic> join_result(std::source_location where = std::source_location::current()) {
    wait(where);
    return internal::take_result_or_panic(*packet_);
  }

  // JoinHandle<T>::detach(): lets the thread run on its own. Its result and
  // any exception are lost; it must not use anything that may die first. A
  // detached thread still running when the program exits is reported as a
  // thread leak (its work is cut short, and exit may race with it).
  void detach() {
    if (!joinable_) throw std::logic_error("detach() on a JoinHandle that was already joined or detached");
    joinable_ = false;
    pthread_detach(native_);
    detector::detached(*packet_->record);
  }

  // JoinHandle<T>::detach_until_exit(): detach() for a worker that is meant
  // to sleep until the process ends (the global parallel pool's): not
  // reported at exit.
  void detach_until_exit() {
    detach();
    detector::runs_until_exit(*packet_->record);
  }

  // JoinHandle<T>::is_finished(): whether the thread's function has returned.
  bool is_finished() const { return detector::thread_finished(*packet_->record); }

  // JoinHandle<T>::name(): the thread's name, empty when it has none.
  std::string_view name() const { return internal::record_name(packet_->record.get()); }

  bool joinable() const { return joinable_; }

  JoinHandle(internal::SpawnKey, pthread_t native, std::shared_ptr<internal::Packet<T>> packet,
             std::source_location spawned_at)
      : native_(native), packet_(std::move(packet)), joinable_(true), spawned_at_(spawned_at) {}

 private:
  void wait(const std::source_location& where) {
    if (!joinable_) throw std::logic_error("join() on a JoinHandle that was already joined or detached");
    joinable_ = false;
    schedule::point(schedule::Op::kJoin, detector::schedule_ctl(*packet_->record), nullptr, where);
    if (detector::enabled() && !detector::thread_finished(*packet_->record)) {
      detector::BlockScope waiting(*packet_->record, where);
      detector::wait_for_thread(*packet_->record, where);
      pthread_join(native_, nullptr);
    } else {
      detector::wait_for_thread(*packet_->record, where);
      pthread_join(native_, nullptr);
    }
    detector::joined(*packet_->record);
  }

  void leak_check(const std::source_location& where) {
    if (!joinable_) return;
    joinable_ = false;
    detector::report_thread_leak(*packet_->record, spawned_at_, where);
    pthread_detach(native_);
    detector::detached(*packet_->record);
  }

  pthread_t native_{};
  std::shared_ptr<internal::Packet<T>> packet_;
  bool joinable_ = false;
  std::source_location spawned_at_;
};

// spawn(): runs `f` on a new, unnamed thread. `f` is moved into the thread;
// capture by value what the thread needs (Rust's `move ||`), or share it
// through a std::shared_ptr (Rust's `Arc`). Throws std::system_error if no
// thread can be started.
template <typename F>
auto spawn(F&& f, std::source_location where = std::source_location::current())
    -> JoinHandle<std::invoke_result_t<std::decay_t<F>>> {
  using T = std::invoke_result_t<std::decay_t<F>>;
  auto packet = std::make_shared<internal::Packet<T>>();
  packet->record = detector::register_spawned("", where);
  pthread_t native = internal::start_thread<T>(std::forward<F>(f), packet, "", 0);
  schedule::point_after(schedule::Op::kSpawn, detector::schedule_ctl(*packet->record), nullptr, where);
  return JoinHandle<T>(internal::SpawnKey(), native, std::move(packet), where);
}

class Scope;

// Builder: a thread with a name and a stack size. Rust: `thread::Builder`.
//   auto h = Builder().name("worker").stack_size(64 * 1024).spawn([] { ... });
class Builder {
 public:
  Builder() = default;

  // Builder::name(): shows in current_thread_name(), in our deadlock reports,
  // and (cut to 15 characters by the OS) in sanitizer reports and debuggers.
  Builder& name(std::string name) {
    name_ = std::move(name);
    return *this;
  }

  // Builder::stack_size(): in bytes. Under a sanitizer, at least 256 KiB,
  // since instrumented code needs more stack.
  Builder& stack_size(size_t bytes) {
    stack_size_ = bytes;
    return *this;
  }

  template <typename F>
  auto spawn(F&& f, std::source_location where = std::source_location::current())
      -> JoinHandle<std::invoke_result_t<std::decay_t<F>>> {
    using T = std::invoke_result_t<std::decay_t<F>>;
    auto packet = std::make_shared<internal::Packet<T>>();
    packet->record = detector::register_spawned(name_, where);
    pthread_t native = internal::start_thread<T>(std::forward<F>(f), packet, name_, stack_size_);
    schedule::point_after(schedule::Op::kSpawn, detector::schedule_ctl(*packet->record), nullptr, where);
    return JoinHandle<T>(internal::SpawnKey(), native, std::move(packet), where);
  }

  // Builder::spawn_scoped(): like Scope::spawn, with this name and stack size.
  template <typename F>
  auto spawn_scoped(Scope& scope, F&& f, std::source_location where = std::source_location::current());

 private:
  std::string name_;
  size_t stack_size_ = 0;
};

// ScopedJoinHandle<T>: a thread started by Scope::spawn. Joining it is
// optional: the scope joins every thread before it returns.
template <typename T>
class ScopedJoinHandle {
 public:
  // ScopedJoinHandle<T>::join(): waits for this thread now; returns its
  // result or rethrows its exception.
  T join(std::source_location where = std::source_location::current()) {
    wait(where);
    return internal::take_result(*entry_->packet);
  }
  Result<T, ThreadPanic> join_result(std::source_location where = std::source_location::current()) {
    wait(where);
    return internal::take_result_or_panic(*entry_->packet);
  }
  bool is_finished() const { return detector::thread_finished(*entry_->packet->record); }
  std::string_view name() const { return internal::record_name(entry_->packet->record.get()); }

 private:
  friend class Scope;
  struct Entry;
  explicit ScopedJoinHandle(std::shared_ptr<Entry> entry) : entry_(std::move(entry)) {}
  void wait(const std::source_location& where);

  std::shared_ptr<Entry> entry_;
};

// Scope: where scoped threads are started; see scope().
class Scope {
 public:
  explicit Scope(internal::SpawnKey) {}
  Scope(const Scope&) = delete;
  Scope& operator=(const Scope&) = delete;

  // Scope::spawn(): starts a thread that may use references to the caller's
  // locals: scope() joins it before those locals can die.
  template <typename F>
  auto spawn(F&& f, std::source_location where = std::source_location::current())
      -> ScopedJoinHandle<std::invoke_result_t<std::decay_t<F>>> {
    return spawn_with(std::forward<F>(f), "", 0, where);
  }

  // Scope::join_all(): joins every thread started so far (scope() calls it
  // on the way out); returns the first exception that no handle has seen.
  std::exception_ptr join_all(const std::source_location& where) {
    std::exception_ptr first;
    for (auto& j : threads_) {
      join_one(*j, where);
      if (!first && !j->consumed) first = j->failure();
    }
    return first;
  }

 private:
  friend class Builder;
  template <typename T>
  friend class ScopedJoinHandle;

  // One started thread: joined by its handle or by the scope, whichever comes first.
  struct Joinable {
    virtual ~Joinable() = default;
    pthread_t native{};
    bool joined = false;
    std::shared_ptr<detector::ThreadRecord> record;
    virtual std::exception_ptr failure() const = 0;
    bool consumed = false;  // The handle's join() saw the result.
  };

  template <typename F>
  auto spawn_with(F&& f, std::string name, size_t stack_size, const std::source_location& where)
      -> ScopedJoinHandle<std::invoke_result_t<std::decay_t<F>>>;

  void join_one(Joinable& j, const std::source_location& where) {
    if (j.joined) return;
    j.joined = true;
    schedule::point(schedule::Op::kJoin, detector::schedule_ctl(*j.record), nullptr, where);
    if (detector::enabled() && !detector::thread_finished(*j.record)) {
      detector::BlockScope waiting(*j.record, where);
      detector::wait_for_thread(*j.record, where);
      pthread_join(j.native, nullptr);
    } else {
      detector::wait_for_thread(*j.record, where);
      pthread_join(j.native, nullptr);
    }
    detector::joined(*j.record);
  }

  std::list<std::shared_ptr<Joinable>> threads_;
};

template <typename T>
struct ScopedJoinHandle<T>::Entry : Scope::Joinable {
  std::shared_ptr<internal::Packet<T>> packet;
  Scope* scope = nullptr;
  std::exception_ptr failure() const override {
    return packet->result.index() == 2 ? std::get<2>(packet->result) : nullptr;
  }
};

template <typename T>
void ScopedJoinHandle<T>::wait(const std::source_location& where) {
  if (entry_->consumed) throw std::logic_error("join() on a ScopedJoinHandle that was already joined");
  entry_->scope->join_one(*entry_, where);
  entry_->consumed = true;
}

template <typename F>
auto Scope::spawn_with(F&& f, std::string name, size_t stack_size, const std::source_location& where)
    -> ScopedJoinHandle<std::invoke_result_t<std::decay_t<F>>> {
  using T = std::invoke_result_t<std::decay_t<F>>;
  auto entry = std::make_shared<typename ScopedJoinHandle<T>::Entry>();
  entry->packet = std::make_shared<internal::Packet<T>>();
  entry->packet->record = detector::register_spawned(name, where);
  entry->record = entry->packet->record;
  entry->scope = this;
  entry->native = internal::start_thread<T>(std::forward<F>(f), entry->packet, std::move(name), stack_size);
  threads_.push_back(entry);
  schedule::point_after(schedule::Op::kSpawn, detector::schedule_ctl(*entry->record), nullptr, where);
  return ScopedJoinHandle<T>(std::move(entry));
}

template <typename F>
auto Builder::spawn_scoped(Scope& scope, F&& f, std::source_location where) {
  return scope.spawn_with(std::forward<F>(f), name_, stack_size_, where);
}

// scope(): calls `f(scope)`; every thread `f` starts with scope.spawn() is
// joined before scope() returns, even if `f` throws. Returns what `f`
// returns. If a scoped thread threw and its handle never joined it, scope()
// rethrows that exception after joining all (Rust panics likewise).
template <typename F>
auto scope(F&& f, std::source_location where = std::source_location::current()) {
  Scope s{internal::SpawnKey()};
  using R = std::invoke_result_t<F, Scope&>;
  try {
    if constexpr (std::is_void_v<R>) {
      std::invoke(std::forward<F>(f), s);
      if (auto failure = s.join_all(where)) std::rethrow_exception(failure);
    } else {
      R result = std::invoke(std::forward<F>(f), s);
      if (auto failure = s.join_all(where)) std::rethrow_exception(failure);
      return result;
    }
  } catch (...) {
    s.join_all(where);
    throw;
  }
}

// current_thread_name(): the calling thread's name: "main" for the main
// thread, the Builder's name, or empty for an unnamed thread.
std::string_view current_thread_name();

}  // namespace racelings

#endif  // RACELINGS_PRIMITIVES_THREAD_H_
