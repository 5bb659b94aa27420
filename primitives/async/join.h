// join.h
// -----------------------------------------------------------------------------
//
// `join_all(a, b, ...)`: runs several Tasks concurrently and gives all their
// values, as a tuple, once every one has finished. `join_all(vector)` does the
// same for a vector of Tasks of one type and gives a vector. `when_all` is the
// same function under cppcoro's name.
//
// Each Task runs as a child task of the runtime, so (unlike tokio::join!,
// which polls them in turn on one task) they may run in parallel on a
// multi-threaded runtime: they must not share unsynchronized data. The
// awaiting task waits until every child has finished, even if one throws;
// then the first exception (in argument order) is thrown again. If the
// awaiting task is aborted, its children are aborted too, and its frames are
// destroyed only after they have all ended, so children may safely borrow
// the awaiting task's locals. A `void` Task gives a `std::monostate`.
//
// This header holds `join_all` and `when_all`.
//
// Rust equivalent: `tokio::join!` and `futures::future::join_all` (seed 002):
//
//   let (a, b) = tokio::join!(f(), g());            // auto [a, b] = co_await join_all(f(), g());
//   let v = join_all(tasks).await;                  // std::vector<int> v = co_await join_all(std::move(tasks));

#ifndef RACELINGS_PRIMITIVES_ASYNC_JOIN_H_
#define RACELINGS_PRIMITIVES_ASYNC_JOIN_H_

#include <array>
#include <atomic>
#include <coroutine>
#include <cstddef>
#include <exception>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "primitives/async/core.h"
#include "primitives/async/runtime.h"
#include "primitives/async/task.h"

namespace racelings {
namespace async {
namespace internal {

// The children of one join_all, and how many are still running. Lives in the
// awaiting task's frame, which is not destroyed before every child has ended.
class JoinGroup final : public detector::Waitable, public JoinWait {
 public:
  explicit JoinGroup(size_t n) : remaining_(n) { children_.reserve(n); }

  void add(TaskHeader* child) { children_.emplace_back(child); }
  size_t size() const noexcept { return children_.size(); }
  TaskHeader& child(size_t i) const { return *children_[i].get(); }

  // JoinGroup::all_done(): acquire: a true answer makes every child's outcome
  // visible.
  bool all_done() const noexcept { return remaining_.load(std::memory_order_acquire) == 0; }

  // JoinGroup::child_done(): a child has finished; the last one wakes the
  // parent. Acq_rel: each child's outcome is released to the last one, which
  // hands them all to the parent through wake().
  // The parent's header is pinned first: once remaining_ reaches zero the
  // parent may run, finish and be freed before wake() returns.
  void child_done() noexcept {
    TaskHeader* parent = parent_;
    parent->add_ref();
    if (remaining_.fetch_sub(1, std::memory_order_acq_rel) == 1) wake(*parent);
    parent->release();
  }

  // JoinGroup::abort_children(): cancels every child (the parent is aborted).
  void abort_children() noexcept {
    for (const TaskRef& c : children_) abort_task(*c.get());
  }

  void set_parent(TaskHeader& parent) noexcept { parent_ = &parent; }

  std::string describe_wait() const override {
    size_t left = remaining_.load(std::memory_order_relaxed);
    std::string s = "waits for join_all: " + std::to_string(left) + " of " + std::to_string(children_.size()) +
                    " tasks still running (";
    bool first = true;
    for (const TaskRef& c : children_) {
      if (c->is_complete()) continue;
      s += (first ? "" : ", ") + c->short_name();
      first = false;
    }
    return s + ")";
  }

 private:
  std::vector<TaskRef> children_;
  std::atomic<size_t> remaining_;
  TaskHeader* parent_ = nullptr;
};

// Starts the children and suspends the parent until they have all ended.
class JoinAllAwaiter : public KnownAwaitable {
 public:
  // `where`: the parent's `co_await join_all(...)`, which reports name
  // (rather than the co_await inside join_all itself).
  JoinAllAwaiter(JoinGroup& group, std::vector<TaskHeader*> cells, const std::source_location& where)
      : group_(group), cells_(std::move(cells)), where_(where) {}
  JoinAllAwaiter(const JoinAllAwaiter&) = delete;
  JoinAllAwaiter& operator=(const JoinAllAwaiter&) = delete;

