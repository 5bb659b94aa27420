// Publishes with release and reads with acquire, but drops the second check under the lock: two threads that both saw null both load.
// expect: explore: test failure
//
// Exercise 17: lazy initialisation, exactly once
//
// settings() loads the settings the first time anyone asks, and returns the
// same object ever after. To avoid locking on every call, it checks the
// pointer without the lock first ("double-checked locking"). But that check
// reads `instance` while another thread may be writing it under the lock: a
// data race, and a thread may see the pointer before the map it points to.
//
// Use racelings::OnceLock, which runs the loading exactly once and lets
// every thread read the result without a lock.

#include <atomic>
#include <map>
#include <string>

#include "primitives/once_lock.h"
#include "primitives/raw_mutex.h"

namespace exercise {

using Settings = std::map<std::string, std::string>;

// Loads the settings (the test provides it, and counts the calls).
Settings load_settings();

racelings::RawMutex instance_mutex{"settings"};
std::atomic<const Settings*> instance{nullptr};

const Settings& settings() {
  // Acquire pairs with the release below: a non-null pointer brings the whole map.
  if (instance.load(std::memory_order_acquire) == nullptr) {
    racelings::LockGuard guard(instance_mutex);
    instance.store(new Settings(load_settings()), std::memory_order_release);
  }
  return *instance.load(std::memory_order_acquire);
}

}  // namespace exercise
