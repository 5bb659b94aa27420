// The wait-for graph and its watcher: what each thread waits for (its
// BlockScope), the cycle a thread closes when it starts to wait, and the
// watcher thread that reports when every known thread has been blocked for
// the grace period with nothing else that may wake them.

#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <unordered_set>
#include <utility>
#include <vector>

#include "primitives/detector.h"
#include "primitives/detector/internal.h"

namespace racelings {
namespace detector {

namespace {

// OwnerWatch objects alive (an async runtime watching its tasks).
std::atomic<int> owner_watches{0};
// How many grace periods the watcher leaves an all-blocked state to them.
constexpr int kOwnerWatchDeferrals = 4;

// Threads that hold `lock`, found through their held slots.
std::vector<ThreadRecord*> holders_locked(Registry& r, const LockInfo& lock) REQUIRES(r.mu) {
  std::vector<ThreadRecord*> out;
  for (auto& t : r.live) {
    int n = std::min(t->held_count.load(std::memory_order_acquire), kMaxHeld);
    for (int i = 0; i < n; ++i) {
      if (t->held[i].lock_id.load(std::memory_order_relaxed) == lock.id() &&
          t->held[i].lock.load(std::memory_order_relaxed) != nullptr) {
        out.push_back(t.get());
        break;
      }
    }
  }
  return out;
}

// The threads `t` waits for: holders of the lock it wants, or the thread it joins.
std::vector<ThreadRecord*> waits_for_locked(Registry& r, const ThreadRecord& t) REQUIRES(r.mu) {
  if (t.wait_has_timeout) return {};
  if (t.wait_type == WaitType::kLock) {
    auto hs = holders_locked(r, *t.wait_lock);
    if (t.wait_mode == Mode::kShared) {
      // A reader waits only for a writer; other readers do not block it.
      std::vector<ThreadRecord*> writers;
      for (ThreadRecord* h : hs) {
        int n = std::min(h->held_count.load(std::memory_order_acquire), kMaxHeld);
        for (int i = 0; i < n; ++i) {
          if (h->held[i].lock_id.load(std::memory_order_relaxed) == t.wait_lock->id() &&
              h->held[i].mode.load(std::memory_order_relaxed) == Mode::kExclusive) {
            writers.push_back(h);
            break;
          }
        }
      }
      return writers;
    }
    return hs;
  }
  if (t.wait_type == WaitType::kJoin && !t.wait_thread->finished.load(std::memory_order_acquire)) {
    return {t.wait_thread.get()};
  }
  return {};
}

// Depth-first search for a path of waits from `from` back to `target`.
bool find_cycle_locked(Registry& r, ThreadRecord* from, ThreadRecord* target, std::vector<ThreadRecord*>& path,
                       std::unordered_set<ThreadRecord*>& seen) REQUIRES(r.mu) {
  for (ThreadRecord* next : waits_for_locked(r, *from)) {
    if (next == target) {
      path.push_back(from);
      return true;
    }
    if (!seen.insert(next).second) continue;
    if (!next->blocked()) continue;
    if (find_cycle_locked(r, next, target, path, seen)) {
      path.push_back(from);
      return true;
    }
  }
  return false;
}

void report_cycle_locked(Registry& r, std::vector<ThreadRecord*> cycle) REQUIRES(r.mu) {
  std::reverse(cycle.begin(), cycle.end());
  std::string body;
  bool joins = false;
  for (ThreadRecord* t : cycle) joins = joins || t->wait_type == WaitType::kJoin;
  body += joins ? "  Threads wait for each other in a cycle (locks held while joining):\n"
                : "  Threads wait for each other's locks in a cycle:\n";
  body += "   ";
  for (ThreadRecord* t : cycle) body += " T" + std::to_string(t->index) + " =>";
  body += " T" + std::to_string(cycle.front()->index) + "\n";
  for (ThreadRecord* t : cycle) {
    body += "\n" + wait_text_locked(*t) + held_locks_text(*t);
  }
  // Other threads that wait on the cycle (e.g. main joining the workers).
  for (auto& t : r.live) {
    if (std::find(cycle.begin(), cycle.end(), t.get()) != cycle.end()) continue;
    if (!t->blocked()) continue;
    body += "\n" + wait_text_locked(*t) + held_locks_text(*t);
  }
  body += "\n";
  emit("deadlock", "cycle of waiting threads", body, cycle.front()->wait_site);
}

// Between two samples of the OS threads, a grace period apart: any sign that
// the blocked threads are not stuck. A known thread counted as blocked may
// have been notified (or had its lock released) and not have run yet: it is
// then runnable ('R'), and reporting it would accuse a correct program on a
// loaded machine. A thread the primitives do not know (a std::thread, say)
// may still wake someone: os_thread_may_wake().
bool some_thread_may_wake(const std::set<pid_t>& known, const std::map<pid_t, OsThreadSample>& before,
                          const std::map<pid_t, OsThreadSample>& after) {
  const pid_t watcher = current_tid();  // Running as it reads the samples.
  for (auto& [tid, s] : after) {
    if (tid == watcher) continue;
    if (known.count(tid) == 0) {
      if (os_thread_may_wake(tid, before, s)) return true;
      continue;
    }
    auto it = before.find(tid);
    if (s.state == 'R' || (it != before.end() && s.cpu_ticks > it->second.cpu_ticks)) return true;
  }
  return false;
}

void watcher_main() {
  Invisible invisible;
  Registry& r = registry();
  PlainLock lock(r.mu);
  r.watcher_tid = current_tid();
  int deferred = 0;
  for (;;) {
    while (!r.suspect) r.wake_watcher.wait(lock.native());
    r.suspect = false;
    if (process_exiting.load(std::memory_order_relaxed) || !all_blocked_locked(r)) {
      deferred = 0;
      continue;
    }
    // Remember who waits where; report only if nothing moved for the grace period.
    std::vector<std::pair<std::shared_ptr<ThreadRecord>, uint64_t>> snapshot;
    std::set<pid_t> known;
    for (auto& t : r.live) {
      snapshot.emplace_back(t, t->block_seq);
      known.insert(t->tid.load(std::memory_order_relaxed));
    }
    known.insert(r.watcher_tid);
    lock.unlock();
    auto before = sample_os_threads();
    std::this_thread::sleep_for(std::chrono::milliseconds(config().grace_ms));
    auto after = sample_os_threads();
    lock.lock();
    if (process_exiting.load(std::memory_order_relaxed)) continue;
    if (!all_blocked_locked(r) || r.live.size() != snapshot.size()) continue;
    bool same = true;
    for (auto& [t, seq] : snapshot) {
      if (t->finished.load(std::memory_order_acquire) || t->block_seq != seq) same = false;
    }
    if (!same) {
      deferred = 0;
      continue;
    }
    if (some_thread_may_wake(known, before, after)) {
      // Look again later: the thread that moved may stop (or wake the rest).
      r.suspect = true;
      continue;
    }
    if (owner_watches.load(std::memory_order_acquire) > 0 && deferred++ < kOwnerWatchDeferrals) {
      r.suspect = true;
      continue;
    }
    std::string body = "  Every thread is waiting and none of them can wake the others.\n";
    // The summary names a worker rather than a joining main thread when it
    // can, and that thread comes first, so that the report's first frame is
    // the place its SUMMARY names (REPORTS.md).
    const ThreadRecord* first = nullptr;
    for (auto& t : r.live) {
      if (first == nullptr || (first->wait_type == WaitType::kJoin && t->wait_type != WaitType::kJoin)) {
        first = t.get();
      }
    }
    body += "\n" + wait_text_locked(*first) + held_locks_text(*first);
    for (auto& t : r.live) {
      if (t.get() != first) body += "\n" + wait_text_locked(*t) + held_locks_text(*t);
    }
    body += "\n";
    emit("deadlock", "all threads are blocked", body, first->wait_site);
    end_after_report();
  }
}

}  // namespace

// Called under r.mu after a thread started to wait.
void check_after_wait_started_locked(Registry& r, ThreadRecord* me) {
  if (!me->blocked()) return;
  if (me->wait_type == WaitType::kLock || me->wait_type == WaitType::kJoin) {
    std::vector<ThreadRecord*> path;
    std::unordered_set<ThreadRecord*> seen{me};
    if (find_cycle_locked(r, me, me, path, seen)) {
      report_cycle_locked(r, path);
      end_after_report();
    }
  }
  notify_watcher_locked(r);
}

OwnerWatch::OwnerWatch() { owner_watches.fetch_add(1, std::memory_order_acq_rel); }
OwnerWatch::~OwnerWatch() { owner_watches.fetch_sub(1, std::memory_order_acq_rel); }

bool all_blocked_locked(Registry& r) {
  if (r.live.empty()) return false;
  for (auto& t : r.live) {
    if (!t->blocked()) return false;
  }
  return true;
}

void notify_watcher_locked(Registry& r) {
  // The controlled scheduler knows at once when no thread can run.
  if (schedule::controlled()) return;
  if (!all_blocked_locked(r)) return;
  if (!r.watcher_started) {
    r.watcher_started = true;
    // A raw detached pthread: the watcher must never appear as a known thread,
    // and it must not keep the process alive at exit.
    pthread_t handle;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_create(
        &handle, &attr,
        [](void*) -> void* {
          pthread_setname_np(pthread_self(), "racelings-watch");
          watcher_main();
          return nullptr;
        },
        nullptr);
    pthread_attr_destroy(&attr);
  }
  r.suspect = true;
  r.wake_watcher.notify_one();
}

namespace {

// What a BlockScope's thread is about to wait for: one of a lock, a thread
// to join or another Waitable, by `type`.
struct WaitStart {
  WaitType type;
  LockInfo* lock = nullptr;
  Mode mode = Mode::kExclusive;
  const ThreadRecord* joined = nullptr;
  const Waitable* object = nullptr;
  bool has_timeout = false;
};

// Records that `self` waits for `wait` (no-op when waits are not watched),
// then lets the watcher look at the new situation.
void start_wait(ThreadRecord* self, const WaitStart& wait, const std::source_location& where) {
  if (self == nullptr) return;  // RACELINGS_DETECT=0: waits are not watched.
  Invisible invisible;
  Registry& r = registry();
  PlainLock guard(r.mu);
  if (wait.type == WaitType::kJoin) {
    // The joined record is kept alive by the JoinHandle; share it for reports.
    for (auto& t : r.live) {
      if (t.get() == wait.joined) self->wait_thread = t;
    }
    if (!self->wait_thread) return;  // Already finished and unregistered: nothing to wait for.
  }
  self->wait_type = wait.type;
  self->wait_lock = wait.lock;
  self->wait_mode = wait.mode;
  self->wait_object = wait.object;
  self->wait_has_timeout = wait.has_timeout;
  self->wait_site = where;
  ++self->block_seq;
  check_after_wait_started_locked(r, self);
}

}  // namespace

BlockScope::BlockScope(LockInfo& lock, Mode mode, const std::source_location& where)
    : self_(enabled() ? self() : nullptr) {
  start_wait(self_, {.type = WaitType::kLock, .lock = &lock, .mode = mode}, where);
}

BlockScope::BlockScope(ThreadRecord& joined, const std::source_location& where) : self_(enabled() ? self() : nullptr) {
  start_wait(self_, {.type = WaitType::kJoin, .joined = &joined}, where);
}

BlockScope::BlockScope(const Waitable& what, bool has_timeout, const std::source_location& where)
    : self_(enabled() ? self() : nullptr) {
  start_wait(self_, {.type = WaitType::kOther, .object = &what, .has_timeout = has_timeout}, where);
}

BlockScope::~BlockScope() {
  if (self_ == nullptr) return;
  Invisible invisible;
  Registry& r = registry();
  PlainLock guard(r.mu);
  self_->wait_type = WaitType::kNone;
  self_->wait_lock = nullptr;
  self_->wait_thread.reset();
  self_->wait_object = nullptr;
  ++self_->block_seq;
}

}  // namespace detector
}  // namespace racelings
