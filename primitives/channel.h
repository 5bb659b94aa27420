// channel.h
// -----------------------------------------------------------------------------
//
// Channels: threads communicate by sending values instead of sharing them.
// `channel<T>()` makes an unbounded channel; `sync_channel<T>(n)` a bounded one
// whose `send` blocks while `n` messages wait (n = 0: every send waits until
// a receiver takes the message, a *rendezvous*). Both return a
// `(Sender<T>, Receiver<T>)` pair. Senders are copyable (one channel, many
// producers); the receiver is move-only (one consumer).
//
// Disconnection: when every Sender is gone, `recv` returns the messages
// still queued and then fails, and iterating a Receiver ends; when the
// Receiver is gone, `send` fails and hands the value back.
//
// Differences from Rust's `std::sync::mpsc`: one Sender type for both kinds
// (`try_send` reports Full only on bounded channels). Every blocking send and
// receive is seen by the deadlock detector, so a receive that can never end
// (a Sender kept alive by a thread that waits for the receiver) is reported.
//
// This header holds `channel`, `sync_channel`, `Sender<T>`, `Receiver<T>` and
// one error type per operation: `SendError<T>`, `TrySendError<T>`,
// `RecvError`, `TryRecvError`, `RecvTimeoutError`.
//
// Rust equivalent: `std::sync::mpsc` (seeds 000, 002):
//
//   let (tx, rx) = mpsc::channel();                 // auto [tx, rx] = channel<std::string>();
//   let tx2 = tx.clone();                           // Sender<std::string> tx2 = tx;
//   tx.send("hi").unwrap();                         // tx.send("hi").unwrap();
//   drop(tx);                                       // tx.close();  (or let it go out of scope)
//   for received in rx { ... }                      // for (std::string received : rx) { ... }
//   let (tx, rx) = mpsc::sync_channel(2);           // auto [tx, rx] = sync_channel<int>(2);

#ifndef RACELINGS_PRIMITIVES_CHANNEL_H_
#define RACELINGS_PRIMITIVES_CHANNEL_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <iterator>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <source_location>
#include <string>
#include <thread>
#include <utility>

#include "primitives/detector.h"
#include "primitives/result.h"
#include "primitives/schedule/schedule.h"

namespace racelings {

// ---- Errors ------------------------------------------------------------------

// SendError<T>: the receiver is gone; the value comes back.
template <typename T>
class SendError {
 public:
  explicit SendError(T value) : value_(std::move(value)) {}
  const char* what() const { return "sending on a disconnected channel"; }
  T into_inner() && { return std::move(value_); }
  const T& value() const { return value_; }

 private:
  T value_;
};

// TrySendError<T>: the bounded channel is full, or the receiver is gone.
template <typename T>
class TrySendError {
 public:
  enum class Kind { kFull, kDisconnected };
  TrySendError(Kind kind, T value) : kind_(kind), value_(std::move(value)) {}
  Kind kind() const { return kind_; }
  bool is_full() const { return kind_ == Kind::kFull; }
  bool is_disconnected() const { return kind_ == Kind::kDisconnected; }
  const char* what() const {
    return kind_ == Kind::kFull ? "sending on a full channel" : "sending on a disconnected channel";
  }
  T into_inner() && { return std::move(value_); }

 private:
  Kind kind_;
  T value_;
};

// RecvError: the channel is empty and every Sender is gone.
class RecvError {
 public:
  const char* what() const { return "receiving on an empty and disconnected channel"; }
};

// TryRecvError: nothing to receive right now, or never again.
class TryRecvError {
 public:
  enum class Kind { kEmpty, kDisconnected };
  explicit TryRecvError(Kind kind) : kind_(kind) {}
  Kind kind() const { return kind_; }
  bool is_empty() const { return kind_ == Kind::kEmpty; }
  bool is_disconnected() const { return kind_ == Kind::kDisconnected; }
  const char* what() const {
    return kind_ == Kind::kEmpty ? "receiving on an empty channel" : "receiving on an empty and disconnected channel";
  }

