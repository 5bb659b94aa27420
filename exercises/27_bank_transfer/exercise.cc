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
  // TODO: teller 1 locks A then B, teller 2 locks B then A.
  auto source = from.balance.lock();
  auto target = to.balance.lock();
  *source -= amount;
  *target += amount;
}

}  // namespace exercise
