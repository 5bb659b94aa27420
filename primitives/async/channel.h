// channel.h
// -----------------------------------------------------------------------------
//
// Async channels between tasks: `channel<T>(n)` holds at most `n` messages and
// `co_await tx.send(v)` suspends the sending task while it is full
// (backpressure); `unbounded_channel<T>()` never makes a sender wait. Both
// return a `(Sender<T>, Receiver<T>)` pair; Senders are copyable (many
// producers), the Receiver is move-only (one consumer). `co_await rx.recv()`
// gives `std::optional<T>`: a message, or std::nullopt once every Sender is
// gone and the queue is empty (the loop `while (auto v = co_await rx.recv())`
// ends there). A send fails, handing the value back in `SendError<T>`, once
// the receiver is gone or closed.
//
// Cancellation: a task destroyed while it waits in recv() loses nothing (a
// message handed to it goes back to the front of the queue); one destroyed
// while it waits in send() drops its message, as tokio drops the future.
// Waits are FIFO: suspended senders get room in the order they came.
//
// Deadlocks: a task waiting in recv() or send() forever shows up in the "all
// tasks are blocked" report with the channel's state ("2 Senders are still
// alive"); keeping a Sender alive in the receiving task is the classic cause.
//
// Differences from tokio::sync::mpsc: one Sender type for both kinds (an
// unbounded send completes without suspending; `try_send` is the synchronous
// form and works from any thread); the error types are racelings' own
// (channel.h): `SendError<T>`, `TrySendError<T>`, `TryRecvError`.
//
// This header holds `channel`, `unbounded_channel`, `Sender<T>` and
// `Receiver<T>` (in racelings::async).
//
// Rust equivalent: `tokio::sync::mpsc` (seed 002, "Channels and Async"):
//
//   let (tx, mut rx) = mpsc::channel(32);           // auto [tx, rx] = async::channel<int>(32);
//   let (tx, mut rx) = mpsc::unbounded_channel();   // auto [tx, rx] = async::unbounded_channel<int>();
//   tx.send(1).await.unwrap();                      // (co_await tx.send(1)).unwrap();
//   while let Some(v) = rx.recv().await { ... }     // while (auto v = co_await rx.recv()) { ... }
//   drop(tx);                                       // tx.close();

#ifndef RACELINGS_PRIMITIVES_ASYNC_CHANNEL_H_
#define RACELINGS_PRIMITIVES_ASYNC_CHANNEL_H_

#include <atomic>
#include <coroutine>
#include <cstddef>
#include <deque>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

#include "primitives/async/core.h"
#include "primitives/channel.h"
#include "primitives/detector.h"
#include "primitives/plain_mutex.h"
#include "primitives/result.h"
#include "primitives/thread_annotations.h"

namespace racelings {
namespace async {

template <typename T>
class Sender;
template <typename T>
class Receiver;

namespace internal {

template <typename T>
class RecvAwaiter;
template <typename T>
class SendAwaiter;

// The state both halves share, guarded by `mu`. Wakes happen under `mu` (the
// task to wake cannot be destroyed meanwhile: its awaitable unregisters under
// `mu` first); `mu` is never taken under the runtime's queue mutex.
template <typename T>
struct AsyncChannelState {
  explicit AsyncChannelState(size_t capacity) : bound(capacity) {}

  bool unbounded() const { return bound == std::numeric_limits<size_t>::max(); }
  bool full() const REQUIRES(mu) { return !unbounded() && queue.size() >= bound; }

  // A suspended sender with room now: its message joins the queue.
  void admit_waiting_sender() REQUIRES(mu) {
    if (send_head == nullptr || full()) return;
    SendAwaiter<T>* w = send_head;
    send_head = w->next_;
    if (send_head == nullptr) send_tail = nullptr;
    w->queued_ = false;
    queue.push_back(std::move(*w->value_));
    w->value_.reset();
    wake(*w->task_);
  }

  // The receiver is gone or closed: every suspended sender fails.
  void fail_waiting_senders() REQUIRES(mu) {
    while (send_head != nullptr) {
      SendAwaiter<T>* w = send_head;
      send_head = w->next_;
      w->queued_ = false;
      w->failed_ = true;
      wake(*w->task_);
    }
    send_tail = nullptr;
  }

