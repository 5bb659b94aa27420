// The controlled scheduler's core: one turn, passed from thread to thread.
//
// Every thread the scheduler runs has a futex word; a thread runs only while
// it holds the turn, and gives it away at scheduling points by setting the
// next thread's word and waking it, then sleeping on its own. The decisions
// (who next, spurious wakeup or not, time out a wait now or not) are made by
// the thread that holds the turn, under `Controller::mu`, a futex lock that
// only threads the scheduler does not run (helpers, std::threads) ever
// contend for, when they signal an object. Everything here runs inside
// Invisible, so ThreadSanitizer sees no synchronisation between the threads
// that pass the turn: the program's own locks are the only order it sees.

#include "primitives/schedule/controller.h"

#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "primitives/schedule/controller_internal.h"
#include "primitives/schedule/invisible.h"
#include "primitives/schedule/schedule.h"

namespace racelings {
namespace schedule {

namespace internal {
bool g_controlled = false;
}  // namespace internal

// ---- Futexes --------------------------------------------------------------------

void futex_wait(std::atomic<uint32_t>* word, uint32_t expected, const timespec* timeout) {
  ::syscall(SYS_futex, reinterpret_cast<uint32_t*>(word), FUTEX_WAIT_PRIVATE, expected, timeout, nullptr, 0);
}

void futex_wake(std::atomic<uint32_t>* word, int count) {
  ::syscall(SYS_futex, reinterpret_cast<uint32_t*>(word), FUTEX_WAKE_PRIVATE, count, nullptr, nullptr, 0);
}

void FutexLock::lock() {
  uint32_t c = 0;
  if (state_.compare_exchange_strong(c, 1, std::memory_order_acquire)) return;
  if (c != 2) c = state_.exchange(2, std::memory_order_acquire);
  while (c != 0) {
    futex_wait(&state_, 2, nullptr);
    c = state_.exchange(2, std::memory_order_acquire);
  }
}

void FutexLock::unlock() {
  if (state_.exchange(0, std::memory_order_release) == 2) futex_wake(&state_, 1);
}

Controller& controller() {
  // Leaked: threads may use it while the process exits.
  static Controller* c = new Controller;
  return *c;
}

pid_t current_tid() { return static_cast<pid_t>(::syscall(SYS_gettid)); }

// ---- The turn ---------------------------------------------------------------------

namespace {

// Waits until another thread gives the calling thread its turn.
void wait_turn(ThreadCtl* self) {
  while (self->turn.load(std::memory_order_acquire) == 0) futex_wait(&self->turn, 0, nullptr);
  self->turn.store(0, std::memory_order_relaxed);
}

void give_turn(ThreadCtl* next) {
  next->turn.store(1, std::memory_order_release);
  futex_wake(&next->turn, 1);
}

}  // namespace

void hand_over(ThreadCtl* self, ThreadCtl* next) {
  if (next == self) return;
  give_turn(next);
  if (self != nullptr) wait_turn(self);
}

// ---- Threads ----------------------------------------------------------------------

std::string label(const ThreadCtl& t) {
  std::string s = "T" + std::to_string(t.index);
  if (!t.name.empty()) s += " '" + t.name + "'";
  return s;
}

ThreadCtl* find_thread_locked(Controller& c, int index) REQUIRES(c.mu) {
  for (ThreadCtl* t : c.threads) {
    if (t->index == index) return t;
  }
  return nullptr;
}

void add_thread_locked(Controller& c, ThreadCtl* t) REQUIRES(c.mu) {
  auto at = std::upper_bound(c.threads.begin(), c.threads.end(), t,
                             [](const ThreadCtl* a, const ThreadCtl* b) { return a->index < b->index; });
  c.threads.insert(at, t);
  if (c.strategy) c.strategy->on_thread(t->index);
  if (c.record != nullptr) c.record->threads = static_cast<uint32_t>(c.threads.size());
}

void wake_locked(Controller& c, ThreadCtl* t, Wake why) REQUIRES(c.mu) {
  t->state = ThreadCtl::State::kRunnable;
  t->wake = why;
  t->resume_result = why == Wake::kTimedOut ? "timed out" : why == Wake::kSpurious ? "spurious wakeup" : "woken";
  t->blocked_on = nullptr;
  t->deadline = kNoDeadline;
  c.blocked_count.fetch_sub(1, std::memory_order_relaxed);
}

// ---- Decisions ----------------------------------------------------------------------

namespace {

void record_decision(Controller& c, const Decision& d, uint32_t value, uint32_t fallback) REQUIRES(c.mu) {
  RunRecord* r = c.record;
  if (r == nullptr) return;
  r->steps = c.step;
  if (value != fallback) {
    if (r->deviation_count < RunRecord::kMaxDeviations) {
      r->deviations[r->deviation_count++] = Deviation{d.step, value};
    } else {
      r->deviations_overflow = true;
    }
  }
  if (is_preemption(d, value)) ++r->preemptions;
  if (!r->trace) return;
  if (r->trace_count >= RunRecord::kMaxTrace) {
    r->trace_overflow = true;
    return;
  }
  TraceEntry& e = r->trace_entries[r->trace_count++];
  e.step = d.step;
  e.kind = d.kind;
  e.current = static_cast<int16_t>(d.current);
  e.chosen = value;
  e.fallback = fallback;
  e.flags = static_cast<uint8_t>((d.current_may_continue ? TraceEntry::kMayContinue : 0) |
                                 (d.yielded ? TraceEntry::kYielded : 0));
  e.runnable_mask = 0;
  e.timed_mask = 0;
  for (int t : d.runnable) {
    if (t < 64) e.runnable_mask |= uint64_t{1} << t;
  }
  for (int t : d.timed) {
    if (t < 64) e.timed_mask |= uint64_t{1} << t;
  }
}

// Wakes every thread whose deadline the virtual clock has reached.
void fire_deadlines_locked(Controller& c) REQUIRES(c.mu) {
  for (ThreadCtl* t : c.threads) {
    if (t->state == ThreadCtl::State::kBlocked && t->deadline <= c.clock) wake_locked(c, t, Wake::kTimedOut);
  }
}

// One more step; past the bound the execution is a livelock.
void count_step_locked(Controller& c, ThreadCtl* self) REQUIRES(c.mu) {
  ++c.step;
  if (c.step - c.test_start_step > c.step_bound) report_livelock_locked(c, self, false);
}

// An operation that cannot change what another thread sees.
bool changes_nothing(Op op) { return op == Op::kAtomicLoad || op == Op::kYield; }

// Threads that only spin let time pass, up to the next deadline; with none,
// spinning for long enough is a livelock.
void after_spin_step_locked(Controller& c, ThreadCtl* self) REQUIRES(c.mu) {
  if (++c.spin_steps % kSpinStepsPerTick != 0) return;
  int64_t earliest = kNoDeadline;
  for (ThreadCtl* t : c.threads) {
    if (t->state == ThreadCtl::State::kBlocked) earliest = std::min(earliest, t->deadline);
  }
  if (earliest != kNoDeadline) {
    c.clock = std::max(c.clock, earliest);
    fire_deadlines_locked(c);
    c.spin_steps = 0;
    c.spin_ticks = 0;
  } else if (c.spin_steps >= kSpinLivelockSteps) {
    report_livelock_locked(c, self, true);
  } else {
    c.clock += kSpinQuantumNs << std::min(c.spin_ticks++, 40);
  }
}

// When nothing can run: moves the clock to the earliest deadline, or waits
// a while for a thread the scheduler does not run to signal something, or
// reports the deadlock. Returns once some thread is runnable.
void make_progress_locked(Controller& c, ThreadCtl* self) REQUIRES(c.mu) {
  // Deadlines that clock reads have passed meanwhile.
  fire_deadlines_locked(c);
  for (;;) {
    bool runnable = false;
    int64_t earliest = kNoDeadline;
    for (ThreadCtl* t : c.threads) {
      if (t->state == ThreadCtl::State::kRunnable) runnable = true;
      if (t->state == ThreadCtl::State::kBlocked) earliest = std::min(earliest, t->deadline);
    }
    if (runnable) return;
    if (earliest != kNoDeadline) {
      c.clock = std::max(c.clock, earliest);
      fire_deadlines_locked(c);
      continue;
    }
    if (!c.foreign_seen || !park_for_foreign_locked(c)) report_deadlock_locked(c, self);
  }
}

}  // namespace

ThreadCtl* decide_locked(Controller& c, ThreadCtl* self, bool yielded) REQUIRES(c.mu) {
  make_progress_locked(c, self);
  Decision d;
  d.kind = DecisionKind::kPick;
  d.current = self != nullptr ? self->index : -1;
  bool self_runnable = self != nullptr && self->state == ThreadCtl::State::kRunnable;
  int others = 0;
  for (ThreadCtl* t : c.threads) {
    if (t->state == ThreadCtl::State::kRunnable && t != self) ++others;
    if (t->state == ThreadCtl::State::kBlocked && t->deadline != kNoDeadline) d.timed.push_back(t->index);
  }
  // A thread that yields, or has used up its time slice, gives way if it can.
  bool gives_way = self_runnable && others > 0 && (yielded || self->streak >= kFairnessSteps);
  d.yielded = self_runnable && yielded;
  for (ThreadCtl* t : c.threads) {
    if (t->state != ThreadCtl::State::kRunnable) continue;
    if (t == self && gives_way) continue;
    d.runnable.push_back(t->index);
  }
  d.current_may_continue = self_runnable && !gives_way;
  count_step_locked(c, self);
  d.step = c.step;
  uint32_t fallback = default_choice(d);
  uint32_t value = c.strategy->choose(d, fallback);
  if (!valid_choice(d, value)) value = fallback;
  record_decision(c, d, value, fallback);
  ThreadCtl* next = find_thread_locked(c, value_thread(value));
  if (value_is_timeout(value)) {
    c.clock = std::max(c.clock, next->deadline);
    fire_deadlines_locked(c);
  }
  if (next == self) {
    if (others > 0) ++self->streak;
  } else {
    if (self != nullptr) self->streak = 0;
    next->streak = 0;
  }
  c.current = next;
  log_scheduled_locked(c, next);
  return next;
}

bool spurious_wakeup(const void* object) {
  if (!managed() || !internal::tls_flags.spurious_ok) return false;
  internal::tls_flags.spurious_ok = false;
  Invisible invisible;
  Controller& c = controller();
  if (c.ended) return false;
  c.mu.lock();
  ThreadCtl* self = internal::tls_flags.ctl;
  count_step_locked(c, self);
  Decision d;
  d.kind = DecisionKind::kSpurious;
  d.step = c.step;
  d.current = self->index;
  uint32_t value = c.strategy->choose(d, 0);
  if (!valid_choice(d, value)) value = 0;
  record_decision(c, d, value, 0);
  (void)object;
  c.mu.unlock();
  return value == 1;
}

// ---- Scheduling points ----------------------------------------------------------------

namespace {

void point_where(Op op, const void* object, const Traced* traced, const Where& where, bool yielded, bool after) {
  Invisible invisible;
  Controller& c = controller();
  if (c.ended) return;
  ThreadCtl* self = internal::tls_flags.ctl;
  c.mu.lock();
  self->pending_valid = true;
  self->pending_op = op;
  self->pending_object = object;
  self->pending_traced = traced;
  self->pending_where = where;
  self->resume_result = "ok";
  if (changes_nothing(op)) {
    after_spin_step_locked(c, self);
  } else {
    c.spin_steps = 0;
    c.spin_ticks = 0;
  }
  flush_pending_locked(c);
  if (after) {
    // Done already: logged now, so that what others do next comes after it.
    log_done_locked(c, self);
    self->pending_valid = false;
  }
  ThreadCtl* next = decide_locked(c, self, yielded);
  c.mu.unlock();
  hand_over(self, next);
}

}  // namespace

void point_slow(Op op, const void* object, const Traced* traced, const std::source_location& where) {
  point_where(op, object, traced, located(where), false, false);
}

void point_after_slow(Op op, const void* object, const Traced* traced, const std::source_location& where) {
  point_where(op, object, traced, located(where), false, true);
}

void point_at_pc(Op op, const void* object, const void* pc) {
  if (!managed() || internal::tls_flags.quiet != 0 || internal::tls_flags.in_scheduler != 0) return;
  point_where(op, object, nullptr, Where{{}, pc}, false, false);
}

void point_after_at_pc(Op op, const void* object, const void* pc) {
  if (!managed() || internal::tls_flags.quiet != 0 || internal::tls_flags.in_scheduler != 0) return;
  point_where(op, object, nullptr, Where{{}, pc}, false, true);
}

void yield_now(const void* pc) {
  if (!managed() || internal::tls_flags.in_scheduler != 0) return;
  point_where(Op::kYield, nullptr, nullptr, Where{{}, pc}, true, false);
}

// ---- Blocking --------------------------------------------------------------------------

namespace {

Wake block_where(const void* object, Op op, const Traced* traced, int64_t deadline, const Where& where) {
  Invisible invisible;
  Controller& c = controller();
  if (c.ended) return Wake::kSpurious;
  ThreadCtl* self = internal::tls_flags.ctl;
  c.mu.lock();
  self->state = ThreadCtl::State::kBlocked;
  self->blocked_on = object;
  self->blocked_op = op;
  self->pending_valid = true;
  self->pending_op = op;
  self->pending_object = object;
  self->pending_traced = traced;
  self->pending_where = where;
  self->deadline = deadline;
  self->block_seq = ++c.block_seq;
  c.blocked_count.fetch_add(1, std::memory_order_relaxed);
  c.spin_steps = 0;
  c.spin_ticks = 0;
  flush_pending_locked(c);
  log_blocked_locked(c, self);
  ThreadCtl* next = decide_locked(c, self, false);
  c.mu.unlock();
  hand_over(self, next);
  return self->wake;
}

}  // namespace

Wake block_on(const void* object, Op op, const Traced* traced, int64_t deadline_ns, const std::source_location& where) {
  if (!managed()) return Wake::kSpurious;
  return block_where(object, op, traced, deadline_ns, located(where));
}

Wake block_on_at_pc(const void* object, Op op, int64_t deadline_ns, const void* pc) {
  if (!managed()) return Wake::kSpurious;
  const internal::ThreadFlags& f = internal::tls_flags;
  if (f.describe != nullptr && f.describe_where != nullptr) {
    return block_where(object, op, f.describe, deadline_ns, Where{*f.describe_where, nullptr});
  }
  return block_where(object, op, nullptr, deadline_ns, Where{{}, pc});
}

namespace {

// A thread the scheduler does not run made a thread runnable: a parked
// scheduler (see park_for_foreign_locked) must look again.
void after_foreign_wake_locked(Controller& c) REQUIRES(c.mu) {
  c.foreign_seen = true;
  c.park_word.fetch_add(1, std::memory_order_release);
  futex_wake(&c.park_word, 1);
}

}  // namespace

void signal_all(const void* object) {
  if (!internal::g_controlled) return;
  Controller& c = controller();
  if (c.blocked_count.load(std::memory_order_relaxed) == 0 && internal::tls_flags.ctl != nullptr) return;
  Invisible invisible;
  c.mu.lock();
  bool woke = false;
  for (ThreadCtl* t : c.threads) {
    if (t->state == ThreadCtl::State::kBlocked && t->blocked_on == object) {
      wake_locked(c, t, Wake::kSignalled);
      woke = true;
    }
  }
  if (internal::tls_flags.ctl == nullptr) {
    c.foreign_seen = true;
    if (woke) after_foreign_wake_locked(c);
  }
  c.mu.unlock();
}

bool signal_one(const void* object) {
  if (!internal::g_controlled) return false;
  Controller& c = controller();
  if (c.blocked_count.load(std::memory_order_relaxed) == 0 && internal::tls_flags.ctl != nullptr) return false;
  Invisible invisible;
  c.mu.lock();
  ThreadCtl* first = nullptr;
  for (ThreadCtl* t : c.threads) {
    if (t->state == ThreadCtl::State::kBlocked && t->blocked_on == object &&
        (first == nullptr || t->block_seq < first->block_seq)) {
      first = t;
    }
  }
  if (first != nullptr) wake_locked(c, first, Wake::kSignalled);
  if (internal::tls_flags.ctl == nullptr) {
    c.foreign_seen = true;
    if (first != nullptr) after_foreign_wake_locked(c);
  }
  c.mu.unlock();
  return first != nullptr;
}

// ---- Thread lifecycle --------------------------------------------------------------------

ThreadCtl* on_spawn(int index, std::string_view name) {
  if (!internal::g_controlled || internal::tls_flags.ctl == nullptr) return nullptr;
  Invisible invisible;
  Controller& c = controller();
  if (c.ended) return nullptr;
  auto* t = new ThreadCtl;
  t->index = index;
  t->name = std::string(name);
  t->pending_op = Op::kStart;
  t->resume_result = "started";
  c.mu.lock();
  add_thread_locked(c, t);
  log_thread_locked(c, t, internal::tls_flags.ctl);
  c.mu.unlock();
  return t;
}

void on_created(ThreadCtl* ctl) {
  if (ctl == nullptr) return;
  Invisible invisible;
  Controller& c = controller();
  c.mu.lock();
  if (ctl->state == ThreadCtl::State::kNew) ctl->state = ThreadCtl::State::kRunnable;
  c.mu.unlock();
}

void on_start(ThreadCtl* ctl) {
  if (ctl == nullptr) return;
  Invisible invisible;
  ctl->tid = current_tid();
  internal::tls_flags.ctl = ctl;
  wait_turn(ctl);
}

void on_exit() {
  ThreadCtl* self = internal::tls_flags.ctl;
  if (self == nullptr || !internal::g_controlled) return;
  Invisible invisible;
  Controller& c = controller();
  internal::tls_flags.ctl = nullptr;
  if (c.ended) return;
  c.mu.lock();
  self->pending_valid = true;
  self->pending_op = Op::kExit;
  self->pending_object = nullptr;
  self->pending_traced = nullptr;
  self->pending_where = Where{};
  self->resume_result = "ok";
  flush_pending_locked(c);
  self->state = ThreadCtl::State::kFinished;
  log_exit_locked(c, self);
  // Joiners wait on the thread's control block.
  for (ThreadCtl* t : c.threads) {
    if (t->state == ThreadCtl::State::kBlocked && t->blocked_on == self) wake_locked(c, t, Wake::kSignalled);
  }
  ThreadCtl* next = decide_locked(c, self, false);
  c.mu.unlock();
  give_turn(next);
}

void wait_for_exit(ThreadCtl* ctl, const std::source_location& where) {
  if (ctl == nullptr || !managed()) return;
  for (;;) {
    {
      Invisible invisible;
      Controller& c = controller();
      if (c.ended) return;
      c.mu.lock();
      bool finished = ctl->state == ThreadCtl::State::kFinished;
      c.mu.unlock();
      if (finished) return;
    }
    block_on(ctl, Op::kJoin, nullptr, kNoDeadline, where);
  }
}

void begin_test(std::string_view name) {
  if (!internal::g_controlled) return;
  Invisible invisible;
  Controller& c = controller();
  if (c.ended) return;
  c.mu.lock();
  c.test_start_step = c.step;
  c.spin_steps = 0;
  log_test_locked(c, name);
  c.mu.unlock();
}

bool is_managed_tid(pid_t tid) {
  Invisible invisible;
  Controller& c = controller();
  c.mu.lock();
  bool found = false;
  for (ThreadCtl* t : c.threads) {
    if (t->tid == tid && t->state != ThreadCtl::State::kFinished) found = true;
  }
  c.mu.unlock();
  return found;
}

std::string thread_label() {
  ThreadCtl* self = internal::tls_flags.ctl;
  return self == nullptr ? std::string() : label(*self);
}

// ---- The virtual clock ---------------------------------------------------------------------

namespace {
// Where the virtual clocks start: fixed, so that every run reads the same
// times (1000 s of uptime; 2026-01-01T00:00:00Z).
constexpr int64_t kSteadyBase = int64_t{1000} * 1000000000;
constexpr int64_t kSystemBase = int64_t{1767225600} * 1000000000;
constexpr int64_t kClockReadCost = 1000;  // Each read moves the clock by 1 us.

int64_t read_real(clockid_t id) {
  timespec ts{};
  ::clock_gettime(id, &ts);
  return int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec;
}

// The virtual clock, advanced by a read, for the thread that holds the turn.
int64_t advance_on_read() {
  Invisible invisible;
  Controller& c = controller();
  c.mu.lock();
  c.clock += kClockReadCost;
  int64_t now = c.clock;
  c.mu.unlock();
  return now;
}

bool virtual_time() { return managed() && internal::tls_flags.in_scheduler == 0 && !control_ended(); }

}  // namespace

int64_t now_ns() {
  Invisible invisible;
  Controller& c = controller();
  c.mu.lock();
  int64_t now = c.clock;
  c.mu.unlock();
  return now;
}

int64_t steady_now_ns() { return virtual_time() ? kSteadyBase + advance_on_read() : read_real(CLOCK_MONOTONIC); }
int64_t system_now_ns() { return virtual_time() ? kSystemBase + advance_on_read() : read_real(CLOCK_REALTIME); }
int64_t real_steady_now_ns() { return read_real(CLOCK_MONOTONIC); }

int64_t deadline_from(int clock, int64_t absolute_ns) {
  int64_t base = clock == CLOCK_REALTIME ? kSystemBase : kSteadyBase;
  return absolute_ns - base;
}

void sleep_for_ns(int64_t ns, const void* pc) {
  if (!managed()) return;
  if (ns <= 0) {
    yield_now(pc);
    return;
  }
  ThreadCtl* self = internal::tls_flags.ctl;
  int64_t deadline = now_ns() + ns;
  while (!control_ended() && now_ns() < deadline) {
    block_on_at_pc(&self->deadline, Op::kSleep, deadline, pc);
  }
}

// ---- Starting and ending ---------------------------------------------------------------------

void start_controlled(const ControlOptions& options) {
  Invisible invisible;
  Controller& c = controller();
  c.record = options.record;
  RunRecord* r = c.record;
  c.step_bound = r->step_bound != 0 ? r->step_bound : kDefaultStepBound;
  std::vector<Deviation> forced(r->forced, r->forced + std::min(r->forced_count, RunRecord::kMaxForced));
  switch (r->strategy) {
    case StrategyKind::kReplay:
      c.strategy = make_replay_strategy(std::move(forced));
      break;
    case StrategyKind::kRandom:
      c.strategy = make_random_strategy(r->seed);
      break;
    case StrategyKind::kPct:
      c.strategy = make_pct_strategy(r->seed, r->depth, r->expected_steps);
      break;
    case StrategyKind::kDefault:
      c.strategy = make_default_strategy();
      break;
  }
  open_step_log(c, options.step_log_path, options.schedule_id);
  auto* main = new ThreadCtl;
  auto who = c.hooks.current_thread ? c.hooks.current_thread() : std::pair<int, std::string>{0, "main"};
  main->index = who.first;
  main->name = who.second;
  main->tid = current_tid();
  main->pending_op = Op::kStart;
  main->resume_result = "started";
  main->state = ThreadCtl::State::kRunnable;
  c.mu.lock();
  add_thread_locked(c, main);
  log_thread_locked(c, main, nullptr);
  c.current = main;
  log_scheduled_locked(c, main);
  c.mu.unlock();
  internal::tls_flags.ctl = main;
  internal::g_controlled = true;
}

bool control_ended() {
  Controller& c = controller();
  return c.ended;
}

void end_controlled() {
  if (!internal::g_controlled) return;
  Invisible invisible;
  Controller& c = controller();
  c.mu.lock();
  if (c.ended) {
    c.mu.unlock();
    return;
  }
  flush_pending_locked(c);
  finish_record_locked(c, Ending::kCompleted);
  c.ended = true;
  // Every thread waiting for its turn or blocked gets going: from here on
  // each interposed call does what it does without the scheduler.
  std::vector<ThreadCtl*> waiting;
  for (ThreadCtl* t : c.threads) {
    if (t->state == ThreadCtl::State::kBlocked) wake_locked(c, t, Wake::kSpurious);
    if (t->state != ThreadCtl::State::kFinished && t != internal::tls_flags.ctl) waiting.push_back(t);
  }
  c.mu.unlock();
  for (ThreadCtl* t : waiting) give_turn(t);
}

void finish_record_locked(Controller& c, Ending ending) REQUIRES(c.mu) {
  RunRecord* r = c.record;
  if (r == nullptr || r->ending != Ending::kRunning) return;
  r->steps = c.step;
  r->divergences = c.strategy ? c.strategy->divergences() : 0;
  r->ending = ending;
  log_end_locked(c, ending);
}

}  // namespace schedule
}  // namespace racelings
