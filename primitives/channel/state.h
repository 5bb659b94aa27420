// channel/state.h
// -----------------------------------------------------------------------------
//
// Internal to channel.h: `ChannelState<T>`, what a channel's Senders and its
// Receiver share: one of the three queues (list_queue.h for channel(),
// array_queue.h for sync_channel(n > 0), zero_exchange.h for
// sync_channel(0)), the count of Senders, and the blocking operations built
// on them. A send or receive first tries the queue, which is lock-free for
// the list and array flavors; when it cannot go on it spins a little
// (crossbeam's Backoff: the other side often runs on another core), and only
// then takes the slow path: it sleeps (sleepers.h, or the rendezvous
// packet's wait) registered with the deadlock detector, which describes the
// wait with RecvWait/SendWait below, exactly as before the queues were
// lock-free.
//
// Under the controlled scheduler threads take turns, so nobody spins: a
// thread that cannot go on goes straight to the slow path, whose mutex and
// condition variable the scheduler sees through its interposition.
//
// Rust equivalent: crossbeam-channel's `counter::Counter<Channel<T>>` and
// its `SenderFlavor`/`ReceiverFlavor`.

#ifndef RACELINGS_PRIMITIVES_CHANNEL_STATE_H_
#define RACELINGS_PRIMITIVES_CHANNEL_STATE_H_

#include <atomic>
#include <chrono>
#include <cstddef>
#include <limits>
#include <optional>
#include <source_location>
#include <string>

#include "primitives/channel/array_queue.h"
#include "primitives/channel/common.h"
#include "primitives/channel/list_queue.h"
#include "primitives/channel/sleepers.h"
#include "primitives/channel/zero_exchange.h"
#include "primitives/detector.h"
#include "primitives/schedule/schedule.h"

namespace racelings {
namespace internal {

inline constexpr size_t kUnbounded = std::numeric_limits<size_t>::max();

// uninstrumented(): neither the controlled scheduler nor schedule stress
// runs in this process, so a send or receive needs no scheduling point, no
// Quiet scope (which only matters to the scheduler) and no stress point: one
// branch on the fast path. Both settings are fixed before a second thread
// exists (stress reads -1 until first asked: then the instrumented path asks).
[[gnu::always_inline]] inline bool uninstrumented() {
  return (int{schedule::internal::g_controlled} | detector::internal::stress_state.load(std::memory_order_relaxed)) ==
         0;
}

template <typename T>
class ChannelState final : public schedule::Traced {
 public:
  using P = Payload<T>;
  using Deadline = std::chrono::steady_clock::time_point;

  ChannelState(size_t bound, std::source_location created)
      : bound_(bound),
        flavor_(bound == kUnbounded ? Flavor::kList
                : bound == 0        ? Flavor::kZero
                                    : Flavor::kArray),
        created_(created) {
    if (bound == kUnbounded) {
      list_.emplace();
    } else if (bound == 0) {
      zero_.emplace();
    } else {
      array_.emplace(bound);
    }
  }

  // ChannelState::send(): queues `message` (moved from only on kDone),
  // blocking on a full bounded channel and, for a rendezvous, until a
  // receiver has it (unless `may_wait` is false: then kNotNow). The
  // lock-free attempt is inlined into the caller; waiting is not.
  [[gnu::always_inline]] Outcome send(P& message, bool may_wait, const std::source_location& where) {
    if (flavor_ != Flavor::kZero) [[likely]] {
      Outcome outcome = flavor_ == Flavor::kList ? list_->push(message) : array_->push(message);
      if (outcome == Outcome::kDone) receivers_.wake_one();
      if (outcome != Outcome::kNotNow || !may_wait) return outcome;
    }
    return send_slow(message, may_wait, where);
  }

  // ChannelState::recv(): takes the oldest message into `out`, blocking
  // while the channel is empty and connected (unless `may_wait` is false:
  // then kNotNow), or until `deadline` (if not null: then kTimedOut).
  [[gnu::always_inline]] Outcome recv(std::optional<P>& out, bool may_wait, const Deadline* deadline,
                                      const std::source_location& where) {
    if (flavor_ != Flavor::kZero) [[likely]] {
      Outcome outcome = pop(out);
      if (outcome != Outcome::kNotNow || !may_wait) return outcome;
    }
    return recv_slow(out, may_wait, deadline, where);
  }

  // A Sender was copied.
  void add_sender() { sender_count_.fetch_add(1, std::memory_order_relaxed); }

  // A Sender was closed; the last one disconnects the channel.
  void remove_sender() {
    if (sender_count_.fetch_sub(1, std::memory_order_acq_rel) == 1) disconnect(receivers_);
  }

  // The Receiver was closed.
  void remove_receiver() {
    receiver_alive_.store(false, std::memory_order_relaxed);
    disconnect(senders_);
  }

  int sender_count() const { return sender_count_.load(std::memory_order_relaxed); }
  size_t bound() const { return bound_; }