  void remove_sender(SendAwaiter<T>* w) REQUIRES(mu) {
    SendAwaiter<T>* prev = nullptr;
    for (SendAwaiter<T>* p = send_head; p != nullptr; prev = p, p = p->next_) {
      if (p != w) continue;
      (prev != nullptr ? prev->next_ : send_head) = w->next_;
      if (send_tail == w) send_tail = prev;
      return;
    }
  }

  ::racelings::internal::PlainMutex mu;
  std::deque<T> queue GUARDED_BY(mu);
  const size_t bound;  // max() for unbounded.
  size_t senders GUARDED_BY(mu) = 1;
  bool receiver_open GUARDED_BY(mu) = true;
  RecvAwaiter<T>* recv_waiter GUARDED_BY(mu) = nullptr;
  SendAwaiter<T>* send_head GUARDED_BY(mu) = nullptr;  // FIFO of suspended senders.
  SendAwaiter<T>* send_tail GUARDED_BY(mu) = nullptr;
  // Relaxed copy of `senders` for wait descriptions (built without mu).
  std::atomic<size_t> senders_hint{1};
};

// The awaitable of Receiver::recv().
template <typename T>
class RecvAwaiter : public KnownAwaitable, public detector::Waitable {
 public:
  explicit RecvAwaiter(std::shared_ptr<AsyncChannelState<T>> s) : s_(std::move(s)) {}
  RecvAwaiter(const RecvAwaiter&) = delete;
  RecvAwaiter& operator=(const RecvAwaiter&) = delete;
  ~RecvAwaiter() override {
    if (!suspended_) return;
    // Destroyed while suspended: leave, or give back a message handed to us.
    ::racelings::internal::PlainLock lock(s_->mu);
    if (s_->recv_waiter == this) {
      s_->recv_waiter = nullptr;
    } else if (slot_.has_value()) {
      s_->queue.push_front(std::move(*slot_));
    }
  }

  bool await_ready() const noexcept { return s_ == nullptr; }
  bool await_suspend(std::coroutine_handle<> h) {
    TaskHeader& me = require_task("async Receiver::recv()");
    ::racelings::internal::PlainLock lock(s_->mu);
    if (!s_->queue.empty()) {
      slot_.emplace(std::move(s_->queue.front()));
      s_->queue.pop_front();
      s_->admit_waiting_sender();
      return false;
    }
    if (s_->senders == 0) return false;  // Closed and empty: nullopt.
    if (s_->recv_waiter != nullptr) throw std::logic_error("two tasks wait in recv() on the same Receiver");
    prepare_wait(me, h, *this);
    task_ = &me;
    s_->recv_waiter = this;
    suspended_ = true;
    return true;
  }
  std::optional<T> await_resume() {
    suspended_ = false;
    return std::move(slot_);
  }

  std::string describe_wait() const override {
    size_t senders = s_->senders_hint.load(std::memory_order_relaxed);
    return "waits to receive on an empty async channel (" + std::to_string(senders) +
           (senders == 1 ? " Sender is" : " Senders are") +
           " still alive, so the channel is not closed and the receive cannot end)";
  }

 private:
  friend struct AsyncChannelState<T>;
  friend class Sender<T>;
  friend class SendAwaiter<T>;
  std::shared_ptr<AsyncChannelState<T>> s_;  // Empty: the Receiver was moved from.
  TaskHeader* task_ = nullptr;
  std::optional<T> slot_;  // Filled under mu by a sender, or by await_suspend.
  bool suspended_ = false;
};

// The awaitable of Sender::send().
template <typename T>
class SendAwaiter : public KnownAwaitable, public detector::Waitable {
 public:
  SendAwaiter(std::shared_ptr<AsyncChannelState<T>> s, T value) : s_(std::move(s)), value_(std::move(value)) {}
  SendAwaiter(const SendAwaiter&) = delete;
  SendAwaiter& operator=(const SendAwaiter&) = delete;
  ~SendAwaiter() override {
    if (!suspended_) return;
    ::racelings::internal::PlainLock lock(s_->mu);
    if (queued_) s_->remove_sender(this);  // The message is dropped with us.
  }

