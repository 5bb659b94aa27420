// Routes what the standard library does behind the primitives' back through
// the controlled scheduler: std::mutex and pthread mutexes, std::shared_mutex
// (pthread rwlocks), std::condition_variable and pthread condition variables,
// std::this_thread::yield and sleep_for (sched_yield, nanosleep...), and the
// std::chrono clocks. The linker renames every call to such a function in
// the program's own object files to __wrap_<name> (-Wl,--wrap, see BUILD);
// __real_<name> is the original, which under ThreadSanitizer is its
// interceptor, so TSan sees each operation exactly as before.
//
// Without the scheduler each wrapper is a test of a flag and the original
// call. Under it, a thread the scheduler runs never blocks in the kernel on
// something another such thread holds (that thread could not run to release
// it): it waits through block_on() and tries again. Calls made inside the
// standard library's own compiled code (std::thread's start, say) are not
// renamed and run as they are: README.md lists what that leaves out.

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <condition_variable>
#include <cstdint>
#include <mutex>

#include "primitives/schedule/controller.h"
#include "primitives/schedule/schedule.h"

using racelings::schedule::Op;
using racelings::schedule::Wake;
namespace sched = racelings::schedule;
namespace si = racelings::schedule::internal;

extern "C" {
int __real_pthread_mutex_lock(pthread_mutex_t* m);
int __real_pthread_mutex_trylock(pthread_mutex_t* m);
int __real_pthread_mutex_unlock(pthread_mutex_t* m);
int __real_pthread_mutex_timedlock(pthread_mutex_t* m, const timespec* abstime);
int __real_pthread_mutex_clocklock(pthread_mutex_t* m, clockid_t clock, const timespec* abstime);
int __real_pthread_cond_wait(pthread_cond_t* c, pthread_mutex_t* m);
int __real_pthread_cond_timedwait(pthread_cond_t* c, pthread_mutex_t* m, const timespec* abstime);
int __real_pthread_cond_clockwait(pthread_cond_t* c, pthread_mutex_t* m, clockid_t clock, const timespec* abstime);
int __real_pthread_cond_signal(pthread_cond_t* c);
int __real_pthread_cond_broadcast(pthread_cond_t* c);
int __real_pthread_rwlock_rdlock(pthread_rwlock_t* l);
int __real_pthread_rwlock_wrlock(pthread_rwlock_t* l);
int __real_pthread_rwlock_tryrdlock(pthread_rwlock_t* l);
int __real_pthread_rwlock_trywrlock(pthread_rwlock_t* l);
int __real_pthread_rwlock_timedrdlock(pthread_rwlock_t* l, const timespec* abstime);
int __real_pthread_rwlock_timedwrlock(pthread_rwlock_t* l, const timespec* abstime);
int __real_pthread_rwlock_clockrdlock(pthread_rwlock_t* l, clockid_t clock, const timespec* abstime);
int __real_pthread_rwlock_clockwrlock(pthread_rwlock_t* l, clockid_t clock, const timespec* abstime);
int __real_pthread_rwlock_unlock(pthread_rwlock_t* l);
int __real_sched_yield();
int __real_nanosleep(const timespec* request, timespec* remaining);
int __real_clock_nanosleep(clockid_t clock, int flags, const timespec* request, timespec* remaining);
int __real_usleep(useconds_t us);
unsigned __real_sleep(unsigned seconds);
// std::condition_variable's out-of-line members, and the std::chrono clocks.
void __real__ZNSt18condition_variable4waitERSt11unique_lockISt5mutexE(std::condition_variable* cv,
                                                                      std::unique_lock<std::mutex>* lock);
void __real__ZNSt18condition_variable10notify_oneEv(std::condition_variable* cv);
void __real__ZNSt18condition_variable10notify_allEv(std::condition_variable* cv);
int64_t __real__ZNSt6chrono3_V212steady_clock3nowEv();
int64_t __real__ZNSt6chrono3_V212system_clock3nowEv();
}