 private:
  Kind kind_;
};

// RecvTimeoutError: time ran out, or the channel is empty and disconnected.
class RecvTimeoutError {
 public:
  enum class Kind { kTimeout, kDisconnected };
  explicit RecvTimeoutError(Kind kind) : kind_(kind) {}
  Kind kind() const { return kind_; }
  bool is_timeout() const { return kind_ == Kind::kTimeout; }
  bool is_disconnected() const { return kind_ == Kind::kDisconnected; }
  const char* what() const {
    return kind_ == Kind::kTimeout ? "timed out waiting on receive operation"
                                   : "channel is empty and sending half is closed";
  }

 private:
  Kind kind_;
};

namespace internal {

// One step of a short spin before blocking: pause instructions, doubling,
// then yields (the shape of crossbeam-utils' Backoff).
inline constexpr int kSpinSteps = 10;
inline void backoff(int step) {
  if (step < 6) {
    for (int i = 0; i < (1 << step); ++i) {
#if defined(__x86_64__) || defined(__i386__)
      __builtin_ia32_pause();
#endif
    }
  } else {
    std::this_thread::yield();
  }
}

// The state both halves share. `mu` guards everything but the atomics, which
// the deadlock detector reads (without `mu`) to describe a blocked thread.
template <typename T>
struct ChannelState final : schedule::Traced {
  ChannelState(size_t capacity, std::source_location where) : bound(capacity), created(where) {}

  // For the controlled scheduler's step log. Read while the other threads
  // wait for their turn, so without the lock.
  std::string trace_name() const override {
    std::string file = created.file_name();
    auto slash = file.rfind('/');
    if (slash != std::string::npos) file = file.substr(slash + 1);
    std::string kind = unbounded() ? "channel" : "sync_channel(" + std::to_string(bound) + ")";
    return kind + " 'created at " + file + ":" + std::to_string(created.line()) + "'";
  }
  std::string trace_state() const override {
    int senders = sender_count.load(std::memory_order_relaxed);
    return std::to_string(queue.size()) + " queued, " + std::to_string(senders) +
           (senders == 1 ? " sender" : " senders") + (receiver_alive ? "" : ", receiver gone");
  }

  // Descriptions of a blocked receiver and a blocked sender for reports.
  struct RecvWait final : detector::Waitable {
    const ChannelState* state;
    explicit RecvWait(const ChannelState* s) : state(s) {}
    std::string describe_wait() const override {
      int senders = state->sender_count.load(std::memory_order_relaxed);
      return "waits to receive on an empty channel (" + std::to_string(senders) +
             (senders == 1 ? " Sender is" : " Senders are") +
             " still alive, so the channel is not closed and the receive cannot end)";
    }
  };
  struct SendWait final : detector::Waitable {
    const ChannelState* state;
    explicit SendWait(const ChannelState* s) : state(s) {}
    std::string describe_wait() const override {
      if (state->bound == 0) {
        return "waits for a receiver to take its message (rendezvous channel: sync_channel(0))";
      }
      return "waits to send on a full channel (sync_channel(" + std::to_string(state->bound) +
             "): nobody receives to make room)";
    }
  };

  std::mutex mu;
  std::condition_variable not_empty;  // Receivers wait here.
  std::condition_variable not_full;   // Senders of bounded channels wait here.
  std::deque<std::pair<uint64_t, T>> queue;
  const size_t bound;  // std::numeric_limits<size_t>::max() for unbounded.
  uint64_t next_ticket = 0;
  uint64_t received = 0;  // Tickets below this were taken (rendezvous).
  bool receiver_alive = true;
  int receivers_waiting = 0;
  int senders_waiting = 0;
  std::atomic<int> sender_count{1};  // Relaxed; changed under mu, read for reports.
  RecvWait recv_wait{this};
  SendWait send_wait{this};
  std::source_location created;

  // Waits on `cv` for a notification, after a short spin with `mu` released
  // that ends as soon as `done()` holds: when the other side runs on another
  // core, a handoff then costs no sleep and wake-up (crossbeam-channel spins
  // the same way before it parks). Returns with the lock held; the caller's
  // loop checks its condition again. The caller is counted as waiting for
  // the whole time, so notifications and try_send see it as before.
  template <typename Done>
  void wait(std::condition_variable& cv, std::unique_lock<std::mutex>& lock, Done done) {
    // Under the controlled scheduler nobody runs while this thread spins.
    for (int step = 0; step < kSpinSteps && !schedule::controlled(); ++step) {
      lock.unlock();
      backoff(step);
      lock.lock();
      if (done()) return;
    }
    cv.wait(lock);
  }

