// Cases for thread_annotations_test.sh: each CASE_* is a small program that
// Clang's thread safety analysis must reject (or, for the CORRECT_* cases,
// accept) with the primitives' flags. Compiled with -fsyntax-only, never run.

#include "primitives/mutex.h"
#include "primitives/raw_mutex.h"
#include "primitives/rwlock.h"

namespace {

using racelings::LockGuard;
using racelings::Mutex;
using racelings::MutexGuard;
using racelings::RawMutex;
using racelings::RwLock;

// A lock beside its data (raw_mutex.h).
class Account {
 public:
  void deposit(int amount) {
#if defined(CASE_RAW_UNLOCKED)
    balance_ += amount;  // no LockGuard
#else
    LockGuard guard(mu_);
    balance_ += amount;
#endif
  }

 private:
  RawMutex mu_{"account"};
  int balance_ GUARDED_BY(mu_) = 0;
};

#if !defined(RACELINGS_UNCHECKED_GUARDS)
// State guarded by a Mutex<T>: the guard's scope is where it may be touched.
Mutex<int> hits(0);
int last_page GUARDED_BY(hits) = 0;

void count(int page) {
  auto guard = hits.lock();
  *guard += 1;
  last_page = page;
#if defined(CASE_AFTER_UNLOCK)
  guard.unlock();
  last_page = page;  // the guard let go
#endif
}

void after_scope(int page) {
  {
    auto guard = hits.lock();
  }
#if defined(CASE_AFTER_GUARD_SCOPE)
  last_page = page;  // the guard is gone
#else
  (void)page;
#endif
}

void moved(int page) {
  auto guard = hits.lock();
  MutexGuard<int> kept = std::move(guard);
  last_page = page;  // still held, by `kept`
}

// A read guard does not allow writing.
RwLock<int> config(0);
int version GUARDED_BY(config) = 0;

int read_version() {
  auto reading = config.read();
#if defined(CASE_WRITE_UNDER_READ)
  version += 1;
#endif
  return version + *reading;
}

void bump_version() {
  auto writing = config.write();
  version += 1;
}

#endif  // !RACELINGS_UNCHECKED_GUARDS

Mutex<int> total(0);

#if defined(CASE_GUARD_RETURNED)
// What students may write (Rust does): returning a guard from a function
// without an ACQUIRE annotation. Rejected where guards are checked; accepted
// under RACELINGS_UNCHECKED_GUARDS, as the exercises are built.
MutexGuard<int> lock_total() { return total.lock(); }
int read_total() { return *lock_total(); }
#endif

// Students' code moves and returns guards without a word of annotation.
int add_all(int n) {
  auto guard = total.lock();
  for (int i = 0; i < n; ++i) *guard += i;
  MutexGuard<int> moved_guard = std::move(guard);
  return *moved_guard;
}

}  // namespace

int main() {
  Account account;
  account.deposit(1);
#if !defined(RACELINGS_UNCHECKED_GUARDS)
  count(1);
  after_scope(2);
  moved(3);
  bump_version();
  read_version();
#endif
#if defined(CASE_GUARD_RETURNED)
  read_total();
#endif
  return add_all(3);
}
