// A -Wthread-safety error (Clang only): `balance` is guarded by `mu` but read
// and written without holding it.
#include <mutex>

#define GUARDED_BY(x) __attribute__((guarded_by(x)))
#define CAPABILITY(x) __attribute__((capability(x)))
#define ACQUIRE(...) __attribute__((acquire_capability(__VA_ARGS__)))
#define RELEASE(...) __attribute__((release_capability(__VA_ARGS__)))

class CAPABILITY("mutex") Mutex {
 public:
  void lock() ACQUIRE() { mu_.lock(); }
  void unlock() RELEASE() { mu_.unlock(); }

 private:
  std::mutex mu_;
};

namespace {
Mutex mu;
int balance GUARDED_BY(mu) = 0;
}  // namespace

int main() {
  balance += 10;  // written without holding mu
  mu.lock();
  int seen = balance;
  mu.unlock();
  return seen + balance;  // read without holding mu
}
