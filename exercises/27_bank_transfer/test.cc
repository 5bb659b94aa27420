// Tests for exercise 27. Do not edit: `./racelings check 27` runs them.
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>

#include "primitives/mutex.h"
#include "primitives/testing.h"
#include "primitives/thread.h"

// What exercise.cc must provide.
namespace exercise {
struct Account {
  Account(int id, long balance, const std::string& name) : id(id), balance(balance, name) {}
  const int id;
  racelings::Mutex<long> balance;
};
void transfer(Account& from, Account& to, long amount);
}  // namespace exercise

TEST(BankTransfer, TransfersInBothDirectionsFinishAndKeepEveryCent) {
  const int transfers = 100;
  exercise::Account a(1, 1000, "account A");
  exercise::Account b(2, 1000, "account B");

  // While the tellers work, an auditor adds up the bank's money again and
  // again, holding both accounts (lower id first, as every transfer must):
  // it must find 2000 every time, never a transfer half done.
  std::atomic<bool> tellers_done{false};
  int audits = 0, wrong_totals = 0;
  long wrong_total = 0;
  auto auditor = racelings::Builder().name("auditor").spawn([&] {
    do {
      auto first = a.balance.lock();
      auto second = b.balance.lock();
      const long total = *first + *second;
      ++audits;
      if (total != 2000) {
        ++wrong_totals;
        wrong_total = total;
      }
      second.unlock();
      first.unlock();
      std::this_thread::yield();
    } while (!tellers_done.load(std::memory_order_relaxed));
  });

  auto teller1 = racelings::Builder().name("teller-1").spawn([&] {
    for (int i = 0; i < transfers; ++i) exercise::transfer(a, b, 10);
  });
  auto teller2 = racelings::Builder().name("teller-2").spawn([&] {
    for (int i = 0; i < transfers; ++i) exercise::transfer(b, a, 7);
  });
  teller1.join();
  teller2.join();
  tellers_done.store(true, std::memory_order_relaxed);
  auditor.join();

  EXPECT_EQ(*a.balance.lock(), 1000 - 10 * transfers + 7 * transfers);
  EXPECT_EQ(*b.balance.lock(), 1000 + 10 * transfers - 7 * transfers);
  EXPECT_EQ(wrong_totals, 0) << wrong_totals << " of " << audits << " audits saw money in flight (a total of "
                             << wrong_total << " instead of 2000): a transfer must hold both accounts while the "
                             << "money moves";
}
