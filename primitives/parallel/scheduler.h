// scheduler.h
// -----------------------------------------------------------------------------
//
// The work-stealing scheduler under parallel.h: a registry of worker threads
// (one per pool), each with a `WorkStealingDeque` of jobs (deque.h), plus an
// injector queue for jobs that come from threads outside the pool. This is
// the internal interface; programs use parallel.h (`join`, `ParallelPool`,
// `par_iter`, `par_*`).
//
// How a join(a, b) runs on a worker: b is packaged as a `StackJob` on the
// caller's stack and pushed on the worker's own deque; the worker runs a;
// then it pops b back and runs it inline if nobody stole it. If b was stolen,
// the worker does not sleep: it steals and runs other jobs until b's latch is
// set, and only when there is nothing at all to do does it sleep, to be woken
// by the thief (or by new work). A thread outside the pool that calls join()
// or a par_* function takes one of a few external slots (a deque without a
// thread of its own) and works like a worker until its operation is done;
// install(), or any call when the slots are taken, injects the whole
// operation as one job and blocks until a worker has run it.
//
// Sleeping and waking (the part that must not lose a wakeup): a worker goes
// to sleep in three steps under the registry's sleep mutex: it adds itself
// to the list of sleepers and increments `num_sleeping_` (seq_cst), checks
// every deque and the injector once more (seq_cst loads), and only then
// waits on its condition variable. A thread that publishes a job stores it
// first (seq_cst store of the deque's bottom, or a seq_cst increment of the
// injector count) and then reads `num_sleeping_` (seq_cst). All four
// operations are in one total order: either the sleeper's re-check sees the
// job, or the publisher sees the sleeper and wakes it under the sleep mutex.
// A latch that a sleeping worker waits for is marked SLEEPING by that worker
// under the same mutex, so whoever sets it knows it must wake that worker.
//
// What the deadlock detector sees: a thread outside the pool waiting for its
// injected job, and a worker sleeping until a stolen half of its join() is
// done, wait with no timeout. A sleeping idle worker counts as blocked only
// while some thread waits for a job of this pool (from outside, or from
// another pool's install()), as idle ThreadPool workers do during join()
// (see thread_pool.h for why that is right); the first waiter to come and
// the last to leave wake the sleepers so that they sleep again in the right
// mode (such a wake sends a worker straight back to sleep, without spinning
// for work). So a job that blocks forever on something the waiting thread
// would provide ends in an "all threads are blocked" report instead of a
// hang, while the global pool's idle workers, which outlive main(), never
// make one.
//
// Rust equivalent: rayon-core's `Registry`, `WorkerThread`, `StackJob`,
// `SpinLatch`/`LockLatch` and its sleep module, simplified.

#ifndef RACELINGS_PRIMITIVES_PARALLEL_SCHEDULER_H_
#define RACELINGS_PRIMITIVES_PARALLEL_SCHEDULER_H_

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <source_location>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "primitives/detector.h"
#include "primitives/parallel/deque.h"
#include "primitives/plain_mutex.h"
#include "primitives/thread.h"
#include "primitives/thread_annotations.h"

namespace racelings {
namespace internal {

class Registry;
class WorkerThread;

// The worker the calling thread is, or nullptr outside every pool. Set once
// by the worker itself; constant-initialised, so reading it is one TLS load.
inline thread_local WorkerThread* tls_current_worker = nullptr;

// What a void callable "returns" inside the scheduler.
template <typename R>
using JobResult = std::conditional_t<std::is_void_v<R>, std::monostate, R>;

// A job in a deque or the injector: a function pointer and the object it
// runs on. The object lives on the stack of the thread that waits for it.
struct JobBase {
  void (*execute_fn)(JobBase*) = nullptr;
  void execute() { execute_fn(this); }
};

// SpinLatch: "the stolen job is done", waited for by a worker of `registry`
// that keeps running other jobs meanwhile (WorkerThread::wait_until).
class SpinLatch {
 public:
  // `cross`: set by a worker of another pool (install() from inside a pool),
  // which must keep the owner's registry alive while it wakes the owner.
  SpinLatch(Registry* registry, size_t owner_index, bool cross)
      : registry_(registry), owner_index_(owner_index), cross_(cross) {}
  SpinLatch(const SpinLatch&) = delete;
  SpinLatch& operator=(const SpinLatch&) = delete;