  bool await_ready() noexcept {
    if (s_ == nullptr) failed_ = true;
    return s_ == nullptr;
  }
  bool await_suspend(std::coroutine_handle<> h) {
    TaskHeader& me = require_task("async Sender::send()");
    ::racelings::internal::PlainLock lock(s_->mu);
    if (!s_->receiver_open) {
      failed_ = true;
      return false;
    }
    if (s_->recv_waiter != nullptr) {
      // The receiver waits (so the queue is empty): hand the message over.
      RecvAwaiter<T>* r = std::exchange(s_->recv_waiter, nullptr);
      r->slot_.emplace(std::move(*value_));
      value_.reset();
      wake(*r->task_);
      return false;
    }
    if (!s_->full() && s_->send_head == nullptr) {
      s_->queue.push_back(std::move(*value_));
      value_.reset();
      return false;
    }
    prepare_wait(me, h, *this);
    task_ = &me;
    queued_ = true;
    next_ = nullptr;
    (s_->send_tail != nullptr ? s_->send_tail->next_ : s_->send_head) = this;
    s_->send_tail = this;
    suspended_ = true;
    return true;
  }
  Result<void, SendError<T>> await_resume() {
    suspended_ = false;
    if (failed_) return Result<void, SendError<T>>(Err, std::move(*value_));
    return {};
  }

  std::string describe_wait() const override {
    return "waits to send on a full async channel (channel(" + std::to_string(s_->bound) +
           "): nobody receives to make room)";
  }

 private:
  friend struct AsyncChannelState<T>;
  std::shared_ptr<AsyncChannelState<T>> s_;  // Empty: the Sender was closed or moved from.
  std::optional<T> value_;  // Ours until it joins the queue (then empty).
  TaskHeader* task_ = nullptr;
  SendAwaiter* next_ = nullptr;  // Guarded by mu.
  bool queued_ = false;          // Guarded by mu.
  bool failed_ = false;          // Set under mu before the wake.
  bool suspended_ = false;
};

template <typename T>
std::pair<Sender<T>, Receiver<T>> make_async_channel(size_t bound);

}  // namespace internal

// Sender<T>: the sending half. Copy it for more producers (Rust:
// `tx.clone()`); the receiver sees the end of the stream once every copy is
// destroyed or closed.
template <typename T>
class Sender {
 public:
  Sender(const Sender& other) : state_(other.state_) {
    if (state_) {
      ::racelings::internal::PlainLock lock(state_->mu);
      ++state_->senders;
      state_->senders_hint.store(state_->senders, std::memory_order_relaxed);
    }
  }
  Sender& operator=(const Sender& other) {
    if (this != &other) {
      Sender copy(other);
      *this = std::move(copy);
    }
    return *this;
  }
  Sender(Sender&& other) noexcept = default;
  Sender& operator=(Sender&& other) noexcept {
    if (this != &other) {
      close();
      state_ = std::move(other.state_);
    }
    return *this;
  }
  ~Sender() { close(); }

  // Sender<T>::send(): `co_await tx.send(v)` queues `v`; on a bounded channel
  // that is full it suspends the task until there is room (FIFO among
  // senders). Gives an error holding `v` if the receiver is gone or closed.
  // Memory ordering: everything the sender wrote before send() is visible to
  // the task that receives the message.
  [[nodiscard]] internal::SendAwaiter<T> send(T value) { return internal::SendAwaiter<T>(state_, std::move(value)); }

  // Sender<T>::try_send(): queues `v` now, or fails with Full (bounded
  // channel at capacity) or Disconnected. Never suspends; any thread.
  Result<void, TrySendError<T>> try_send(T value) {
    using E = TrySendError<T>;
    if (!state_) return Result<void, E>(Err, E::Kind::kDisconnected, std::move(value));
    auto& s = *state_;
    ::racelings::internal::PlainLock lock(s.mu);
    if (!s.receiver_open) return Result<void, E>(Err, E::Kind::kDisconnected, std::move(value));
    if (s.recv_waiter != nullptr) {
      auto* r = std::exchange(s.recv_waiter, nullptr);
      r->slot_.emplace(std::move(value));
      internal::wake(*r->task_);
      return {};
    }
    if (s.full() || s.send_head != nullptr) return Result<void, E>(Err, E::Kind::kFull, std::move(value));
    s.queue.push_back(std::move(value));
    return {};
  }

  // Sender<T>::close(): this copy stops being a sender (Rust: `drop(tx)`).
  void close() {
    if (!state_) return;
    {
      ::racelings::internal::PlainLock lock(state_->mu);
      --state_->senders;
      state_->senders_hint.store(state_->senders, std::memory_order_relaxed);
      if (state_->senders == 0 && state_->recv_waiter != nullptr) {
        // The receiver waits on an empty queue: end its wait with nullopt.
        internal::wake(*std::exchange(state_->recv_waiter, nullptr)->task_);
      }
    }
    state_.reset();
  }

