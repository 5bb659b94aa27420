// For clangd_test.py: a RawMutex-guarded member read without its lock. With
// an exercise's flags (-Wthread-safety -Werror=thread-safety-analysis) clangd
// must mark the line below as an error. Never built: it does not compile, on
// purpose.

#include "primitives/raw_mutex.h"

namespace {

class Account {
 public:
  void deposit(int amount) {
    racelings::LockGuard guard(mu_);
    balance_ += amount;
  }
  int balance() const { return balance_; }  // the unguarded read clangd must flag

 private:
  mutable racelings::RawMutex mu_{"account"};
  int balance_ GUARDED_BY(mu_) = 0;
};

}  // namespace

int main() {
  Account account;
  account.deposit(1);
  return account.balance();
}
