#include "primitives/parallel/scheduler.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <thread>

namespace racelings {
namespace internal {
namespace {

// How long a worker with nothing to do keeps looking before it sleeps:
// kSpinRounds rounds with a short pause, then kYieldRounds rounds that give
// the CPU away (on a loaded machine spinning would only slow the busy
// workers). A round tries every deque and the injector once.
constexpr int kSpinRounds = 16;
constexpr int kYieldRounds = 16;

void backoff(int round) {
  if (round < kSpinRounds) {
    for (int i = 0; i < 32; ++i) {
#if defined(__x86_64__) || defined(__i386__)
      __builtin_ia32_pause();
#endif
    }
  } else {
    std::this_thread::yield();
  }
}

size_t default_num_threads() {
  if (const char* env = std::getenv("RACELINGS_NUM_THREADS"); env != nullptr && *env != '\0') {
    char* end = nullptr;
    unsigned long n = std::strtoul(env, &end, 10);
    if (end != nullptr && *end == '\0' && n > 0) return n;
  }
  unsigned hw = std::thread::hardware_concurrency();
  return hw == 0 ? 1 : hw;
}

}  // namespace

// ---- SpinLatch ---------------------------------------------------------------

void SpinLatch::set() {
  // Copy what the wake needs first: once the exchange is done the owner may
  // return and free this latch.
  Registry* registry = registry_;
  const size_t owner = owner_index_;
  std::shared_ptr<Registry> keep_alive;
  if (cross_) keep_alive = registry->shared_from_this();
  // Acq_rel: the release half publishes the job's result to the owner's
  // probe(); the acquire half orders us after the owner's try_mark_sleeping,
  // whose outcome decides whether we must wake it.
  if (state_.exchange(kSet, std::memory_order_acq_rel) == kSleeping) registry->wake_worker(owner);
}

// ---- WorkerThread ------------------------------------------------------------

JobBase* WorkerThread::find_work() {
  if (JobBase* job = deque_.pop()) return job;
  Registry& r = *registry_;
  const size_t n = r.num_slots();
  if (n > 1) {
    for (int attempt = 0; attempt < 4; ++attempt) {
      bool retry = false;
      const size_t start = static_cast<size_t>(next_random() % n);
      for (size_t k = 0; k < n; ++k) {
        const size_t victim = (start + k) % n;
        if (victim == index_) continue;
        JobBase* job = nullptr;
        switch (r.worker(victim).deque_.steal(&job)) {
          case StealResult::kSuccess:
            detector::stress_point();
            return job;
          case StealResult::kRetry:
            retry = true;
            break;
          case StealResult::kEmpty:
            break;
        }
      }
      if (!retry) break;
    }
  }
  return r.pop_injected();
}

void WorkerThread::wait_until(SpinLatch& latch) {
  int round = 0;
  while (!latch.probe()) {
    if (JobBase* job = find_work()) {
      job->execute();
      round = 0;
      continue;
    }
    if (round < kSpinRounds + kYieldRounds) {
      backoff(round++);
      continue;
    }
    registry_->sleep(*this, &latch);
    round = 0;
  }
}

// ---- Registry ----------------------------------------------------------------

Registry::Registry(RegistryOptions options) : options_(std::move(options)) {}

std::shared_ptr<Registry> Registry::create(RegistryOptions options) {
  if (options.num_threads == 0) options.num_threads = default_num_threads();
  std::shared_ptr<Registry> r(new Registry(options));
  const size_t n = r->options_.num_threads;
  r->num_threads_ = n;
  r->workers_.reserve(n + kExternalSlots);
  for (size_t i = 0; i < n + kExternalSlots; ++i) r->workers_.push_back(std::make_unique<WorkerThread>(r.get(), i));
  r->handles_.reserve(n);
  try {
    for (size_t i = 0; i < n; ++i) {
      // Each worker holds the registry: if a pool is dropped by one of its
      // own workers (terminate without join), the last worker to exit frees it.
      r->handles_.push_back(Builder()
                                .name(r->options_.thread_name + "-" + std::to_string(i))
                                .stack_size(r->options_.stack_size)
                                .spawn([r, i] { r->worker_main(i); }, r->options_.created));
    }
  } catch (...) {
    r->terminate(/*join=*/true);
    throw;
  }
  return r;
}

Registry::~Registry() = default;

void Registry::worker_main(size_t index) {
  WorkerThread& w = *workers_[index];
  tls_current_worker = &w;
  int round = 0;
  for (;;) {
    if (JobBase* job = w.find_work()) {
      job->execute();
      round = 0;
      continue;
    }
    // Acquire: pairs with terminate()'s release store.
    if (terminating_.load(std::memory_order_acquire)) break;
    if (round < kSpinRounds + kYieldRounds) {
      backoff(round++);
      continue;
    }
    sleep(w, nullptr);
    round = 0;
  }
  tls_current_worker = nullptr;
}

void Registry::inject(JobBase* job) {
  detector::stress_point();
  {
    internal::PlainLock lock(injector_mu_);
    injector_.push_back(job);
    // Seq_cst: the store half of the Dekker pattern (scheduler.h, top).
    injected_count_.fetch_add(1, std::memory_order_seq_cst);
  }
  notify_new_work();
}

JobBase* Registry::pop_injected() {
  // Relaxed: only a hint; the job itself is handed over under injector_mu_.
  if (injected_count_.load(std::memory_order_relaxed) == 0) return nullptr;
  internal::PlainLock lock(injector_mu_);
  if (injector_.empty()) return nullptr;
  JobBase* job = injector_.front();
  injector_.pop_front();
  // Relaxed: changed only under injector_mu_; decrements need no ordering.
  injected_count_.fetch_sub(1, std::memory_order_relaxed);
  return job;
}

bool Registry::has_work_seq_cst() const {
  // Seq_cst loads: the load half of the sleeper's side of the Dekker pattern.
  if (injected_count_.load(std::memory_order_seq_cst) > 0) return true;
  for (const auto& w : workers_) {
    if (w->deque_.maybe_nonempty()) return true;
  }
  return false;
}

void Registry::wake_any() {
  internal::PlainLock lock(sleep_mu_);
  if (sleeping_.empty()) return;
  // The most recent sleeper: its caches are the warmest.
  const size_t index = sleeping_.back();
  sleeping_.pop_back();
  // Seq_cst like every change of num_sleeping_ (see the top of scheduler.h).
  num_sleeping_.fetch_sub(1, std::memory_order_seq_cst);
  workers_[index]->woken_ = true;
  workers_[index]->cv_.notify_one();
}

void Registry::wake_all_locked(bool reregister) {
  for (size_t index : sleeping_) {
    workers_[index]->woken_ = true;
    workers_[index]->reregister_ = reregister;
    workers_[index]->cv_.notify_one();
  }
  sleeping_.clear();
  num_sleeping_.store(0, std::memory_order_seq_cst);
}

WorkerThread* Registry::claim_slot() {
  for (size_t i = 0; i < kExternalSlots; ++i) {
    // Relaxed pre-check, then acquire: see slot_busy_.
    if (slot_busy_[i].load(std::memory_order_relaxed)) continue;
    if (!slot_busy_[i].exchange(true, std::memory_order_acquire)) return workers_[num_threads_ + i].get();
  }
  return nullptr;
}

void Registry::release_slot(WorkerThread& slot) {
  // Release: see slot_busy_.
  slot_busy_[slot.index_ - num_threads_].store(false, std::memory_order_release);
}

void Registry::add_waiter() {
  internal::PlainLock lock(sleep_mu_);
  // The first waiter: sleepers must sleep again, now counted as blocked
  // (only the deadlock detector cares).
  if (waiters_++ == 0 && detector::enabled()) wake_all_locked(/*reregister=*/true);
}

void Registry::remove_waiter() {
  internal::PlainLock lock(sleep_mu_);
  // The last waiter left: sleepers must sleep again, no longer counted.
  if (--waiters_ == 0 && detector::enabled()) wake_all_locked(/*reregister=*/true);
}

void Registry::wake_worker(size_t index) {
  internal::PlainLock lock(sleep_mu_);
  auto it = std::find(sleeping_.begin(), sleeping_.end(), index);
  if (it == sleeping_.end()) return;  // Awake already: it will probe its latch.
  sleeping_.erase(it);
  num_sleeping_.fetch_sub(1, std::memory_order_seq_cst);
  workers_[index]->woken_ = true;
  workers_[index]->cv_.notify_one();
}

void Registry::sleep(WorkerThread& w, SpinLatch* latch) {
  internal::PlainLock lock(sleep_mu_);
  if (latch != nullptr) {
    if (!latch->try_mark_sleeping()) return;  // Set meanwhile: go on.
  } else if (terminating_.load(std::memory_order_relaxed)) {
    return;  // Relaxed: written under sleep_mu_, which we hold.
  }
  for (;;) {
    sleeping_.push_back(w.index_);
    // Seq_cst: the store half of the sleeper's side of the Dekker pattern.
    num_sleeping_.fetch_add(1, std::memory_order_seq_cst);
    if (has_work_seq_cst() || (latch != nullptr && latch->probe())) {
      sleeping_.erase(std::find(sleeping_.begin(), sleeping_.end(), w.index_));
      num_sleeping_.fetch_sub(1, std::memory_order_seq_cst);
      break;
    }
    w.woken_ = false;
    w.reregister_ = false;
    if (detector::enabled()) {
      const detector::Waitable& what = latch != nullptr ? static_cast<const detector::Waitable&>(stolen_wait_)
                                                        : idle_wait_;
      // An idle worker counts as blocked only while someone waits for this
      // pool (see the top of scheduler.h); "with a timeout" means "not counted".
      const bool counted = latch != nullptr || waiters_ > 0;
      detector::BlockScope waiting(what, /*has_timeout=*/!counted, options_.created);
      w.cv_.wait(lock.native(), [&] { return w.woken_; });
    } else {
      w.cv_.wait(lock.native(), [&] { return w.woken_; });
    }
    // Woken only so that the detector sees this sleep in its new mode: sleep
    // again at once (after the same checks), without spinning for work.
    if (!w.reregister_ || terminating_.load(std::memory_order_relaxed)) break;
    if (latch != nullptr && latch->probe()) break;
  }
  if (latch != nullptr) latch->unmark_sleeping();
}

void Registry::detach_workers() {
  for (auto& h : handles_) {
    if (h.joinable()) h.detach_until_exit();
  }
}

void Registry::terminate(bool join) {
  {
    internal::PlainLock lock(sleep_mu_);
    // Release: pairs with the workers' acquire load between jobs.
    terminating_.store(true, std::memory_order_release);
    wake_all_locked(/*reregister=*/false);
  }
  for (auto& h : handles_) {
    if (!h.joinable()) continue;
    if (join) {
      h.join();
    } else {
      h.detach();
    }
  }
}

// ---- The global registry -----------------------------------------------------

namespace {

struct Global {
  internal::PlainMutex mu;
  std::optional<RegistryOptions> options GUARDED_BY(mu);  // Set by init_global_registry.
  std::shared_ptr<Registry>* keep GUARDED_BY(mu) = nullptr;  // Never freed.
  // Acquire/release: published once, with the registry fully built.
  std::atomic<Registry*> registry{nullptr};
};

Global& global() {
  // Leaked on purpose, with the registry: its detached workers may run until
  // the process ends, after static destructors.
  static Global* g = new Global;
  return *g;
}

Registry& create_global_locked(Global& g) REQUIRES(g.mu) {
  RegistryOptions options = g.options.value_or(RegistryOptions{});
  if (!g.options) options.created = std::source_location::current();
  auto r = Registry::create(std::move(options));
  // The global pool is never joined: its workers are detached and sleep when
  // idle until the process exits (a thread still running at exit is not a
  // leak for TSan, and a detached one is none for us). The shared_ptr is
  // leaked so that the registry outlives static destructors.
  r->detach_workers();
  g.keep = new std::shared_ptr<Registry>(std::move(r));
  Registry* raw = g.keep->get();
  // Release: publishes the complete registry to global_registry()'s fast path.
  g.registry.store(raw, std::memory_order_release);
  return *raw;
}

}  // namespace

Registry& global_registry() {
  Global& g = global();
  // Acquire: pairs with the release store below, so the registry is complete.
  if (Registry* r = g.registry.load(std::memory_order_acquire)) return *r;
  internal::PlainLock lock(g.mu);
  if (Registry* r = g.registry.load(std::memory_order_relaxed)) return *r;
  return create_global_locked(g);
}

bool init_global_registry(RegistryOptions options) {
  Global& g = global();
  internal::PlainLock lock(g.mu);
  if (g.registry.load(std::memory_order_relaxed) != nullptr) return false;
  g.options = std::move(options);
  create_global_locked(g);
  return true;
}

}  // namespace internal
}  // namespace racelings