  // For the controlled scheduler's step log, read while the other threads
  // wait for their turn.
  std::string trace_name() const override {
    std::string file = created_.file_name();
    auto slash = file.rfind('/');
    if (slash != std::string::npos) file = file.substr(slash + 1);
    std::string kind = bound_ == kUnbounded ? "channel" : "sync_channel(" + std::to_string(bound_) + ")";
    return kind + " 'created at " + file + ":" + std::to_string(created_.line()) + "'";
  }
  std::string trace_state() const override {
    size_t queued = list_ ? list_->size() : array_ ? array_->size() : static_cast<size_t>(zero_->offered());
    int senders = sender_count();
    return std::to_string(queued) + " queued, " + std::to_string(senders) + (senders == 1 ? " sender" : " senders") +
           (receiver_alive_.load(std::memory_order_relaxed) ? "" : ", receiver gone");
  }

 private:
  // Descriptions of a blocked receiver and a blocked sender for reports.
  struct RecvWait final : detector::Waitable {
    const ChannelState* state;
    explicit RecvWait(const ChannelState* s) : state(s) {}
    std::string describe_wait() const override {
      int senders = state->sender_count();
      return "waits to receive on an empty channel (" + std::to_string(senders) +
             (senders == 1 ? " Sender is" : " Senders are") +
             " still alive, so the channel is not closed and the receive cannot end)";
    }
  };
  struct SendWait final : detector::Waitable {
    const ChannelState* state;
    explicit SendWait(const ChannelState* s) : state(s) {}
    std::string describe_wait() const override {
      if (state->bound_ == 0) return "waits for a receiver to take its message (rendezvous channel: sync_channel(0))";
      return "waits to send on a full channel (sync_channel(" + std::to_string(state->bound_) +
             "): nobody receives to make room)";
    }
  };

  // The list's fast paths are inlined into every send and receive; the
  // array's push and pop are calls (sync_channel(n) is the rarer flavor).
  [[gnu::always_inline]] Outcome pop(std::optional<P>& out) {
    if (flavor_ == Flavor::kList) [[likely]]
      return list_->pop(out);
    Outcome outcome = array_->pop(out);
    if (outcome == Outcome::kDone) senders_.wake_one();
    return outcome;
  }

  // A send that must wait: a rendezvous, or a full bounded channel (spin a
  // little, then sleep until a receive makes room).
  [[gnu::noinline]] Outcome send_slow(P& message, bool may_wait, const std::source_location& where) {
    schedule::Describe describe(this, where);
    if (zero_) return zero_->send(message, may_wait, send_wait_, where);
    for (;;) {
      // Under the controlled scheduler nobody runs while this thread spins.
      for (int round = 0; round < kSpinRounds && !schedule::controlled(); ++round) {
        for (Backoff backoff; !backoff.completed();) {
          backoff.snooze();
          Outcome outcome = array_->push(message);
          if (outcome == Outcome::kDone) receivers_.wake_one();
          if (outcome != Outcome::kNotNow) return outcome;
        }
      }
      senders_.sleep([&] { return !array_->full_and_connected(); }, send_wait_, nullptr, where);
      Outcome outcome = array_->push(message);
      if (outcome == Outcome::kDone) receivers_.wake_one();
      if (outcome != Outcome::kNotNow) return outcome;
    }
  }

  // A receive that must wait: a rendezvous, or an empty channel (spin a
  // little, then sleep until a send or a disconnection).
  [[gnu::noinline]] Outcome recv_slow(std::optional<P>& out, bool may_wait, const Deadline* deadline,
                                      const std::source_location& where) {
    schedule::Describe describe(this, where);
    if (zero_) return zero_->recv(out, may_wait, deadline, recv_wait_, where);
    auto ready = [&] { return list_ ? !list_->empty_and_connected() : !array_->empty_and_connected(); };
    for (;;) {
      for (int round = 0; round < kSpinRounds && !schedule::controlled(); ++round) {
        for (Backoff backoff; !backoff.completed();) {
          backoff.snooze();
          Outcome outcome = pop(out);
          if (outcome != Outcome::kNotNow) return outcome;
        }
      }
      if (deadline != nullptr && std::chrono::steady_clock::now() >= *deadline) return Outcome::kTimedOut;
      bool timed_out = receivers_.sleep(ready, recv_wait_, deadline, where);
      Outcome outcome = pop(out);
      if (outcome != Outcome::kNotNow) return outcome;
      if (timed_out) return Outcome::kTimedOut;
    }
  }

  // Marks the channel disconnected and wakes whoever sleeps on `side`.
  void disconnect(Sleepers& side) {
    if (zero_) {
      zero_->disconnect();
      return;
    }
    if (list_) {
      list_->disconnect();
    } else {
      array_->disconnect();
    }
    side.wake_all();
  }

  // Which one of list_, array_, zero_ the channel uses: one load to dispatch.
  enum class Flavor : unsigned char { kList, kArray, kZero };

  const size_t bound_;
  const Flavor flavor_;
  const std::source_location created_;
  std::optional<ListQueue<P>> list_;
  std::optional<ArrayQueue<P>> array_;
  std::optional<ZeroExchange<P>> zero_;
  Sleepers receivers_;  // Receivers of an empty list or array queue.
  Sleepers senders_;    // Senders of a full array queue.
  std::atomic<int> sender_count_{1};  // Relaxed for reports; acq_rel when it drops.
  std::atomic<bool> receiver_alive_{true};  // Only for the step log.
  RecvWait recv_wait_{this};
  SendWait send_wait_{this};
};

}  // namespace internal
}  // namespace racelings

#endif  // RACELINGS_PRIMITIVES_CHANNEL_STATE_H_