  // SpinLatch::probe(): whether set. Never blocks.
  // Memory ordering: after probe() returns true, everything the setter wrote
  // before set() (the job's result) is visible.
  bool probe() const {
    // Acquire: pairs with the release half of set()'s exchange.
    return state_.load(std::memory_order_acquire) == kSet;
  }

  // SpinLatch::set(): marks the job done and wakes the owner if it sleeps.
  // Must be the setter's last access to the job: the owner may return and
  // free it the moment it sees the latch set. Defined in scheduler.cc.
  void set();

  // The owner, under the registry's sleep mutex, before it sleeps: false if
  // the latch is already set (then it must not sleep).
  bool try_mark_sleeping() {
    int expected = kUnset;
    // Acq_rel: the latch's state is a single RMW chain; on failure (set) the
    // acquire lets the owner read the result right away.
    return state_.compare_exchange_strong(expected, kSleeping, std::memory_order_acq_rel, std::memory_order_acquire);
  }
  // The owner, awake again and not yet seeing the latch set.
  void unmark_sleeping() {
    int expected = kSleeping;
    // Relaxed: only moves the state back; if set() won, nothing changes.
    state_.compare_exchange_strong(expected, kUnset, std::memory_order_relaxed);
  }

 private:
  static constexpr int kUnset = 0;
  static constexpr int kSleeping = 1;
  static constexpr int kSet = 2;

  std::atomic<int> state_{kUnset};
  Registry* const registry_;
  const size_t owner_index_;
  const bool cross_;
};

// LockLatch: "the injected job is done", waited for by a thread outside the
// pool, which blocks (seen by the deadlock detector).
class LockLatch final : private detector::Waitable {
 public:
  explicit LockLatch(std::source_location where) : where_(where) {}
  LockLatch(const LockLatch&) = delete;
  LockLatch& operator=(const LockLatch&) = delete;

  // LockLatch::set(): never blocks for long. The notify happens under the
  // mutex: the waiter may destroy the latch once it sees `set_`.
  void set() {
    internal::PlainLock lock(mu_);
    set_ = true;
    cv_.notify_all();
  }

  // LockLatch::wait(): blocks until set().
  // Memory ordering: everything the setter wrote before set() is visible.
  void wait() {
    internal::PlainLock lock(mu_);
    while (!set_) {
      if (detector::enabled()) {
        detector::BlockScope waiting(*this, /*has_timeout=*/false, where_);
        cv_.wait(lock.native());
      } else {
        cv_.wait(lock.native());
      }
    }
  }

 private:
  std::string describe_wait() const override {
    return "waits for a parallel pool to run the job it handed over (join, install or a par_* call)";
  }

  internal::PlainMutex mu_;
  std::condition_variable cv_;
  bool set_ GUARDED_BY(mu_) = false;
  std::source_location where_;
};

// StackJob<F, L>: runs `f` once (inline or on a thief) and keeps its result
// or exception until take(). Lives on the stack of the thread that waits.
template <typename F, typename L>
class StackJob : public JobBase {
 public:
  using R = std::invoke_result_t<F&>;

  template <typename... LatchArgs>
  explicit StackJob(F& f, LatchArgs&&... latch_args) : f_(f), latch_(std::forward<LatchArgs>(latch_args)...) {
    execute_fn = &StackJob::execute_stolen;
  }
  StackJob(const StackJob&) = delete;
  StackJob& operator=(const StackJob&) = delete;

