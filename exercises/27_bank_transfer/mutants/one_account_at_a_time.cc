// Locks one account at a time, so that no teller ever holds two locks: no deadlock, but the money is in flight between the two steps.
// expect: explore: test failure
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

void transfer(Account& from, Account& to, long amount) {
  // Never hold two locks at once: then no cycle of waiting tellers is possible.
  *from.balance.lock() -= amount;
  *to.balance.lock() += amount;
}

}  // namespace exercise
