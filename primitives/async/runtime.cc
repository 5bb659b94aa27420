// The scheduler, timers and the "all tasks are blocked" check of
// primitives/async. See core.h for the task model and runtime.h for the API.
//
// Concurrency inside the runtime:
//  * Each runtime has one mutex (mu_) guarding the run queue, the timer heap,
//    the live-task list and the counters below. It is taken after a channel's
//    mutex or a task's done_mu (wakes happen under those) and before the async
//    lock table (reports read lock holders); never the other way round.
//  * A task's state word (TaskHeader::state) decides who may resume it: only
//    the worker that moved it from kScheduled to kRunning. A wake while it
//    runs sets kNotified, and that worker queues it again once it suspends.
//    So a task never runs on two threads at once, and a wake is never lost.
//  * The deadlock check reads every task's wait description under mu_ while
//    the queue is empty, no worker runs a task (running_ == 0, changed under
//    mu_), and no timer is set: no task can write its wait fields then.
//  * Idle workers, and threads waiting in block_on, are in a
//    detector::BlockScope, so the thread deadlock detector sees them as
//    blocked (with a timeout while a timer is set). Their descriptions read
//    only atomics: the detector calls them under its own registry mutex,
//    which is taken under mu_ here.

#include "primitives/async/runtime.h"

#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "primitives/async/join.h"
#include "primitives/async/report.h"
#include "primitives/detector.h"
#include "primitives/plain_mutex.h"
#include "primitives/schedule/schedule.h"
#include "primitives/thread.h"
#include "primitives/thread_annotations.h"

namespace racelings {
namespace async {
namespace internal {

using ::racelings::internal::PlainLock;
using ::racelings::internal::PlainMutex;

namespace {

// The task this thread is resuming, and the runtime it works for.
thread_local TaskHeader* tls_task = nullptr;
thread_local RuntimeCore* tls_runtime = nullptr;

// Relaxed: task ids only need to be unique.
std::atomic<uint64_t> next_task_id{1};

pid_t current_tid() { return static_cast<pid_t>(::syscall(SYS_gettid)); }

}  // namespace

class RuntimeCore {
 public:
  RuntimeCore(size_t workers, bool current_thread);
  ~RuntimeCore();
  RuntimeCore(const RuntimeCore&) = delete;
  RuntimeCore& operator=(const RuntimeCore&) = delete;

  size_t worker_count() const { return workers_.size(); }
  bool is_current_thread() const { return current_thread_; }

  void schedule_new(TaskHeader& t);
  void wake(TaskHeader& t, bool locked) noexcept;
  void abort(TaskHeader& t) noexcept;
  void add_timer(TimerNode& node);
  bool remove_timer(TimerNode& node) noexcept;
  void block_on(TaskHeader& root);

  // For other runtimes' deadlock checks: this runtime's threads, and whether
  // it could still wake anything by itself.
  void snapshot(std::vector<pid_t>& tids, bool& quiescent) {
    PlainLock lock(mu_);
    tids.insert(tids.end(), tids_.begin(), tids_.end());
    quiescent = quiescent && quiescent_locked();
  }

 private:
  // What an idle worker or a waiting block_on shows in the thread detector's
  // reports. Reads only atomics (see the file comment).
  class IdleWait final : public detector::Waitable {
   public:
    explicit IdleWait(const RuntimeCore& rt) : rt_(rt) {}
    std::string describe_wait() const override {
      size_t live = rt_.live_hint_.load(std::memory_order_relaxed);
      return "waits for an async task to run (the runtime's worker is idle; " + std::to_string(live) +
             (live == 1 ? " task is" : " tasks are") + " alive and none is runnable)";
    }

   private:
    const RuntimeCore& rt_;
  };
  class BlockOnWait final : public detector::Waitable {
   public:
    BlockOnWait(const RuntimeCore& rt, const TaskHeader& root) : rt_(rt), root_(root) {}
    std::string describe_wait() const override {
      size_t live = rt_.live_hint_.load(std::memory_order_relaxed);
      return "waits in Runtime::block_on for " + root_.short_name() + " (" + std::to_string(live) +
             (live == 1 ? " task is" : " tasks are") + " alive)";
    }