  // Runs f here and now, on the thread that owns the job; the latch is not
  // used then.
  void run_inline() noexcept {
    try {
      if constexpr (std::is_void_v<R>) {
        std::invoke(f_);
        result_.emplace();
      } else {
        result_.emplace(std::invoke(f_));
      }
    } catch (...) {
      error_ = std::current_exception();
    }
  }

  // The result, or f's exception rethrown. Only after the job ran.
  JobResult<R> take() {
    if (error_) std::rethrow_exception(error_);
    return std::move(*result_);
  }

  L& latch() { return latch_; }

 private:
  static void execute_stolen(JobBase* base) {
    auto* self = static_cast<StackJob*>(base);
    self->run_inline();
    self->latch_.set();  // The last access to *self.
  }

  F& f_;
  L latch_;
  std::optional<JobResult<R>> result_;
  std::exception_ptr error_;
};

// One worker thread of a registry. Only the worker itself touches `deque`'s
// owner end and `rng`; `woken` is guarded by the registry's sleep mutex.
class WorkerThread {
 public:
  WorkerThread(Registry* registry, size_t index)
      : registry_(registry), index_(index), rng_(0x9E3779B97F4A7C15ULL * (index + 1)) {}
  WorkerThread(const WorkerThread&) = delete;
  WorkerThread& operator=(const WorkerThread&) = delete;

  Registry& registry() const { return *registry_; }
  size_t index() const { return index_; }

  // Pushes a job other workers may steal, waking a sleeping one. False when
  // the deque is full: then the caller runs the job itself.
  inline bool push(JobBase* job);
  // The newest job of this worker's own deque, if still there.
  JobBase* pop() { return deque_.pop(); }

  // Runs other jobs (its own, stolen, injected) until `latch` is set;
  // sleeps when there is nothing to run.
  void wait_until(SpinLatch& latch);

  // One job from anywhere, or nullptr.
  JobBase* find_work();

 private:
  friend class Registry;

  uint64_t next_random() {
    // xorshift64: private to the worker, only picks the first victim.
    rng_ ^= rng_ << 13;
    rng_ ^= rng_ >> 7;
    rng_ ^= rng_ << 17;
    return rng_;
  }

  Registry* const registry_;
  const size_t index_;
  uint64_t rng_;
  WorkStealingDeque<JobBase> deque_;
  // Sleeping: guarded by Registry::sleep_mu_.
  std::condition_variable cv_;
  bool woken_ = false;
  bool reregister_ = false;  // The wake was only for the detector (Registry::sleep).
};

// The pool's options (see ParallelPoolBuilder in parallel.h).
struct RegistryOptions {
  size_t num_threads = 0;  // 0: std::thread::hardware_concurrency() (at least 1).
  std::string thread_name = "par-worker";
  size_t stack_size = 0;   // 0: the system's default.
  std::source_location created = std::source_location::current();
};

class Registry : public std::enable_shared_from_this<Registry> {
 public:
  // Starts the workers. Throws std::system_error if a thread cannot start.
  static std::shared_ptr<Registry> create(RegistryOptions options);
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // The pool's own threads.
  size_t num_threads() const { return num_threads_; }
  // Deques: one per thread, then kExternalSlots for callers from outside.
  size_t num_slots() const { return workers_.size(); }
  WorkerThread& worker(size_t i) { return *workers_[i]; }

  // How many threads outside the pool may work in it at once (see in_worker).
  static constexpr size_t kExternalSlots = 4;