  bool unbounded() const { return bound == std::numeric_limits<size_t>::max(); }
  // A rendezvous sender's message sits in the queue while it waits, so room
  // is counted in messages that no sender waits behind.
  bool full() const { return bound != 0 && !unbounded() && queue.size() >= bound; }
};

}  // namespace internal

template <typename T>
class Receiver;

// Sender<T>: the sending half. Copy it to add a producer (Rust: `tx.clone()`);
// the channel disconnects for the receiver when the last copy is destroyed
// or closed.
template <typename T>
class Sender {
 public:
  Sender(const Sender& other) : state_(other.state_) {
    if (state_) {
      schedule::Quiet quiet;
      std::lock_guard<std::mutex> lock(state_->mu);
      state_->sender_count.fetch_add(1, std::memory_order_relaxed);
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

  // Sender<T>::send(): queues the value. On an unbounded channel it never
  // blocks; on sync_channel(n) it blocks while n messages wait, and with n = 0
  // until a receiver has taken this message. Fails with the value handed
  // back when the receiver is gone.
  // Memory ordering: everything the sender wrote before send() is visible to
  // the thread that receives the value.
  Result<void, SendError<T>> send(T value, std::source_location where = std::source_location::current()) {
    if (!state_) return Result<void, SendError<T>>(Err, std::move(value));
    auto& s = *state_;
    schedule::point(schedule::Op::kSend, &s, &s, where);
    schedule::Quiet quiet;
    schedule::Describe describe(&s, where);
    detector::stress_point();
    std::unique_lock<std::mutex> lock(s.mu);
    if (!s.receiver_alive) return Result<void, SendError<T>>(Err, std::move(value));
    while (s.full()) {
      ++s.senders_waiting;
      {
        detector::BlockScope waiting(s.send_wait, false, where);
        s.wait(s.not_full, lock, [&] { return !s.full() || !s.receiver_alive; });
      }
      --s.senders_waiting;
      if (!s.receiver_alive) return Result<void, SendError<T>>(Err, std::move(value));
    }
    uint64_t ticket = s.next_ticket++;
    s.queue.emplace_back(ticket, std::move(value));
    bool wake = s.receivers_waiting > 0;
    if (s.bound != 0) {
      // Notify after unlocking, so that the woken receiver does not at once
      // block on the lock we still hold. A receiver that starts waiting after
      // the unlock sees the message first and does not wait.
      lock.unlock();
      if (wake) s.not_empty.notify_one();
      return {};
    }
    if (wake) s.not_empty.notify_one();
    // Rendezvous: wait until a receiver took this very message.
    while (s.received <= ticket && s.receiver_alive) {
      ++s.senders_waiting;
      {
        detector::BlockScope waiting(s.send_wait, false, where);
        s.wait(s.not_full, lock, [&] { return s.received > ticket || !s.receiver_alive; });
      }
      --s.senders_waiting;
    }
    if (s.received <= ticket) return take_back(ticket);
    return {};
  }

  // Sender<T>::try_send(): like send() but never blocks: fails with Full on a
  // bounded channel with no room (with n = 0: unless a receiver is waiting).
  Result<void, TrySendError<T>> try_send(T value, std::source_location where = std::source_location::current()) {
    using E = TrySendError<T>;
    if (!state_) return Result<void, E>(Err, E::Kind::kDisconnected, std::move(value));
    auto& s = *state_;
    schedule::point(schedule::Op::kSend, &s, &s, where);
    schedule::Quiet quiet;
    std::unique_lock<std::mutex> lock(s.mu);
    if (!s.receiver_alive) return Result<void, E>(Err, E::Kind::kDisconnected, std::move(value));
    bool room = s.bound == 0 ? s.receivers_waiting > static_cast<int>(s.queue.size()) : !s.full();
    if (!room) return Result<void, E>(Err, E::Kind::kFull, std::move(value));
    s.queue.emplace_back(s.next_ticket++, std::move(value));
    if (s.receivers_waiting > 0) s.not_empty.notify_one();
    return {};
  }

  // Sender<T>::close(): this copy stops being a sender (Rust: `drop(tx)`).
  // The receiver sees the disconnection once every copy is closed.
  void close(std::source_location where = std::source_location::current()) {
    if (!state_) return;
    auto state = std::move(state_);
    {
      schedule::Quiet quiet;
      std::lock_guard<std::mutex> lock(state->mu);
      if (state->sender_count.fetch_sub(1, std::memory_order_relaxed) == 1) state->not_empty.notify_all();
    }
    // The receiver may see the disconnection from here on.
    schedule::point_after(schedule::Op::kClose, state.get(), state.get(), where);
  }

  // Sender<T>::is_closed(): this copy was closed or moved from.
  bool is_closed() const { return !state_; }

 private:
  template <typename U>
  friend std::pair<Sender<U>, Receiver<U>> make_channel_pair(size_t bound, std::source_location created);

  explicit Sender(std::shared_ptr<internal::ChannelState<T>> state) : state_(std::move(state)) {}

  // The receiver left before taking a rendezvous message: hand it back.
  Result<void, SendError<T>> take_back(uint64_t ticket) {
    auto& q = state_->queue;
    for (auto it = q.begin(); it != q.end(); ++it) {
      if (it->first == ticket) {
        T value = std::move(it->second);
        q.erase(it);
        return Result<void, SendError<T>>(Err, std::move(value));
      }
    }
    return {};
  }

  std::shared_ptr<internal::ChannelState<T>> state_;
};

// Receiver<T>: the receiving half. Move-only: one consumer per channel.
template <typename T>
class Receiver {
 public:
  Receiver(Receiver&&) noexcept = default;
  Receiver& operator=(Receiver&& other) noexcept {
    if (this != &other) {
      disconnect();
      state_ = std::move(other.state_);
    }
    return *this;
  }
  Receiver(const Receiver&) = delete;
  Receiver& operator=(const Receiver&) = delete;
  ~Receiver() { disconnect(); }

  // Receiver<T>::recv(): blocks until a message arrives and returns it; fails
  // with RecvError once the channel is empty and every Sender is gone.
  // Memory ordering: see Sender<T>::send().
  Result<T, RecvError> recv(std::source_location where = std::source_location::current()) {
    if (!state_) return Result<T, RecvError>(Err);
    auto& s = *state_;
    schedule::point(schedule::Op::kRecv, &s, &s, where);
    schedule::Quiet quiet;
    schedule::Describe describe(&s, where);
    detector::stress_point();
    std::unique_lock<std::mutex> lock(s.mu);
    while (s.queue.empty()) {
      if (s.sender_count.load(std::memory_order_relaxed) == 0) return Result<T, RecvError>(Err);
      ++s.receivers_waiting;
      {
        detector::BlockScope waiting(s.recv_wait, false, where);
        s.wait(s.not_empty, lock,
               [&] { return !s.queue.empty() || s.sender_count.load(std::memory_order_relaxed) == 0; });
      }
      --s.receivers_waiting;
    }
    return Result<T, RecvError>(pop(s));
  }

  // Receiver<T>::try_recv(): a message if one is waiting; never blocks.
  Result<T, TryRecvError> try_recv(std::source_location where = std::source_location::current()) {
    using E = TryRecvError;
    if (!state_) return Result<T, E>(Err, E::Kind::kDisconnected);
    auto& s = *state_;
    schedule::point(schedule::Op::kRecv, &s, &s, where);
    schedule::Quiet quiet;
    std::unique_lock<std::mutex> lock(s.mu);
    if (s.queue.empty()) {
      return Result<T, E>(Err, s.sender_count.load(std::memory_order_relaxed) == 0 ? E::Kind::kDisconnected
                                                                                    : E::Kind::kEmpty);
    }
    return Result<T, E>(pop(s));
  }

  // Receiver<T>::recv_timeout(): recv() that gives up after `timeout`.
  template <typename Rep, typename Period>
  Result<T, RecvTimeoutError> recv_timeout(std::chrono::duration<Rep, Period> timeout,
                                           std::source_location where = std::source_location::current()) {
    using E = RecvTimeoutError;
    if (!state_) return Result<T, E>(Err, E::Kind::kDisconnected);
    auto& s = *state_;
    schedule::point(schedule::Op::kRecv, &s, &s, where);
    schedule::Quiet quiet;
    schedule::Describe describe(&s, where);
    auto deadline = std::chrono::steady_clock::now() + timeout;
    std::unique_lock<std::mutex> lock(s.mu);
    while (s.queue.empty()) {
      if (s.sender_count.load(std::memory_order_relaxed) == 0) return Result<T, E>(Err, E::Kind::kDisconnected);
      ++s.receivers_waiting;
      bool timed_out;
      {
        detector::BlockScope waiting(s.recv_wait, true, where);
        timed_out = s.not_empty.wait_until(lock, deadline) == std::cv_status::timeout;
      }
      --s.receivers_waiting;
      if (timed_out && s.queue.empty()) {
        return Result<T, E>(Err, s.sender_count.load(std::memory_order_relaxed) == 0 ? E::Kind::kDisconnected
                                                                                      : E::Kind::kTimeout);
      }
    }
    return Result<T, E>(pop(s));
  }

  // Iteration: `for (T v : rx)` receives until the channel disconnects.
  class Iterator {
   public:
    using iterator_category = std::input_iterator_tag;
    using value_type = T;
    using difference_type = std::ptrdiff_t;
    using pointer = T*;
    using reference = T&;

    Iterator() = default;
    Iterator(Receiver* rx, bool blocking, std::source_location where) : rx_(rx), blocking_(blocking), where_(where) {
      advance();
    }
    T& operator*() { return *current_; }
    T* operator->() { return &*current_; }
    Iterator& operator++() {
      advance();
      return *this;
    }
    void operator++(int) { advance(); }
    bool operator==(const Iterator& other) const { return !current_ && !other.current_; }

   private:
    void advance() {
      current_.reset();
      if (rx_ == nullptr) return;
      if (blocking_) {
        auto r = rx_->recv(where_);
        if (r.is_ok()) current_.emplace(std::move(r).unwrap());
      } else {
        auto r = rx_->try_recv(where_);
        if (r.is_ok()) current_.emplace(std::move(r).unwrap());
      }
    }

    Receiver* rx_ = nullptr;
    bool blocking_ = true;
    std::source_location where_;  // The range-for, for deadlock reports.
    std::optional<T> current_;
  };

  Iterator begin(std::source_location where = std::source_location::current()) { return Iterator(this, true, where); }
  Iterator end() { return Iterator(); }

  // Receiver<T>::try_iter(): the messages waiting now, without blocking.
  struct TryIter {
    Receiver* rx;
    Iterator begin() { return Iterator(rx, false, std::source_location::current()); }
    Iterator end() { return Iterator(); }
  };
  TryIter try_iter() { return TryIter{this}; }

 private:
  template <typename U>
  friend std::pair<Sender<U>, Receiver<U>> make_channel_pair(size_t bound, std::source_location created);

  explicit Receiver(std::shared_ptr<internal::ChannelState<T>> state) : state_(std::move(state)) {}

  static T pop(internal::ChannelState<T>& s) {
    T value = std::move(s.queue.front().second);
    s.received = s.queue.front().first + 1;
    s.queue.pop_front();
    if (s.senders_waiting > 0) s.not_full.notify_all();
    return value;
  }

  void disconnect() {
    if (!state_) return;
    auto state = std::move(state_);
    {
      schedule::Quiet quiet;
      std::lock_guard<std::mutex> lock(state->mu);
      state->receiver_alive = false;
      state->not_full.notify_all();
    }
    schedule::point_after(schedule::Op::kClose, state.get(), state.get());
  }

  std::shared_ptr<internal::ChannelState<T>> state_;
};

template <typename U>
std::pair<Sender<U>, Receiver<U>> make_channel_pair(size_t bound, std::source_location created) {
  auto state = std::make_shared<internal::ChannelState<U>>(bound, created);
  return {Sender<U>(state), Receiver<U>(state)};
}

// channel<T>(): an unbounded channel; send never blocks.
template <typename T>
std::pair<Sender<T>, Receiver<T>> channel(std::source_location created = std::source_location::current()) {
  return make_channel_pair<T>(std::numeric_limits<size_t>::max(), created);
}

// sync_channel<T>(bound): a channel holding at most `bound` messages; with
// bound = 0 every send waits for a receiver (rendezvous).
template <typename T>
std::pair<Sender<T>, Receiver<T>> sync_channel(size_t bound,
                                               std::source_location created = std::source_location::current()) {
  return make_channel_pair<T>(bound, created);
}

}  // namespace racelings

#endif  // RACELINGS_PRIMITIVES_CHANNEL_H_
