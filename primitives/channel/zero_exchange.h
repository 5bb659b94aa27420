// channel/zero_exchange.h
// -----------------------------------------------------------------------------
//
// Internal to channel.h: the rendezvous (sync_channel(0)), after
// crossbeam-channel's zero flavor. A sender and a receiver meet: whichever
// comes second finds the first one's *packet* in a waiting list and
// completes the exchange. A packet lives on its waiter's stack: a waiting
// sender's holds a pointer to its message, a waiting receiver's an empty
// place for one. The lists sit behind a mutex held for a few instructions
// (crossbeam's zero flavor does the same: a meeting needs both sides). The
// waiter spins on its packet's state, then sleeps on that state (a futex),
// registered with the deadlock detector. The completing thread wakes it
// without a lock to retake: a condition variable's waiter would have to
// retake the mutex its waker holds, and sleep a second time for it.
//
// A packet's last touch by the completing thread is the exchange of its
// state (made under the mutex): a waiter that sees the new state may return
// and end the packet's life at once. If the exchange found the waiter
// asleep, a futex wake on the state's address follows, which at worst
// reaches a word the waiter has left (see futex.h).
//
// Under the controlled scheduler the waiter sleeps on the packet's
// condition variable instead, with the mutex, both of which the scheduler
// interposes: a futex sleep would be a wait it cannot see.
//
// Memory ordering: the message crosses under the mutex, and the state is
// exchanged with release and read with acquire: the receiver sees
// everything the sender wrote before send().
//
// Rust equivalent: crossbeam-channel's `flavors::zero::Channel<T>`.

#ifndef RACELINGS_PRIMITIVES_CHANNEL_ZERO_EXCHANGE_H_
#define RACELINGS_PRIMITIVES_CHANNEL_ZERO_EXCHANGE_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <source_location>
#include <type_traits>

#include "primitives/channel/common.h"
#include "primitives/detector.h"
#include "primitives/futex.h"
#include "primitives/plain_mutex.h"
#include "primitives/schedule/schedule.h"
#include "primitives/thread_annotations.h"

namespace racelings {
namespace internal {

template <typename P>
class ZeroExchange {
  static_assert(std::is_nothrow_move_constructible_v<P>, "messages are stored with moves that cannot throw");

 public:
  using Deadline = std::chrono::steady_clock::time_point;

  ZeroExchange() = default;
  ZeroExchange(const ZeroExchange&) = delete;
  ZeroExchange& operator=(const ZeroExchange&) = delete;

  // ZeroExchange::send(): hands `message` to a receiver, waiting for one
  // unless `may_wait` is false (then kNotNow when none waits). kDone once a
  // receiver has it; kDisconnected (message untouched) when the receiver is
  // gone first.
  Outcome send(P& message, bool may_wait, const detector::Waitable& what, const std::source_location& where) {
    PlainLock lock(mu_);
    if (disconnected_) return Outcome::kDisconnected;
    if (Packet* receiver = receivers_.pop()) {
      receiver->slot.emplace(std::move(message));
      complete(*receiver, Outcome::kDone);
      return Outcome::kDone;
    }
    if (!may_wait) return Outcome::kNotNow;
    Packet packet;
    packet.message = &message;
    senders_.push(&packet);
    offered_.fetch_add(1, std::memory_order_relaxed);
    lock.unlock();
    return wait(packet, nullptr, what, where);
  }

  // ZeroExchange::recv(): takes a message from a sender, waiting for one
  // unless `may_wait` is false, or until `deadline` (if not null).
  Outcome recv(std::optional<P>& out, bool may_wait, const Deadline* deadline, const detector::Waitable& what,
               const std::source_location& where) {
    PlainLock lock(mu_);
    if (Packet* sender = senders_.pop()) {
      offered_.fetch_sub(1, std::memory_order_relaxed);
      out.emplace(std::move(*sender->message));
      complete(*sender, Outcome::kDone);
      return Outcome::kDone;
    }
    if (disconnected_) return Outcome::kDisconnected;
    if (!may_wait) return Outcome::kNotNow;
    Packet packet;
    receivers_.push(&packet);
    lock.unlock();
    Outcome outcome = wait(packet, deadline, what, where);
    if (outcome == Outcome::kDone) out.emplace(std::move(*packet.slot));
    return outcome;
  }

  // Fails every waiting sender and receiver, and every later call.
  void disconnect() {
    PlainLock lock(mu_);
    disconnected_ = true;
    while (Packet* p = senders_.pop()) complete(*p, Outcome::kDisconnected);
    while (Packet* p = receivers_.pop()) complete(*p, Outcome::kDisconnected);
    offered_.store(0, std::memory_order_relaxed);
  }

  // Senders waiting with a message, for the step log.
  int offered() const { return offered_.load(std::memory_order_relaxed); }