  // Sender<T>::is_closed(): this copy was closed, or the receiver is gone.
  bool is_closed() const {
    if (!state_) return true;
    ::racelings::internal::PlainLock lock(state_->mu);
    return !state_->receiver_open;
  }

 private:
  friend std::pair<Sender<T>, Receiver<T>> internal::make_async_channel<T>(size_t bound);
  explicit Sender(std::shared_ptr<internal::AsyncChannelState<T>> s) : state_(std::move(s)) {}
  std::shared_ptr<internal::AsyncChannelState<T>> state_;
};

// Receiver<T>: the receiving half. Move-only: one consumer per channel.
template <typename T>
class Receiver {
 public:
  Receiver(Receiver&&) noexcept = default;
  Receiver& operator=(Receiver&& other) noexcept {
    if (this != &other) {
      drop();
      state_ = std::move(other.state_);
    }
    return *this;
  }
  Receiver(const Receiver&) = delete;
  Receiver& operator=(const Receiver&) = delete;

  // Receiver<T>::~Receiver(): the channel is closed; queued messages are
  // dropped and suspended senders fail.
  ~Receiver() { drop(); }

  // Receiver<T>::recv(): `co_await rx.recv()` gives the next message,
  // suspending the task while the queue is empty; std::nullopt once it is
  // empty and every Sender is gone. Rust: `rx.recv().await`.
  // Memory ordering: see Sender<T>::send().
  [[nodiscard]] internal::RecvAwaiter<T> recv() { return internal::RecvAwaiter<T>(state_); }

  // Receiver<T>::try_recv(): a message if one is queued; never suspends.
  Result<T, TryRecvError> try_recv() {
    using E = TryRecvError;
    if (!state_) return Result<T, E>(Err, E::Kind::kDisconnected);
    auto& s = *state_;
    ::racelings::internal::PlainLock lock(s.mu);
    if (s.queue.empty()) return Result<T, E>(Err, s.senders == 0 ? E::Kind::kDisconnected : E::Kind::kEmpty);
    T v = std::move(s.queue.front());
    s.queue.pop_front();
    s.admit_waiting_sender();
    return Result<T, E>(std::move(v));
  }

  // Receiver<T>::close(): no more sends succeed (suspended senders fail);
  // messages already queued can still be received. Rust: `rx.close()`.
  void close() {
    if (!state_) return;
    ::racelings::internal::PlainLock lock(state_->mu);
    state_->receiver_open = false;
    state_->fail_waiting_senders();
  }

 private:
  friend std::pair<Sender<T>, Receiver<T>> internal::make_async_channel<T>(size_t bound);
  explicit Receiver(std::shared_ptr<internal::AsyncChannelState<T>> s) : state_(std::move(s)) {}

  void drop() {
    if (!state_) return;
    std::deque<T> dropped;
    {
      ::racelings::internal::PlainLock lock(state_->mu);
      state_->receiver_open = false;
      state_->fail_waiting_senders();
      dropped.swap(state_->queue);  // Destroyed outside the lock.
    }
    state_.reset();
  }

  std::shared_ptr<internal::AsyncChannelState<T>> state_;
};

namespace internal {
template <typename T>
std::pair<Sender<T>, Receiver<T>> make_async_channel(size_t bound) {
  auto s = std::make_shared<AsyncChannelState<T>>(bound);
  return {Sender<T>(s), Receiver<T>(s)};
}
}  // namespace internal

// channel<T>(bound): a bounded async channel; `bound` must be at least 1.
// Rust: `tokio::sync::mpsc::channel(bound)`.
template <typename T>
std::pair<Sender<T>, Receiver<T>> channel(size_t bound) {
  if (bound == 0) throw std::invalid_argument("async::channel: the bound must be at least 1");
  return internal::make_async_channel<T>(bound);
}

// unbounded_channel<T>(): sends never suspend. Rust: `mpsc::unbounded_channel()`.
template <typename T>
std::pair<Sender<T>, Receiver<T>> unbounded_channel() {
  return internal::make_async_channel<T>(std::numeric_limits<size_t>::max());
}

}  // namespace async
}  // namespace racelings

#endif  // RACELINGS_PRIMITIVES_ASYNC_CHANNEL_H_
