// Exercise 27: the bank transfer
//
// transfer() moves money between two accounts and locks both, so that no
// other transfer sees the money gone from one and not yet in the other. It
// locks `from` first, then `to`. Two tellers transfer in opposite directions:
// one can hold account A and wait for B while the other holds B and waits for
// A, and both wait forever. A lock-order inversion: a deadlock waiting to happen.
//
// Take the two locks in the same order in every transfer. Keep both tellers.

#include <string>
#include <utility>

#include "primitives/mutex.h"
#include "primitives/thread.h"

namespace exercise {

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

// Two tellers move money back and forth between two accounts, `transfers`
// times each; returns the final balances of A and B.
std::pair<long, long> run_tellers(int transfers) {
  Account a(1, 1000, "account A");
  Account b(2, 1000, "account B");
  auto teller1 = racelings::Builder().name("teller-1").spawn([&] {
    for (int i = 0; i < transfers; ++i) transfer(a, b, 10);
  });
  auto teller2 = racelings::Builder().name("teller-2").spawn([&] {
    for (int i = 0; i < transfers; ++i) transfer(b, a, 7);
  });
  teller1.join();
  teller2.join();
  return {*a.balance.lock(), *b.balance.lock()};
}

}  // namespace exercise