namespace {

// Only a managed thread outside the scheduler's own code is scheduled.
inline bool scheduled() { return sched::managed() && si::tls_flags.in_scheduler == 0 && !sched::control_ended(); }

// Signals are for the scheduler's waiters; helpers (in_scheduler) never wait there.
inline bool may_signal() { return si::g_controlled && si::tls_flags.in_scheduler == 0; }

int64_t to_ns(const timespec* t) { return int64_t{t->tv_sec} * 1000000000 + t->tv_nsec; }

pid_t my_tid() {
  static thread_local pid_t tid = static_cast<pid_t>(::syscall(SYS_gettid));
  return tid;
}

// The owner glibc records in a locked mutex (0 when free). Read without the
// lock: a hint, confirmed by the real lock that follows.
__attribute__((no_sanitize("thread"))) int mutex_owner(const pthread_mutex_t* m) {
  return __atomic_load_n(&m->__data.__owner, __ATOMIC_RELAXED);
}

__attribute__((no_sanitize("thread"))) bool mutex_recursive(const pthread_mutex_t* m) {
  return (__atomic_load_n(&m->__data.__kind, __ATOMIC_RELAXED) & 3) == PTHREAD_MUTEX_RECURSIVE_NP;
}

// Waits (through the scheduler) until the real lock of `m` will not block
// for a thread the scheduler runs; false when the deadline passed first.
bool wait_lockable(pthread_mutex_t* m, int64_t deadline, const void* pc) {
  for (;;) {
    int owner = mutex_owner(m);
    if (owner == 0 || sched::control_ended()) return true;
    if (owner == my_tid() && mutex_recursive(m)) return true;
    // Held by a thread outside the scheduler: it needs no turn to let go.
    if (owner != my_tid() && !sched::is_managed_tid(owner)) return true;
    if (sched::block_on_at_pc(m, Op::kLock, deadline, pc) == Wake::kTimedOut) return mutex_owner(m) == 0;
  }
}

int timed_lock(pthread_mutex_t* m, int64_t deadline, const void* pc) {
  sched::point_at_pc(Op::kLock, m, pc);
  if (!wait_lockable(m, deadline, pc)) return ETIMEDOUT;
  return __real_pthread_mutex_lock(m);
}

void after_unlock(const void* object, Op op, const void* pc) {
  if (!may_signal()) return;
  sched::signal_all(object);
  if (scheduled()) sched::point_after_at_pc(op, object, pc);
}

int cond_wait(pthread_cond_t* c, pthread_mutex_t* m, int64_t deadline, const void* pc) {
  sched::point_at_pc(Op::kWait, c, pc);
  bool spurious = sched::spurious_wakeup(c);
  __real_pthread_mutex_unlock(m);
  sched::signal_all(m);
  Wake why = Wake::kSpurious;
  if (spurious) {
    sched::yield_now(pc);
  } else {
    why = sched::block_on_at_pc(c, Op::kWait, deadline, pc);
  }
  wait_lockable(m, sched::kNoDeadline, pc);
  __real_pthread_mutex_lock(m);
  return why == Wake::kTimedOut ? ETIMEDOUT : 0;
}

template <typename TryLock, typename Lock>
int rw_lock(pthread_rwlock_t* l, Op op, int64_t deadline, const void* pc, TryLock try_lock, Lock lock) {
  sched::point_at_pc(op, l, pc);
  for (;;) {
    int r = try_lock(l);
    if (r != EBUSY) return r;
    if (sched::control_ended()) return lock(l);
    if (sched::block_on_at_pc(l, op, deadline, pc) == Wake::kTimedOut) {
      r = try_lock(l);
      return r == EBUSY ? ETIMEDOUT : r;
    }
  }
}

int rd_try(pthread_rwlock_t* l) { return __real_pthread_rwlock_tryrdlock(l); }
int wr_try(pthread_rwlock_t* l) { return __real_pthread_rwlock_trywrlock(l); }
int rd_lock(pthread_rwlock_t* l) { return __real_pthread_rwlock_rdlock(l); }
int wr_lock(pthread_rwlock_t* l) { return __real_pthread_rwlock_wrlock(l); }

}  // namespace