  // Runs `op` as a worker of this registry and returns its result (or
  // rethrows its exception). From one of this registry's workers: calls it
  // directly. From a thread outside every pool, with `participate`, and if
  // one of the kExternalSlots deques is free: the calling thread takes that
  // slot and runs `op` itself, as a worker without a thread of its own (its
  // joins push onto the slot's deque, the pool's workers steal from it, and
  // it helps while it waits), which spares the two wake-ups of handing the
  // job over and back (oneTBB's "master thread" does the same). Otherwise
  // from outside: injects `op` and blocks until a worker ran it. From a
  // worker of another pool: injects it and keeps that worker busy with its
  // own pool's jobs until done.
  template <typename Op>
  std::invoke_result_t<Op&> in_worker(Op& op, const std::source_location& where, bool participate = false) {
    using R = std::invoke_result_t<Op&>;
    WorkerThread* w = tls_current_worker;
    if (w != nullptr && &w->registry() == this) return std::invoke(op);
    WaiterScope waiter(*this);
    if (w == nullptr && participate) {
      if (WorkerThread* slot = claim_slot()) {
        SlotScope scope(*this, *slot);
        return std::invoke(op);
      }
    }
    if (w == nullptr) {
      StackJob<Op, LockLatch> job(op, where);
      inject(&job);
      job.latch().wait();
      if constexpr (std::is_void_v<R>) {
        job.take();
      } else {
        return job.take();
      }
    } else {
      StackJob<Op, SpinLatch> job(op, &w->registry(), w->index(), /*cross=*/true);
      inject(&job);
      w->wait_until(job.latch());
      if constexpr (std::is_void_v<R>) {
        job.take();
      } else {
        return job.take();
      }
    }
  }

  // Queues a job from outside and wakes a worker.
  void inject(JobBase* job);
  // A job from the injector, or nullptr.
  JobBase* pop_injected();

  // Wakes one sleeping worker if any sleeps: called after a job was
  // published. The fast path is one load.
  void notify_new_work() {
    // Seq_cst: the load half of the Dekker pattern described at the top.
    if (num_sleeping_.load(std::memory_order_seq_cst) == 0) return;
    wake_any();
  }
  // Wakes worker `index` if it sleeps.
  void wake_worker(size_t index);

  // Puts worker `w` to sleep until woken, unless there is work (or `latch`
  // is already set). Returns when it should look for work again.
  void sleep(WorkerThread& w, SpinLatch* latch);

  // A thread waiting for a job of this registry, for its lifetime: idle
  // workers count as blocked while one exists (see the top of this file).
  class WaiterScope {
   public:
    explicit WaiterScope(Registry& r) : r_(r) { r_.add_waiter(); }
    ~WaiterScope() { r_.remove_waiter(); }
    WaiterScope(const WaiterScope&) = delete;
    WaiterScope& operator=(const WaiterScope&) = delete;

   private:
    Registry& r_;
  };

  // A thread from outside holding an external slot, for its lifetime.
  class SlotScope {
   public:
    SlotScope(Registry& r, WorkerThread& slot) : r_(r), slot_(slot) { tls_current_worker = &slot_; }
    ~SlotScope() {
      tls_current_worker = nullptr;
      r_.release_slot(slot_);
    }
    SlotScope(const SlotScope&) = delete;
    SlotScope& operator=(const SlotScope&) = delete;

   private:
    Registry& r_;
    WorkerThread& slot_;
  };

  // Stops the workers once they run out of jobs; with `join`, waits for them
  // (never from one of them), otherwise detaches them.
  void terminate(bool join);
  // Lets the workers run on their own (the global pool).
  void detach_workers();

 private:
  explicit Registry(RegistryOptions options);
  void worker_main(size_t index);
  void wake_any();
  void wake_all_locked(bool reregister) REQUIRES(sleep_mu_);
  WorkerThread* claim_slot();
  void release_slot(WorkerThread& slot);
  void add_waiter();
  void remove_waiter();
  bool has_work_seq_cst() const;

  struct IdleWait final : detector::Waitable {
    std::string describe_wait() const override {
      return "is idle: waits for parallel jobs (an idle worker is normal, look at the other threads)";
    }
  };
  struct StolenWait final : detector::Waitable {
    std::string describe_wait() const override {
      return "waits for the other half of its join(), which another worker stole and runs";
    }
  };

