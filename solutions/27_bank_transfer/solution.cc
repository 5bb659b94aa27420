// Exercise 27: the bank transfer (solution)
//
// lock_both() always locks the account with the lower id first, whatever the
// direction of the transfer. With one global order, no teller can hold the
// second lock of another's pair while waiting for the first: no cycle.

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

// Locks both accounts, lower id first; returns the guards as (a's, b's).
std::pair<racelings::MutexGuard<long>, racelings::MutexGuard<long>> lock_both(Account& a, Account& b) {
  if (a.id < b.id) {
    auto first = a.balance.lock();
    auto second = b.balance.lock();
    return {std::move(first), std::move(second)};
  }
  auto first = b.balance.lock();
  auto second = a.balance.lock();
  return {std::move(second), std::move(first)};
}

void transfer(Account& from, Account& to, long amount) {
  // The same order (by id) in both directions: the lock graph has no cycle.
  auto [source, target] = lock_both(from, to);
  *source -= amount;
  *target += amount;
}

}  // namespace exercise
