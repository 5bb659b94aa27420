// Makes the pointer atomic but relaxed: the check no longer races, yet seeing the pointer does not bring the map it points to.
// expect: runs: data race
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
  // Atomic, so the unlocked check is no longer a data race.
  if (instance.load(std::memory_order_relaxed) == nullptr) {
    racelings::LockGuard guard(instance_mutex);
    if (instance.load(std::memory_order_relaxed) == nullptr) {
      instance.store(new Settings(load_settings()), std::memory_order_relaxed);
    }
  }
  return *instance.load(std::memory_order_relaxed);
}

}  // namespace exercise
