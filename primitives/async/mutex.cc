// The async mutex's lock table and its deadlock checks; see mutex.h.
//
// One std::mutex (the lock table) guards the state of every async mutex, the
// registry of live ones, and each task's `waiting_for_mutex`. A cycle found
// under it is real: every task on it is suspended in lock() (its
// waiting_for_mutex is set) and a holder that waits cannot unlock. Tasks are
// woken, and task references dropped, only after the table is released, so
// the table never nests outside the runtime's queue mutex.

#include "primitives/async/mutex.h"

#include <algorithm>
#include <mutex>
#include <string>
#include <vector>

#include "primitives/async/core.h"
#include "primitives/async/report.h"
#include "primitives/detector.h"

namespace racelings {
namespace async {
namespace internal {

using ::racelings::internal::PlainLock;

constinit ::racelings::internal::PlainMutex lock_table_mu;

namespace {

struct LockTable {
  MutexCore* registry GUARDED_BY(lock_table_mu) = nullptr;  // Every live async mutex.
};

LockTable& table() {
  // Leaked on purpose: mutexes with static storage may die after it otherwise.
  static LockTable* t = new LockTable;
  return *t;
}

}  // namespace

std::string holdings_locked(const TaskHeader& t) REQUIRES(lock_table_mu) {
  std::string s;
  for (MutexCore* m = table().registry; m != nullptr; m = m->reg_next_) {
    if (m->holder_.get() != &t) continue;
    s += "  and holds " + m->describe() + ", acquired at:\n" + frame_text(m->held_at_);
  }
  return s;
}

std::string async_mutex_holdings(const TaskHeader& t) {
  PlainLock lock(lock_table_mu);
  return holdings_locked(t);
}

MutexCore::MutexCore(std::string_view name, std::source_location created)
    : info_(detector::LockKind::kMutex, name, created) {
  LockTable& tb = table();
  PlainLock lock(lock_table_mu);
  reg_next_ = tb.registry;
  if (reg_next_ != nullptr) reg_next_->reg_prev_ = this;
  tb.registry = this;
}

MutexCore::~MutexCore() {
  LockTable& tb = table();
  TaskRef holder;
  bool misuse = false;
  {
    PlainLock lock(lock_table_mu);
    misuse = locked_ || head_ != nullptr;
    holder = std::move(holder_);
    if (reg_prev_ != nullptr) {
      reg_prev_->reg_next_ = reg_next_;
    } else {
      tb.registry = reg_next_;
    }
    if (reg_next_ != nullptr) reg_next_->reg_prev_ = reg_prev_;
  }
  if (misuse && detector::enabled()) {
    detector::report_mutex_misuse(info_, "destroy of a locked async mutex", std::source_location::current());
  }
}

std::string MutexCore::describe() const { return "async " + info_.describe(); }

std::string MutexCore::Waiter::describe_wait() const {
  uint64_t holder = m_.holder_id();
  return "waits for " + m_.describe() +
         (holder != 0 ? ", held by task #" + std::to_string(holder) : std::string(", held outside any task"));
}

void MutexCore::set_holder_locked(TaskHeader* who, const std::source_location& where) {
  if (who != nullptr) who->add_ref();
  holder_ = TaskRef(who);
  held_at_ = where;
  holder_id_.store(who != nullptr ? who->id : 0, std::memory_order_relaxed);
}

bool MutexCore::try_acquire(TaskHeader* who, const std::source_location& where) {
  TaskRef old;
  PlainLock lock(lock_table_mu);
  if (locked_ || head_ != nullptr) return false;
  locked_ = true;
  old = std::move(holder_);
  set_holder_locked(who, where);
  return true;
}

bool MutexCore::acquire_or_queue(Waiter& w, TaskHeader& me, std::coroutine_handle<> h,
                                 const std::source_location& where) {
  TaskRef old;
  PlainLock lock(lock_table_mu);
  if (!locked_ && head_ == nullptr) {
    locked_ = true;
    old = std::move(holder_);
    set_holder_locked(&me, where);
    return false;
  }
  prepare_wait(me, h, w);
  if (detector::enabled() && holder_.get() == &me) {
    std::string body = "  A task waits for an async mutex that it holds itself: it would wait forever.\n\n";
    body += "  " + me.describe() + " waits for " + describe() + ", which it holds:\n" + frame_text(where) + "\n";
    body += "  " + describe() + " was acquired by the same task here:\n" + frame_text(held_at_) + "\n";
    emit_report("deadlock", "task re-locks an async mutex it holds", body, where);
    die_after_report();
  }
  w.task_ = &me;
  w.where_ = where;
  w.queued_ = true;
  w.next_ = nullptr;
  if (tail_ != nullptr) {
    tail_->next_ = &w;
  } else {
    head_ = &w;
  }
  tail_ = &w;
  me.waiting_for_mutex = this;
  if (!detector::enabled()) return true;

  // Follow "waits for a lock held by" from us; coming back to us is a cycle.
  std::vector<TaskHeader*> path{&me};
  const MutexCore* m = this;
  for (;;) {
    TaskHeader* holder = m->holder_.get();
    if (holder == nullptr) return true;  // Held by a thread: outside what we see.
    if (holder == &me) break;
    if (std::find(path.begin(), path.end(), holder) != path.end()) return true;
    path.push_back(holder);
    m = holder->waiting_for_mutex;
    if (m == nullptr) return true;  // The holder is not waiting for a lock.
  }
  std::string body = "  Tasks wait for each other's async mutexes in a cycle:\n   ";
  for (TaskHeader* t : path) body += " " + t->short_name() + " =>";
  body += " " + me.short_name() + "\n";
  for (TaskHeader* t : path) body += "\n" + task_wait_text(*t, /*with_holdings=*/false) + holdings_locked(*t);
  body += "\n";
  emit_report("deadlock", "cycle of waiting tasks", body, where);
  die_after_report();
}

MutexCore::Handover MutexCore::release_locked() {
  Handover handover{std::move(holder_), TaskRef()};
  Waiter* w = head_;
  if (w == nullptr) {
    locked_ = false;
    holder_id_.store(0, std::memory_order_relaxed);
    return handover;
  }
  head_ = w->next_;
  if (head_ == nullptr) tail_ = nullptr;
  w->next_ = nullptr;
  w->queued_ = false;
  w->granted_ = true;
  w->task_->waiting_for_mutex = nullptr;
  set_holder_locked(w->task_, w->where_);
  w->task_->add_ref();
  handover.new_holder = TaskRef(w->task_);
  return handover;
}

void MutexCore::unlock() noexcept {
  Handover handover;
  {
    PlainLock lock(lock_table_mu);
    handover = release_locked();
  }
  if (handover.new_holder) wake(*handover.new_holder.get());
}

void MutexCore::abandon(Waiter& w) noexcept {
  Handover handover;
  {
    PlainLock lock(lock_table_mu);
    if (w.queued_) {
      Waiter* prev = nullptr;
      for (Waiter* p = head_; p != nullptr; prev = p, p = p->next_) {
        if (p != &w) continue;
        if (prev != nullptr) {
          prev->next_ = w.next_;
        } else {
          head_ = w.next_;
        }
        if (tail_ == &w) tail_ = prev;
        break;
      }
      w.queued_ = false;
      w.task_->waiting_for_mutex = nullptr;
    } else if (w.granted_) {
      // Handed the lock, destroyed before it could run: pass the lock on.
      w.granted_ = false;
      handover = release_locked();
    }
  }
  if (handover.new_holder) wake(*handover.new_holder.get());
}

}  // namespace internal
}  // namespace async
}  // namespace racelings
