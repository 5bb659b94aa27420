// Catches the exception inside record() so that the unlock always runs: the ledger goes on, and the cashier never learns the payment was rejected.
// expect: runs: test failure
//
// Exercise 32: an exception skips the unlock
//
// A Ledger adds up the payments of several cashier threads, under a RawMutex
// that record() locks and unlocks by hand. A negative amount makes record()
// throw between lock() and unlock(): the unlock never runs, the mutex stays
// locked, and the next record() waits forever.
//
// Make sure the mutex is unlocked on every way out of record(). Keep the
// cashier threads.

#include <stdexcept>
#include <string>
#include <vector>

#include "primitives/raw_mutex.h"
#include "primitives/thread.h"
#include "primitives/thread_annotations.h"

namespace exercise {

class Ledger {
 public:
  void record(long amount) EXCLUDES(mu_) {
    mu_.lock();
    try {
      if (amount < 0) throw std::invalid_argument("negative payment: " + std::to_string(amount));
      total_ += amount;
    } catch (const std::invalid_argument&) {
      // Caught here, so that the unlock() below always runs.
    }
    mu_.unlock();
  }

  long total() EXCLUDES(mu_) {
    racelings::LockGuard guard(mu_);
    return total_;
  }

 private:
  racelings::RawMutex mu_{"ledger"};
  long total_ GUARDED_BY(mu_) = 0;
};

// Each cashier records its payments on its own thread, skipping invalid ones.
// Returns the ledger's total; sets `rejected` to the number of skipped payments.
long run_cashiers(const std::vector<std::vector<long>>& payments, int& rejected) {
  Ledger ledger;
  std::vector<racelings::JoinHandle<int>> cashiers;
  for (size_t c = 0; c < payments.size(); ++c) {
    cashiers.push_back(racelings::Builder().name("cashier-" + std::to_string(c)).spawn([&ledger, &payments, c] {
      int skipped = 0;
      for (long amount : payments[c]) {
        try {
          ledger.record(amount);
        } catch (const std::invalid_argument&) {
          ++skipped;  // A bad payment is rejected; the cashier goes on.
        }
      }
      return skipped;
    }));
  }
  rejected = 0;
  for (auto& cashier : cashiers) rejected += cashier.join();
  return ledger.total();
}

}  // namespace exercise
