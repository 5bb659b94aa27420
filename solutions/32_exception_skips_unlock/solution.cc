// Exercise 32: an exception skips the unlock (solution)
//
// A LockGuard unlocks in its destructor, and C++ runs destructors on every
// way out of a scope: a return, the end of the block, or an exception
// unwinding through it. So a bad payment is rejected and the lock is free.

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
    racelings::LockGuard guard(mu_);  // Unlocked when `guard` dies, even by an exception.
    if (amount < 0) throw std::invalid_argument("negative payment: " + std::to_string(amount));
    total_ += amount;
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