   private:
    const RuntimeCore& rt_;
    const TaskHeader& root_;
  };

  void worker_main();
  void run(TaskHeader* t) noexcept;
  void after_poll(TaskHeader* t) noexcept;
  void cancel_task(TaskHeader* t) noexcept;
  void mark_complete(TaskHeader* t) noexcept;

  void enqueue_locked(TaskHeader* t) REQUIRES(mu_);
  TaskHeader* pop_locked() REQUIRES(mu_);
  void fire_due_locked() REQUIRES(mu_);
  bool quiescent_locked() const REQUIRES(mu_) {
    return q_head_ == nullptr && running_ == 0 && timers_.empty() && !shutdown_;
  }
  void unlink_live_locked(TaskHeader* t) REQUIRES(mu_);

  // The loop of every thread that runs tasks: a worker (root == nullptr)
  // until shutdown, a current-thread block_on until `root` ends.
  void run_tasks(PlainLock& lk, TaskHeader* root, const detector::Waitable& shown, std::source_location site)
      REQUIRES(mu_);
  bool run_one_locked() REQUIRES(mu_);
  void wait_for_work_locked(PlainLock& lk, TaskHeader* root, const detector::Waitable& shown, std::source_location site)
      REQUIRES(mu_);
  void block_on_other_threads(TaskHeader& root, BlockOnWait& shown);
  void block_on_this_thread(TaskHeader& root, BlockOnWait& shown);

  void watch_quiescence(PlainLock& lk, TaskHeader& root, std::condition_variable& cv,
                        std::optional<detector::BlockScope>& waiting) REQUIRES(mu_);
  [[noreturn]] void report_all_blocked_locked() REQUIRES(mu_);