extern "C" {

// The explorer looks for this: a program without the interposition cannot be
// explored (its std::mutex would block a thread that holds the turn).
bool racelings_schedule_interposed() { return true; }

// ---- Mutexes ----------------------------------------------------------------------

int __wrap_pthread_mutex_lock(pthread_mutex_t* m) {
  if (!scheduled()) return __real_pthread_mutex_lock(m);
  return timed_lock(m, sched::kNoDeadline, __builtin_return_address(0));
}

int __wrap_pthread_mutex_trylock(pthread_mutex_t* m) {
  if (scheduled()) sched::point_at_pc(Op::kTryLock, m, __builtin_return_address(0));
  return __real_pthread_mutex_trylock(m);
}

int __wrap_pthread_mutex_timedlock(pthread_mutex_t* m, const timespec* abstime) {
  if (!scheduled()) return __real_pthread_mutex_timedlock(m, abstime);
  return timed_lock(m, sched::deadline_from(CLOCK_REALTIME, to_ns(abstime)), __builtin_return_address(0));
}

int __wrap_pthread_mutex_clocklock(pthread_mutex_t* m, clockid_t clock, const timespec* abstime) {
  if (!scheduled()) return __real_pthread_mutex_clocklock(m, clock, abstime);
  return timed_lock(m, sched::deadline_from(clock, to_ns(abstime)), __builtin_return_address(0));
}

int __wrap_pthread_mutex_unlock(pthread_mutex_t* m) {
  int r = __real_pthread_mutex_unlock(m);
  after_unlock(m, Op::kUnlock, __builtin_return_address(0));
  return r;
}

// ---- Condition variables ------------------------------------------------------------

int __wrap_pthread_cond_wait(pthread_cond_t* c, pthread_mutex_t* m) {
  if (!scheduled()) return __real_pthread_cond_wait(c, m);
  return cond_wait(c, m, sched::kNoDeadline, __builtin_return_address(0));
}

int __wrap_pthread_cond_timedwait(pthread_cond_t* c, pthread_mutex_t* m, const timespec* abstime) {
  if (!scheduled()) return __real_pthread_cond_timedwait(c, m, abstime);
  return cond_wait(c, m, sched::deadline_from(CLOCK_REALTIME, to_ns(abstime)), __builtin_return_address(0));
}

int __wrap_pthread_cond_clockwait(pthread_cond_t* c, pthread_mutex_t* m, clockid_t clock, const timespec* abstime) {
  if (!scheduled()) return __real_pthread_cond_clockwait(c, m, clock, abstime);
  return cond_wait(c, m, sched::deadline_from(clock, to_ns(abstime)), __builtin_return_address(0));
}

int __wrap_pthread_cond_signal(pthread_cond_t* c) {
  if (may_signal()) {
    if (scheduled()) sched::point_at_pc(Op::kNotifyOne, c, __builtin_return_address(0));
    sched::signal_one(c);
  }
  return __real_pthread_cond_signal(c);
}

int __wrap_pthread_cond_broadcast(pthread_cond_t* c) {
  if (may_signal()) {
    if (scheduled()) sched::point_at_pc(Op::kNotifyAll, c, __builtin_return_address(0));
    sched::signal_all(c);
  }
  return __real_pthread_cond_broadcast(c);
}

void __wrap__ZNSt18condition_variable4waitERSt11unique_lockISt5mutexE(std::condition_variable* cv,
                                                                      std::unique_lock<std::mutex>* lock) {
  if (!scheduled()) {
    __real__ZNSt18condition_variable4waitERSt11unique_lockISt5mutexE(cv, lock);
    return;
  }
  cond_wait(cv->native_handle(), lock->mutex()->native_handle(), sched::kNoDeadline, __builtin_return_address(0));
}

void __wrap__ZNSt18condition_variable10notify_oneEv(std::condition_variable* cv) {
  if (may_signal()) {
    if (scheduled()) sched::point_at_pc(Op::kNotifyOne, cv->native_handle(), __builtin_return_address(0));
    sched::signal_one(cv->native_handle());
  }
  __real__ZNSt18condition_variable10notify_oneEv(cv);
}

void __wrap__ZNSt18condition_variable10notify_allEv(std::condition_variable* cv) {
  if (may_signal()) {
    if (scheduled()) sched::point_at_pc(Op::kNotifyAll, cv->native_handle(), __builtin_return_address(0));
    sched::signal_all(cv->native_handle());
  }
  __real__ZNSt18condition_variable10notify_allEv(cv);
}

// ---- Reader-writer locks (std::shared_mutex) -------------------------------------------

int __wrap_pthread_rwlock_rdlock(pthread_rwlock_t* l) {
  if (!scheduled()) return __real_pthread_rwlock_rdlock(l);
  return rw_lock(l, Op::kReadLock, sched::kNoDeadline, __builtin_return_address(0), rd_try, rd_lock);
}

int __wrap_pthread_rwlock_wrlock(pthread_rwlock_t* l) {
  if (!scheduled()) return __real_pthread_rwlock_wrlock(l);
  return rw_lock(l, Op::kWriteLock, sched::kNoDeadline, __builtin_return_address(0), wr_try, wr_lock);
}

int __wrap_pthread_rwlock_tryrdlock(pthread_rwlock_t* l) {
  if (scheduled()) sched::point_at_pc(Op::kReadLock, l, __builtin_return_address(0));
  return __real_pthread_rwlock_tryrdlock(l);
}

int __wrap_pthread_rwlock_trywrlock(pthread_rwlock_t* l) {
  if (scheduled()) sched::point_at_pc(Op::kWriteLock, l, __builtin_return_address(0));
  return __real_pthread_rwlock_trywrlock(l);
}

int __wrap_pthread_rwlock_timedrdlock(pthread_rwlock_t* l, const timespec* abstime) {
  if (!scheduled()) return __real_pthread_rwlock_timedrdlock(l, abstime);
  return rw_lock(l, Op::kReadLock, sched::deadline_from(CLOCK_REALTIME, to_ns(abstime)), __builtin_return_address(0),
                 rd_try, rd_lock);
}

int __wrap_pthread_rwlock_timedwrlock(pthread_rwlock_t* l, const timespec* abstime) {
  if (!scheduled()) return __real_pthread_rwlock_timedwrlock(l, abstime);
  return rw_lock(l, Op::kWriteLock, sched::deadline_from(CLOCK_REALTIME, to_ns(abstime)), __builtin_return_address(0),
                 wr_try, wr_lock);
}

int __wrap_pthread_rwlock_clockrdlock(pthread_rwlock_t* l, clockid_t clock, const timespec* abstime) {
  if (!scheduled()) return __real_pthread_rwlock_clockrdlock(l, clock, abstime);
  return rw_lock(l, Op::kReadLock, sched::deadline_from(clock, to_ns(abstime)), __builtin_return_address(0), rd_try,
                 rd_lock);
}

int __wrap_pthread_rwlock_clockwrlock(pthread_rwlock_t* l, clockid_t clock, const timespec* abstime) {
  if (!scheduled()) return __real_pthread_rwlock_clockwrlock(l, clock, abstime);
  return rw_lock(l, Op::kWriteLock, sched::deadline_from(clock, to_ns(abstime)), __builtin_return_address(0), wr_try,
                 wr_lock);
}

int __wrap_pthread_rwlock_unlock(pthread_rwlock_t* l) {
  int r = __real_pthread_rwlock_unlock(l);
  after_unlock(l, Op::kRwUnlock, __builtin_return_address(0));
  return r;
}

// ---- Yields and sleeps -------------------------------------------------------------------

int __wrap_sched_yield() {
  if (!scheduled()) return __real_sched_yield();
  sched::yield_now(__builtin_return_address(0));
  return 0;
}

int __wrap_nanosleep(const timespec* request, timespec* remaining) {
  if (!scheduled() || request == nullptr) return __real_nanosleep(request, remaining);
  sched::sleep_for_ns(to_ns(request), __builtin_return_address(0));
  if (remaining != nullptr) *remaining = timespec{0, 0};
  return 0;
}

int __wrap_clock_nanosleep(clockid_t clock, int flags, const timespec* request, timespec* remaining) {
  if (!scheduled() || request == nullptr) return __real_clock_nanosleep(clock, flags, request, remaining);
  int64_t ns = to_ns(request);
  if ((flags & TIMER_ABSTIME) != 0) ns = sched::deadline_from(clock, ns) - sched::now_ns();
  sched::sleep_for_ns(ns, __builtin_return_address(0));
  if (remaining != nullptr) *remaining = timespec{0, 0};
  return 0;
}

int __wrap_usleep(useconds_t us) {
  if (!scheduled()) return __real_usleep(us);
  sched::sleep_for_ns(int64_t{us} * 1000, __builtin_return_address(0));
  return 0;
}

unsigned __wrap_sleep(unsigned seconds) {
  if (!scheduled()) return __real_sleep(seconds);
  sched::sleep_for_ns(int64_t{seconds} * 1000000000, __builtin_return_address(0));
  return 0;
}

// ---- Clocks -------------------------------------------------------------------------------

int64_t __wrap__ZNSt6chrono3_V212steady_clock3nowEv() {
  if (!scheduled()) return __real__ZNSt6chrono3_V212steady_clock3nowEv();
  return sched::steady_now_ns();
}

int64_t __wrap__ZNSt6chrono3_V212system_clock3nowEv() {
  if (!scheduled()) return __real__ZNSt6chrono3_V212system_clock3nowEv();
  return sched::system_now_ns();
}

}  // extern "C"