  bool await_ready() const noexcept { return cells_.empty(); }
  bool await_suspend(std::coroutine_handle<> h) {
    TaskHeader& me = require_task("join_all()");
    group_.set_parent(me);
    prepare_wait(me, h, group_);
    me.wait_where = where_;
    int i = 0;
    for (TaskHeader* cell : cells_) {
      cell->group = &group_;
      cell->parent_id = me.id;
      cell->child_index = ++i;
      cell->child_count = static_cast<int>(cells_.size());
      cell->add_ref();  // The group's reference, besides the runtime's.
      group_.add(cell);
    }
    // Release: an abort() that finds the group sees all its children.
    me.child_group.store(&group_, std::memory_order_release);
    for (TaskHeader* cell : cells_) schedule_new(*me.rt, *cell);
    cells_.clear();
    return true;
  }
  void await_resume() noexcept {
    if (TaskHeader* me = current_task()) me->child_group.store(nullptr, std::memory_order_relaxed);
  }
  // Never started (the parent was destroyed before the await): drop the cells.
  ~JoinAllAwaiter() {
    for (TaskHeader* cell : cells_) cell->release();
  }

 private:
  JoinGroup& group_;
  std::vector<TaskHeader*> cells_;
  std::source_location where_;
};

// A child's "spawned at" is the parent's `co_await join_all(...)`: the join_all
// coroutine starts by symmetric transfer from that co_await, on the same
// thread, so tls_await_site still holds its location.
template <typename T>
ResultCell<T>* make_child(RuntimeCore* rt, Task<T>& task, const std::source_location& where) {
  return new TaskCell<T, void>(rt, TaskKind::kJoinChild, where, std::move(task));
}

template <typename T>
std::exception_ptr child_exception(TaskHeader& h) {
  return static_cast<ResultCell<T>&>(h).exception();
}

template <typename... T, size_t... I>
Task<std::tuple<Stored<T>...>> join_all_impl(std::index_sequence<I...>, Task<T>... tasks) {
  RuntimeCore* rt = current_runtime();
  if (rt == nullptr) throw NoRuntimeError("join_all() used outside a racelings::async runtime");
  const std::source_location where = tls_await_site;
  JoinGroup group(sizeof...(T));
  {
    std::vector<TaskHeader*> cells{make_child<T>(rt, tasks, where)...};
    co_await JoinAllAwaiter(group, std::move(cells), where);
  }
  std::exception_ptr first;
  ((first = first ? first : child_exception<T>(group.child(I))), ...);
  if (first) std::rethrow_exception(first);
  co_return std::tuple<Stored<T>...>(static_cast<ResultCell<T>&>(group.child(I)).take_value()...);
}

}  // namespace internal

// join_all(tasks...): `auto [a, b] = co_await join_all(f(), g());` runs the
// Tasks concurrently as child tasks, suspends until all have ended, and gives
// their values in argument order; rethrows the first exception (in argument
// order) after all have ended. Throws NoRuntimeError outside a task.
// Memory ordering: every child's writes are visible after the await.
template <typename... T>
Task<std::tuple<internal::Stored<T>...>> join_all(Task<T>... tasks) {
  return internal::join_all_impl(std::index_sequence_for<T...>(), std::move(tasks)...);
}

// join_all(vector): the same for any number of Tasks of one type.
template <typename T>
Task<std::vector<internal::Stored<T>>> join_all(std::vector<Task<T>> tasks) {
  internal::RuntimeCore* rt = internal::current_runtime();
  if (rt == nullptr) throw NoRuntimeError("join_all() used outside a racelings::async runtime");
  const std::source_location where = internal::tls_await_site;
  internal::JoinGroup group(tasks.size());
  {
    std::vector<internal::TaskHeader*> cells;
    cells.reserve(tasks.size());
    for (Task<T>& t : tasks) cells.push_back(internal::make_child<T>(rt, t, where));
    tasks.clear();
    co_await internal::JoinAllAwaiter(group, std::move(cells), where);
  }
  for (size_t i = 0; i < group.size(); ++i) {
    if (auto e = internal::child_exception<T>(group.child(i))) std::rethrow_exception(e);
  }
  std::vector<internal::Stored<T>> out;
  out.reserve(group.size());
  for (size_t i = 0; i < group.size(); ++i) {
    out.push_back(static_cast<internal::ResultCell<T>&>(group.child(i)).take_value());
  }
  co_return out;
}

// when_all: cppcoro's name for join_all.
template <typename... T>
auto when_all(Task<T>... tasks) {
  return join_all(std::move(tasks)...);
}
template <typename T>
auto when_all(std::vector<Task<T>> tasks) {
  return join_all(std::move(tasks));
}

}  // namespace async
}  // namespace racelings

#endif  // RACELINGS_PRIMITIVES_ASYNC_JOIN_H_