  const bool current_thread_;
  PlainMutex mu_;
  std::condition_variable work_cv_;      // Idle workers (or a current-thread block_on) wait here.
  std::condition_variable block_on_cv_;  // Multi-threaded block_on waits here.
  TaskHeader* q_head_ GUARDED_BY(mu_) = nullptr;  // The run queue (FIFO).
  TaskHeader* q_tail_ GUARDED_BY(mu_) = nullptr;
  TimerHeap timers_ GUARDED_BY(mu_);
  TaskHeader* live_head_ GUARDED_BY(mu_) = nullptr;  // Every unfinished task, newest first.
  int idle_ GUARDED_BY(mu_) = 0;  // Threads waiting on work_cv_.
  int pending_wakeups_ GUARDED_BY(mu_) = 0;  // Notified, not yet awake.
  int running_ GUARDED_BY(mu_) = 0;  // Tasks being resumed right now.
  bool timer_driver_ GUARDED_BY(mu_) = false;  // An idle thread waits for the first deadline.
  bool shutdown_ GUARDED_BY(mu_) = false;
  bool driving_ GUARDED_BY(mu_) = false;  // A current-thread block_on runs.
  int block_on_active_ GUARDED_BY(mu_) = 0;
  uint64_t epoch_ GUARDED_BY(mu_) = 0;  // Bumped by every queue and timer change.
  std::vector<pid_t> tids_ GUARDED_BY(mu_);  // Workers and threads in block_on.
  // Relaxed copy of the live-task count, for descriptions built without mu_.
  std::atomic<size_t> live_hint_{0};
  IdleWait idle_wait_{*this};
  std::vector<racelings::JoinHandle<void>> workers_;
};

namespace {

// Every runtime, so that a deadlock check can ask the others whether they
// could still wake one of our tasks (a task of another runtime sending on our
// channel). Leaked on purpose, like the detector's registry.
struct Runtimes {
  PlainMutex mu;
  std::vector<RuntimeCore*> all GUARDED_BY(mu);
};
Runtimes& runtimes() {
  static Runtimes* r = new Runtimes;
  return *r;
}

}  // namespace

// ---- TaskHeader, free functions ---------------------------------------------

TaskHeader::TaskHeader(RuntimeCore* runtime, TaskKind k, std::source_location where)
    : rt(runtime), id(next_task_id.fetch_add(1, std::memory_order_relaxed)), kind(k), spawned_at(where) {}

TaskHeader* current_task() noexcept { return tls_task; }

TaskHeader& require_task(const char* what) {
  if (tls_task == nullptr) {
    throw NoRuntimeError(std::string(what) + " used outside a racelings::async task (run it under Runtime::block_on)");
  }
  return *tls_task;
}

RuntimeCore* current_runtime() noexcept { return tls_task != nullptr ? tls_task->rt : tls_runtime; }

void wake(TaskHeader& t) noexcept { t.rt->wake(t, /*locked=*/false); }
void schedule_new(RuntimeCore& rt, TaskHeader& t) { rt.schedule_new(t); }
void abort_task(TaskHeader& t) noexcept { t.rt->abort(t); }
void add_timer(RuntimeCore& rt, TimerNode& node) { rt.add_timer(node); }
bool remove_timer(RuntimeCore& rt, TimerNode& node) noexcept { return rt.remove_timer(node); }

void print_task_exception(const TaskHeader& t, const std::exception_ptr& e) noexcept {
  std::string what;
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& ex) {
    what = ex.what();
  } catch (...) {
    what = "an exception that is not a std::exception";
  }
  std::string line = "racelings: " + t.short_name() + " (spawned at " + short_location(t.spawned_at) +
                     ") threw an exception: " + what + "\n";
  (void)!::write(STDERR_FILENO, line.data(), line.size());
}

void RuntimeCoreDeleter::operator()(RuntimeCore* core) const noexcept { delete core; }
RuntimeCore* new_runtime_core(size_t worker_threads, bool current_thread) {
  return new RuntimeCore(worker_threads, current_thread);
}
size_t worker_count(const RuntimeCore& core) noexcept { return core.worker_count(); }
bool is_current_thread(const RuntimeCore& core) noexcept { return core.is_current_thread(); }

void run_block_on(RuntimeCore& core, TaskHeader& root) {
  if (tls_task != nullptr) {
    root.release();  // The runtime's reference: the task never starts.
    throw NoRuntimeError("Runtime::block_on() called inside a task: a task must co_await, not block its thread");
  }
  core.block_on(root);
}

// ---- RuntimeCore --------------------------------------------------------------

RuntimeCore::RuntimeCore(size_t workers, bool current_thread) : current_thread_(current_thread) {
  {
    Runtimes& r = runtimes();
    PlainLock lock(r.mu);
    r.all.push_back(this);
  }
  if (current_thread) return;
  if (workers == 0) workers = std::max(1u, std::thread::hardware_concurrency());
  workers_.reserve(workers);
  for (size_t i = 0; i < workers; ++i) {
    workers_.push_back(Builder().name("async-worker-" + std::to_string(i)).spawn([this] { worker_main(); }));
  }
}

RuntimeCore::~RuntimeCore() {
  {
    PlainLock lock(mu_);
    shutdown_ = true;
    work_cv_.notify_all();
  }
  for (auto& w : workers_) w.join();
  // Destroy the tasks still alive, newest first (a child before its parent).
  for (;;) {
    TaskHeader* t = nullptr;
    {
      PlainLock lock(mu_);
      q_head_ = q_tail_ = nullptr;  // Nothing runs any more; wakes no longer queue.
      t = live_head_;
      if (t == nullptr) break;
      unlink_live_locked(t);
    }
    t->state.store(kRunning | kCancelled, std::memory_order_relaxed);  // Only we see it now.
    TaskHeader* prev = std::exchange(tls_task, t);
    t->cancel();
    tls_task = prev;
    mark_complete(t);
  }
  Runtimes& r = runtimes();
  PlainLock lock(r.mu);
  r.all.erase(std::remove(r.all.begin(), r.all.end(), this), r.all.end());
}

void RuntimeCore::enqueue_locked(TaskHeader* t) {
  if (shutdown_) return;  // Destroyed by the shutdown loop instead.
  t->queue_next = nullptr;
  if (q_tail_ != nullptr) {
    q_tail_->queue_next = t;
  } else {
    q_head_ = t;
  }
  q_tail_ = t;
  ++epoch_;
  // Wake a sleeping thread unless enough are already on their way.
  if (idle_ > pending_wakeups_) {
    ++pending_wakeups_;
    work_cv_.notify_one();
  }
}

TaskHeader* RuntimeCore::pop_locked() {
  TaskHeader* t = q_head_;
  if (t == nullptr) return nullptr;
  q_head_ = t->queue_next;
  if (q_head_ == nullptr) q_tail_ = nullptr;
  t->queue_next = nullptr;
  ++epoch_;
  return t;
}

void RuntimeCore::unlink_live_locked(TaskHeader* t) {
  if (!t->in_live_list) return;
  t->in_live_list = false;
  if (t->live_prev != nullptr) {
    t->live_prev->live_next = t->live_next;
  } else {
    live_head_ = t->live_next;
  }
  if (t->live_next != nullptr) t->live_next->live_prev = t->live_prev;
  t->live_prev = t->live_next = nullptr;
  live_hint_.fetch_sub(1, std::memory_order_relaxed);
}

void RuntimeCore::schedule_new(TaskHeader& t) {
  t.resume_point = t.root();
  {
    PlainLock lock(mu_);
    if (!shutdown_) {
      t.in_live_list = true;
      t.live_next = live_head_;
      if (live_head_ != nullptr) live_head_->live_prev = &t;
      live_head_ = &t;
      live_hint_.fetch_add(1, std::memory_order_relaxed);
      enqueue_locked(&t);  // The state starts as kScheduled.
      return;
    }
  }
  // The runtime is shutting down: the task never runs.
  t.state.store(kRunning | kCancelled, std::memory_order_relaxed);
  t.cancel();
  mark_complete(&t);
}

void RuntimeCore::wake(TaskHeader& t, bool locked) noexcept {
  // Acq_rel: the release publishes what the waker wrote (a message, a lock
  // hand-off) to whoever next runs the task; it pairs with the acquire of
  // the runner's transitions. Acquire on failure: we act on the state read.
  uint32_t s = t.state.load(std::memory_order_acquire);
  for (;;) {
    if ((s & kComplete) != 0) return;
    uint32_t ns;
    bool queue = false;
    if ((s & kRunning) != 0) {
      if ((s & kNotified) != 0) return;
      ns = s | kNotified;  // Its runner queues it again after this poll.
    } else if ((s & kScheduled) != 0) {
      return;
    } else {
      ns = s | kScheduled;
      queue = true;
    }
    if (t.state.compare_exchange_weak(s, ns, std::memory_order_acq_rel, std::memory_order_acquire)) {
      if (!queue) return;
      if (locked) {
        mu_.assert_held();  // The caller's promise (fire_due_locked).
        enqueue_locked(&t);
      } else {
        PlainLock lock(mu_);
        enqueue_locked(&t);
      }
      return;
    }
  }
}

void RuntimeCore::abort(TaskHeader& t) noexcept {
  // Same orderings as wake().
  uint32_t s = t.state.load(std::memory_order_acquire);
  for (;;) {
    if ((s & kComplete) != 0) return;
    bool queue = (s & (kRunning | kScheduled)) == 0;
    uint32_t ns = s | kCancelled | (queue ? kScheduled : 0);
    if (t.state.compare_exchange_weak(s, ns, std::memory_order_acq_rel, std::memory_order_acquire)) {
      if (queue) {
        PlainLock lock(mu_);
        enqueue_locked(&t);
      }
      return;
    }
  }
}

void RuntimeCore::run(TaskHeader* t) noexcept {
  detector::stress_point();
  // kScheduled -> kRunning. Acquire: we see what the waker and the last
  // runner wrote (resume_point, the awaitable's fields).
  uint32_t s = t->state.load(std::memory_order_acquire);
  uint32_t ns;
  do {
    ns = (s & ~kScheduled) | kRunning;
  } while (!t->state.compare_exchange_weak(s, ns, std::memory_order_acq_rel, std::memory_order_acquire));
  if ((ns & kCancelled) != 0) {
    cancel_task(t);
    return;
  }
  TaskHeader* prev = std::exchange(tls_task, t);
  std::exchange(t->resume_point, nullptr).resume();
  tls_task = prev;
  if (t->root_done()) {
    t->finish();
    mark_complete(t);
    return;
  }
  after_poll(t);
}

void RuntimeCore::after_poll(TaskHeader* t) noexcept {
  // kRunning -> idle, or back on the queue if woken or aborted meanwhile.
  // Release: the next runner sees what this poll wrote.
  uint32_t s = t->state.load(std::memory_order_acquire);
  for (;;) {
    bool again = (s & (kNotified | kCancelled)) != 0;
    uint32_t ns = again ? ((s & kCancelled) | kScheduled) : 0;
    if (t->state.compare_exchange_weak(s, ns, std::memory_order_acq_rel, std::memory_order_acquire)) {
      if (again) {
        PlainLock lock(mu_);
        enqueue_locked(t);
      }
      return;
    }
  }
}

void RuntimeCore::cancel_task(TaskHeader* t) noexcept {
  // Acquire: the children the group holds are all visible.
  JoinGroup* g = t->child_group.load(std::memory_order_acquire);
  if (g != nullptr && !g->all_done()) {
    // The frames may be borrowed by the children: cancel them first, and
    // destroy ours when the last one has ended (it wakes us).
    g->abort_children();
    uint32_t s = t->state.load(std::memory_order_acquire);
    for (;;) {
      bool again = (s & kNotified) != 0;
      uint32_t ns = kCancelled | (again ? kScheduled : 0);
      if (t->state.compare_exchange_weak(s, ns, std::memory_order_acq_rel, std::memory_order_acquire)) {
        if (again) {
          PlainLock lock(mu_);
          enqueue_locked(t);
        }
        return;
      }
    }
  }
  TaskHeader* prev = std::exchange(tls_task, t);
  t->cancel();
  tls_task = prev;
  mark_complete(t);
}

void RuntimeCore::mark_complete(TaskHeader* t) noexcept {
  {
    PlainLock lock(t->done_mu);
    // Release: the outcome written by finish()/cancel() is visible to whoever
    // sees kComplete (JoinHandle::is_finished, a later await).
    t->state.exchange(kComplete, std::memory_order_acq_rel);
    if (TaskHeader* waiter = std::exchange(t->join_waiter, nullptr)) internal::wake(*waiter);
  }
  if (t->group != nullptr) t->group->child_done();
  {
    PlainLock lock(mu_);
    unlink_live_locked(t);
    ++epoch_;
    if (t->block_on_root) block_on_cv_.notify_all();
  }
  t->release();  // The runtime's reference.
}

// ---- Timers ---------------------------------------------------------------------

void RuntimeCore::add_timer(TimerNode& node) {
  PlainLock lock(mu_);
  node.fired = false;
  bool earliest = timers_.push(node);
  ++epoch_;
  // A thread already waiting for a later deadline must wait for this one.
  if (earliest && timer_driver_) work_cv_.notify_all();
}

bool RuntimeCore::remove_timer(TimerNode& node) noexcept {
  PlainLock lock(mu_);
  timers_.remove(node);
  return node.fired;
}

void RuntimeCore::fire_due_locked() {
  if (timers_.empty()) return;
  auto now = std::chrono::steady_clock::now();
  while (TimerNode* n = timers_.pop_due(now)) {
    n->fired = true;
    wake(*n->task, /*locked=*/true);
  }
}

// ---- Threads --------------------------------------------------------------------

void RuntimeCore::worker_main() {
  tls_runtime = this;
  PlainLock lk(mu_);
  tids_.push_back(current_tid());
  run_tasks(lk, /*root=*/nullptr, idle_wait_, std::source_location::current());
  tls_runtime = nullptr;
}

void RuntimeCore::run_tasks(PlainLock& lk, TaskHeader* root, const detector::Waitable& shown,
                            std::source_location site) {
  while (!shutdown_ && (root == nullptr || !root->is_complete())) {
    fire_due_locked();
    if (!run_one_locked()) wait_for_work_locked(lk, root, shown, site);
  }
}

// Runs the task at the head of the queue, if any, with mu_ released.
bool RuntimeCore::run_one_locked() {
  TaskHeader* t = pop_locked();
  if (t == nullptr) return false;
  ++running_;
  mu_.unlock();  // Through mu_ itself: the analysis follows it, not `lk`.
  // A task switch: under the controlled scheduler, another thread may run
  // before this task resumes.
  schedule::point(schedule::Op::kTask, t, nullptr, t->spawned_at);
  run(t);
  mu_.lock();
  --running_;
  return true;
}

// Idle: one thread waits for the earliest timer, the others for work. A
// current-thread block_on (root != nullptr) with no timer to wait for watches
// for a deadlock of its tasks instead.
void RuntimeCore::wait_for_work_locked(PlainLock& lk, TaskHeader* root, const detector::Waitable& shown,
                                       std::source_location site) {
  const bool timers = !timers_.empty();
  const bool drive = timers && !timer_driver_;
  if (drive) timer_driver_ = true;
  ++idle_;
  if (block_on_active_ > 0 && quiescent_locked()) block_on_cv_.notify_all();
  {
    std::optional<detector::BlockScope> waiting;
    if (detector::enabled()) waiting.emplace(shown, /*has_timeout=*/timers, site);
    if (drive) {
      work_cv_.wait_until(lk.native(), timers_.earliest_deadline());
    } else if (root != nullptr && waiting.has_value()) {
      watch_quiescence(lk, *root, work_cv_, waiting);
    } else {
      work_cv_.wait(lk.native());
    }
  }
  --idle_;
  if (pending_wakeups_ > 0) --pending_wakeups_;
  if (drive) timer_driver_ = false;
}

void RuntimeCore::block_on(TaskHeader& root) {
  BlockOnWait shown(*this, root);
  if (current_thread_) {
    block_on_this_thread(root, shown);
  } else {
    block_on_other_threads(root, shown);
  }
}

// Multi-threaded runtime: the workers run the tasks; this thread waits for
// `root` and watches for a deadlock of them all.
void RuntimeCore::block_on_other_threads(TaskHeader& root, BlockOnWait& shown) {
  const bool detect = detector::enabled();
  const pid_t tid = current_tid();
  schedule_new(root);
  PlainLock lk(mu_);
  ++block_on_active_;
  tids_.push_back(tid);
  {
    std::optional<detector::BlockScope> waiting;
    if (detect) waiting.emplace(shown, /*has_timeout=*/false, root.spawned_at);
    while (!root.is_complete()) {
      if (detect && quiescent_locked()) {
        watch_quiescence(lk, root, block_on_cv_, waiting);
      } else {
        block_on_cv_.wait(lk.native());
      }
    }
  }
  tids_.erase(std::find(tids_.begin(), tids_.end(), tid));
  --block_on_active_;
}

// Current-thread runtime: this thread runs every task until `root` ends.
void RuntimeCore::block_on_this_thread(TaskHeader& root, BlockOnWait& shown) {
  const pid_t tid = current_tid();
  {
    PlainLock lock(mu_);
    if (driving_) {
      root.release();
      throw std::logic_error("block_on() on a current-thread runtime that another thread is driving");
    }
    driving_ = true;
    ++block_on_active_;
    tids_.push_back(tid);
  }
  RuntimeCore* prev_rt = std::exchange(tls_runtime, this);
  schedule_new(root);
  PlainLock lk(mu_);
  run_tasks(lk, &root, shown, std::source_location::current());
  tids_.erase(std::find(tids_.begin(), tids_.end(), tid));
  --block_on_active_;
  driving_ = false;
  lk.unlock();
  tls_runtime = prev_rt;
}

// Called with mu_ held, the runtime quiescent and `root` unfinished. Returns
// as soon as anything moves; reports and exits if nothing did for the grace
// period and nothing outside the runtime can move either.
void RuntimeCore::watch_quiescence(PlainLock& lk, TaskHeader& root, std::condition_variable& cv,
                                   std::optional<detector::BlockScope>& waiting) {
  const uint64_t epoch = epoch_;
  auto moved = [&]() REQUIRES(mu_) { return epoch_ != epoch || root.is_complete() || !quiescent_locked(); };
  if (schedule::controlled()) {
    // The controlled scheduler sees every thread: when none can ever run
    // again, it reports the deadlock itself, so simply wait.
    cv.wait(lk.native(), moved);
    return;
  }
  // The thread detector leaves this deadlock to the task-level report while
  // this watch lasts (idle workers and block_on are blocked threads too).
  detector::OwnerWatch watching_tasks;
  mu_.unlock();
  auto before = detector::sample_os_threads();
  mu_.lock();
  if (moved()) return;
  // Half the thread detector's grace, so that the task-level report comes
  // first when nothing else delays this thread.
  auto grace = std::chrono::milliseconds(std::max(10, deadlock_grace_ms() / 2));
  cv.wait_for(lk.native(), grace, moved);
  if (moved()) return;
  mu_.unlock();
  auto after = detector::sample_os_threads();
  std::vector<pid_t> known;
  bool others_quiescent = true;
  {
    Runtimes& r = runtimes();
    PlainLock lock(r.mu);
    for (RuntimeCore* rt : r.all) {
      if (rt != this) rt->snapshot(known, others_quiescent);
    }
  }
  mu_.lock();
  if (moved() || !others_quiescent) return;
  known.insert(known.end(), tids_.begin(), tids_.end());
  // A thread outside the runtimes that runs, used CPU meanwhile, or sleeps
  // with a deadline may still wake a task (send on a channel, spawn): look
  // again later.
  for (const auto& [tid, s] : after) {
    if (std::find(known.begin(), known.end(), tid) != known.end()) continue;
    if (detector::os_thread_may_wake(tid, before, s)) return;
  }
  // This thread stops counting as blocked for the thread detector, so that
  // it does not report the same deadlock again, thread by thread.
  waiting.reset();
  report_all_blocked_locked();
}

void RuntimeCore::report_all_blocked_locked() {
  std::vector<TaskHeader*> tasks;
  for (TaskHeader* t = live_head_; t != nullptr; t = t->live_next) tasks.push_back(t);
  std::sort(tasks.begin(), tasks.end(), [](TaskHeader* a, TaskHeader* b) { return a->id < b->id; });
  std::string body = "  Every task is waiting, none is runnable and no timer is pending: nothing can wake them.\n";
  constexpr size_t kMaxListed = 50;
  // The summary names the first task that waits for something other than
  // another task's end (as the thread detector prefers a worker to a joiner).
  const TaskHeader* summary = nullptr;
  for (size_t i = 0; i < tasks.size(); ++i) {
    const TaskHeader* t = tasks[i];
    if (i < kMaxListed) body += "\n" + task_wait_text(*t, /*with_holdings=*/true);
    if (summary == nullptr && dynamic_cast<const JoinWait*>(t->wait_what) == nullptr) summary = t;
  }
  if (summary == nullptr && !tasks.empty()) summary = tasks.front();
  if (tasks.size() > kMaxListed) {
    body += "\n  ... and " + std::to_string(tasks.size() - kMaxListed) + " more waiting tasks\n";
  }
  body += "\n";
  emit_report("deadlock", "all tasks are blocked", body,
              summary != nullptr ? summary->wait_where : std::source_location::current());
  die_after_report();
}

}  // namespace internal
}  // namespace async
}  // namespace racelings