  const RegistryOptions options_;
  size_t num_threads_ = 0;
  std::vector<std::unique_ptr<WorkerThread>> workers_;
  // Which external slots are taken. Acquire on claim, release on release:
  // the next holder sees the slot's owner-only state (deque bottom, rng) as
  // the previous one left it.
  std::atomic<bool> slot_busy_[kExternalSlots] = {};
  std::vector<JoinHandle<void>> handles_;  // Touched only by the creating and terminating thread.
  IdleWait idle_wait_;
  StolenWait stolen_wait_;

  // The injector: jobs from threads outside the pool.
  internal::PlainMutex injector_mu_;
  std::deque<JobBase*> injector_ GUARDED_BY(injector_mu_);
  // Seq_cst: incremented after a push (under injector_mu_) and read by
  // sleepers' re-check: the Dekker pattern described at the top. Also the
  // cheap "is the injector empty" test of find_work (a stale read only
  // delays a worker until its next round).
  std::atomic<int64_t> injected_count_{0};

  // Sleeping workers.
  internal::PlainMutex sleep_mu_;
  std::vector<size_t> sleeping_ GUARDED_BY(sleep_mu_);
  size_t waiters_ GUARDED_BY(sleep_mu_) = 0;  // See WaiterScope.
  // Mirrors sleeping_.size() for notify_new_work's fast path; seq_cst, see
  // the top of this file.
  std::atomic<int> num_sleeping_{0};
  // Acquire/release: set under sleep_mu_ by terminate(), read by workers
  // between jobs.
  std::atomic<bool> terminating_{false};
};

inline bool WorkerThread::push(JobBase* job) {
  if (!deque_.push(job)) return false;
  registry_->notify_new_work();
  return true;
}

// The global pool, started on first use with RACELINGS_NUM_THREADS threads
// (default std::thread::hardware_concurrency()); never destroyed, its
// workers are detached and sleep when idle.
Registry& global_registry();

// Configures the global pool before its first use; false if it already runs.
bool init_global_registry(RegistryOptions options);

// The registry par_* and join use from the calling thread: its own pool's
// when it is a worker, else the global one.
inline Registry& current_registry() {
  WorkerThread* w = tls_current_worker;
  return w != nullptr ? w->registry() : global_registry();
}

// join(a, b) on worker `w`: see the top of this file.
template <typename A, typename B>
std::pair<JobResult<std::invoke_result_t<A&>>, JobResult<std::invoke_result_t<B&>>> join_in_worker(WorkerThread& w,
                                                                                                   A& a, B& b) {
  using RA = std::invoke_result_t<A&>;
  StackJob<B, SpinLatch> job_b(b, &w.registry(), w.index(), /*cross=*/false);
  detector::stress_point();
  const bool pushed = w.push(&job_b);
  std::optional<JobResult<RA>> ra;
  std::exception_ptr error_a;
  try {
    if constexpr (std::is_void_v<RA>) {
      std::invoke(a);
      ra.emplace();
    } else {
      ra.emplace(std::invoke(a));
    }
  } catch (...) {
    error_a = std::current_exception();
  }
  if (!pushed) {
    job_b.run_inline();
  } else {
    // b is at the bottom of our deque unless it was stolen: everything a
    // pushed above it was popped before a returned (or stolen, and then b,
    // older, would have been stolen first).
    for (;;) {
      if (job_b.latch().probe()) break;  // Stolen and already done.
      JobBase* job = w.pop();
      if (job == &job_b) {
        job_b.run_inline();
        break;
      }
      if (job != nullptr) {
        job->execute();  // Not expected (see above); run it rather than lose it.
        continue;
      }
      w.wait_until(job_b.latch());  // Stolen: help until it is done.
      break;
    }
  }
  // Both halves are done; a's exception first (rayon does the same).
  if (error_a) std::rethrow_exception(error_a);
  auto rb = job_b.take();
  return {std::move(*ra), std::move(rb)};
}

}  // namespace internal
}  // namespace racelings

#endif  // RACELINGS_PRIMITIVES_PARALLEL_SCHEDULER_H_
