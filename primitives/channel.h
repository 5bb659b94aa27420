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
// Several threads may receive through one Receiver (by reference) at once:
// each message goes to one of them (Rust asks for a Mutex around it).
//
// How it works (channel/): the queues are crossbeam-channel's, which Rust's
// mpsc has ported since 1.67: lock-free linked blocks for channel(), a
// lock-free ring of stamped slots for sync_channel(n), and a meeting point
// for sync_channel(0). Only a thread that must wait leaves the fast path: it
// spins briefly, then sleeps where the deadlock detector sees what it waits
// for. Under the controlled scheduler every operation is one scheduling
// point, and waits go through the scheduler. send() and recv() are inlined
// into the caller: one branch checks that neither the scheduler nor schedule
// stress runs, then comes the queue's lock-free attempt (for channel()); the
// rest is out of line.
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

#include <chrono>
#include <cstddef>
#include <iterator>
#include <memory>
#include <optional>
#include <source_location>
#include <utility>

#include "primitives/channel/common.h"
#include "primitives/channel/state.h"
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
      state_->add_sender();
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
  [[gnu::always_inline]] Result<void, SendError<T>> send(T value,
                                                         std::source_location where = std::source_location::current()) {
    if (state_ && internal::uninstrumented()) [[likely]]
      return send_on(*state_, std::move(value), where);
    return send_instrumented(std::move(value), where);
  }

  // Sender<T>::try_send(): like send() but never blocks: fails with Full on a
  // bounded channel with no room (with n = 0: unless a receiver is waiting).
  Result<void, TrySendError<T>> try_send(T value, std::source_location where = std::source_location::current()) {
    using E = TrySendError<T>;
    if (!state_) return Result<void, E>(Err, E::Kind::kDisconnected, std::move(value));
    auto& s = *state_;
    schedule::point(schedule::Op::kSend, &s, &s, where);
    schedule::Quiet quiet;
    auto payload = internal::pack(std::move(value));
    internal::Outcome outcome = s.send(payload, false, where);
    if (outcome == internal::Outcome::kDone) return {};
    auto kind = outcome == internal::Outcome::kNotNow ? E::Kind::kFull : E::Kind::kDisconnected;
    return Result<void, E>(Err, kind, internal::unpack<T>(std::move(payload)));
  }

  // Sender<T>::close(): this copy stops being a sender (Rust: `drop(tx)`).
  // The receiver sees the disconnection once every copy is closed.
  void close(std::source_location where = std::source_location::current()) {
    if (!state_) return;
    auto state = std::move(state_);
    {
      schedule::Quiet quiet;
      state->remove_sender();
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

  // The send itself, once the scheduler and stress had their turn (or have
  // none in this process).
  [[gnu::always_inline]] static Result<void, SendError<T>> send_on(internal::ChannelState<T>& s, T&& value,
                                                                   const std::source_location& where) {
    auto payload = internal::pack(std::move(value));
    if (s.send(payload, true, where) == internal::Outcome::kDone) [[likely]]
      return {};
    return Result<void, SendError<T>>(Err, internal::unpack<T>(std::move(payload)));
  }

  // send() under the controlled scheduler or schedule stress, or on a closed
  // Sender.
  [[gnu::noinline]] Result<void, SendError<T>> send_instrumented(T value, const std::source_location& where) {
    if (!state_) return Result<void, SendError<T>>(Err, std::move(value));
    auto& s = *state_;
    schedule::point(schedule::Op::kSend, &s, &s, where);
    schedule::Quiet quiet;
    if (detector::internal::stress_on()) detector::stress_point();
    return send_on(s, std::move(value), where);
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
  [[gnu::always_inline]] Result<T, RecvError> recv(std::source_location where = std::source_location::current()) {
    if (state_ && internal::uninstrumented()) [[likely]]
      return recv_on(*state_, where);
    return recv_instrumented(where);
  }

  // Receiver<T>::try_recv(): a message if one is waiting; never blocks.
  Result<T, TryRecvError> try_recv(std::source_location where = std::source_location::current()) {
    using E = TryRecvError;
    if (!state_) return Result<T, E>(Err, E::Kind::kDisconnected);
    auto& s = *state_;
    schedule::point(schedule::Op::kRecv, &s, &s, where);
    schedule::Quiet quiet;
    std::optional<Payload> got;
    switch (s.recv(got, false, nullptr, where)) {
      case internal::Outcome::kDone:
        return Result<T, E>(internal::unpack<T>(std::move(*got)));
      case internal::Outcome::kDisconnected:
        return Result<T, E>(Err, E::Kind::kDisconnected);
      default:
        return Result<T, E>(Err, E::Kind::kEmpty);
    }
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
    auto deadline = std::chrono::steady_clock::now() + timeout;
    std::optional<Payload> got;
    switch (s.recv(got, true, &deadline, where)) {
      case internal::Outcome::kDone:
        return Result<T, E>(internal::unpack<T>(std::move(*got)));
      case internal::Outcome::kDisconnected:
        return Result<T, E>(Err, E::Kind::kDisconnected);
      default:
        // Timed out; a channel that disconnected meanwhile says so.
        return Result<T, E>(Err, s.sender_count() == 0 ? E::Kind::kDisconnected : E::Kind::kTimeout);
    }
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
  using Payload = internal::Payload<T>;

  template <typename U>
  friend std::pair<Sender<U>, Receiver<U>> make_channel_pair(size_t bound, std::source_location created);

  explicit Receiver(std::shared_ptr<internal::ChannelState<T>> state) : state_(std::move(state)) {}

  // The receive itself, as send_on().
  [[gnu::always_inline]] static Result<T, RecvError> recv_on(internal::ChannelState<T>& s,
                                                             const std::source_location& where) {
    std::optional<Payload> got;
    if (s.recv(got, true, nullptr, where) != internal::Outcome::kDone) [[unlikely]]
      return Result<T, RecvError>(Err);
    return Result<T, RecvError>(internal::unpack<T>(std::move(*got)));
  }

  // recv() under the controlled scheduler or schedule stress, or on a closed
  // Receiver.
  [[gnu::noinline]] Result<T, RecvError> recv_instrumented(const std::source_location& where) {
    if (!state_) return Result<T, RecvError>(Err);
    auto& s = *state_;
    schedule::point(schedule::Op::kRecv, &s, &s, where);
    schedule::Quiet quiet;
    if (detector::internal::stress_on()) detector::stress_point();
    return recv_on(s, where);
  }

  void disconnect() {
    if (!state_) return;
    auto state = std::move(state_);
    {
      schedule::Quiet quiet;
      state->remove_receiver();
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
  return make_channel_pair<T>(internal::kUnbounded, created);
}

// sync_channel<T>(bound): a channel holding at most `bound` messages; with
// bound = 0 every send waits for a receiver (rendezvous). Throws
// std::length_error for a bound too large to allocate.
template <typename T>
std::pair<Sender<T>, Receiver<T>> sync_channel(size_t bound,
                                               std::source_location created = std::source_location::current()) {
  return make_channel_pair<T>(bound, created);
}

}  // namespace racelings

#endif  // RACELINGS_PRIMITIVES_CHANNEL_H_
