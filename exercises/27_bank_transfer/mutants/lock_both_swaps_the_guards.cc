// Orders the locks by id in a lock_both() helper, but hands the guards back in lock order, not as (from, to): half the transfers go the wrong way.
// expect: runs: test failure
//
// Exercise 27: the bank transfer
//
// transfer() moves money between two accounts and locks both, so that no
// other transfer, and no audit of the bank's total, sees the money gone from
// one and not yet in the other. It locks `from` first, then `to`. The test's
// two tellers transfer in opposite directions: one can hold account A and
// wait for B while the other holds B and waits for A, and both wait forever.
// A lock-order inversion: a deadlock waiting to happen.
//
// Take the two locks in the same order in every transfer, and keep holding
// both while the money moves.

#include <string>
#include <utility>

#include "primitives/mutex.h"

namespace exercise {

// The test uses Account too: keep it as it is.
struct Account {
  Account(int id, long balance, const std::string& name) : id(id), balance(balance, name) {}
  const int id;
  racelings::Mutex<long> balance;
};

// Locks both accounts, lower id first.
std::pair<racelings::MutexGuard<long>, racelings::MutexGuard<long>> lock_both(Account& a, Account& b) {
  Account& low = a.id < b.id ? a : b;
  Account& high = a.id < b.id ? b : a;
  auto first = low.balance.lock();
  auto second = high.balance.lock();
  return {std::move(first), std::move(second)};
}

void transfer(Account& from, Account& to, long amount) {
  // The same order (by id) in both directions.
  auto [source, target] = lock_both(from, to);
  *source -= amount;
  *target += amount;
}

}  // namespace exercise