 private:
  // A packet's state: kWaiting, kParked once its waiter sleeps on it (a
  // futex), then the outcome.
  static constexpr uint32_t kWaiting = static_cast<uint32_t>(Outcome::kNotNow);
  static constexpr uint32_t kParked = 0xff;
  static Outcome outcome_of(uint32_t state) {
    return state == kParked ? Outcome::kNotNow : static_cast<Outcome>(state);
  }

  struct Packet {
    std::atomic<uint32_t> state{kWaiting};
    P* message = nullptr;             // A sender's message.
    std::optional<P> slot;            // A receiver's, once it came.
    bool sleeping = false;            // On `wake` (controlled scheduler); guarded by mu_.
    std::condition_variable wake;     // Waited on with mu_.
    Packet* prev = nullptr;           // Guarded by mu_.
    Packet* next = nullptr;
  };

  // A FIFO of waiting packets (guarded by mu_).
  struct Waiting {
    Packet* first = nullptr;
    Packet* last = nullptr;
    void push(Packet* p) {
      p->prev = last;
      p->next = nullptr;
      (last != nullptr ? last->next : first) = p;
      last = p;
    }
    Packet* pop() {
      Packet* p = first;
      if (p != nullptr) remove(p);
      return p;
    }
    void remove(Packet* p) {
      (p->prev != nullptr ? p->prev->next : first) = p->next;
      (p->next != nullptr ? p->next->prev : last) = p->prev;
    }
  };

  // Ends `p`'s wait with `outcome`.
  void complete(Packet& p, Outcome outcome) REQUIRES(mu_) {
    bool on_condvar = p.sleeping;
    uint32_t before = p.state.exchange(static_cast<uint32_t>(outcome), std::memory_order_release);
    if (before == kParked) {
      futex_wake(&p.state, 1);
    } else if (on_condvar) {
      // That waiter needs mu_ (held here) to return: `p` is still alive.
      p.wake.notify_one();
    }
  }

  // Waits until another thread completes `p`, or until `deadline`.
  Outcome wait(Packet& p, const Deadline* deadline, const detector::Waitable& what, const std::source_location& where) {
    // Under the controlled scheduler nobody runs while this thread spins.
    if (schedule::controlled()) return wait_controlled(p, deadline, what, where);
    for (int round = 0; round < kSpinRounds; ++round) {
      for (Backoff backoff; !backoff.completed(); backoff.snooze()) {
        uint32_t state = p.state.load(std::memory_order_acquire);
        if (state != kWaiting) return outcome_of(state);
      }
    }
    uint32_t state = kWaiting;
    if (!p.state.compare_exchange_strong(state, kParked, std::memory_order_acquire)) return outcome_of(state);
    detector::BlockScope waiting(what, deadline != nullptr, where);
    while ((state = p.state.load(std::memory_order_acquire)) == kParked) {
      if (!futex_wait(&p.state, kParked, deadline)) return give_up(p);
    }
    return outcome_of(state);
  }

  // The wait under the controlled scheduler, on the packet's condition
  // variable with mu_, which the scheduler sees.
  Outcome wait_controlled(Packet& p, const Deadline* deadline, const detector::Waitable& what,
                          const std::source_location& where) {
    PlainLock lock(mu_);
    if (p.state.load(std::memory_order_relaxed) == kWaiting) {
      detector::BlockScope waiting(what, deadline != nullptr, where);
      p.sleeping = true;
      while (p.state.load(std::memory_order_relaxed) == kWaiting) {
        if (deadline == nullptr) {
          p.wake.wait(lock.native());
        } else if (p.wake.wait_until(lock.native(), *deadline) == std::cv_status::timeout &&
                   p.state.load(std::memory_order_relaxed) == kWaiting) {
          withdraw(p);
          return Outcome::kTimedOut;
        }
      }
    }
    return outcome_of(p.state.load(std::memory_order_relaxed));
  }

  // The deadline passed while `p` waited asleep: withdraws it, unless a
  // partner completed it first (completions happen under mu_).
  Outcome give_up(Packet& p) {
    PlainLock lock(mu_);
    uint32_t state = p.state.load(std::memory_order_acquire);
    if (state != kParked) return outcome_of(state);
    withdraw(p);
    return Outcome::kTimedOut;
  }

  void withdraw(Packet& p) REQUIRES(mu_) {
    (p.message != nullptr ? senders_ : receivers_).remove(&p);
    if (p.message != nullptr) offered_.fetch_sub(1, std::memory_order_relaxed);
  }

  PlainMutex mu_;
  Waiting senders_ GUARDED_BY(mu_);
  Waiting receivers_ GUARDED_BY(mu_);
  bool disconnected_ GUARDED_BY(mu_) = false;
  std::atomic<int> offered_{0};
};

}  // namespace internal
}  // namespace racelings

#endif  // RACELINGS_PRIMITIVES_CHANNEL_ZERO_EXCHANGE_H_
