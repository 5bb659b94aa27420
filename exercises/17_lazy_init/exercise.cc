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

#include <map>
#include <string>

#include "primitives/once_lock.h"
#include "primitives/raw_mutex.h"

namespace exercise {

using Settings = std::map<std::string, std::string>;

// Loads the settings (the test provides it, and counts the calls).
Settings load_settings();

// TODO: a pointer and a lock, where OnceLock<Settings> would do both jobs.
racelings::RawMutex instance_mutex{"settings"};
const Settings* instance = nullptr;

const Settings& settings() {
  // TODO: this read takes no lock, while the write below holds one.
  if (instance == nullptr) {
    racelings::LockGuard guard(instance_mutex);
    if (instance == nullptr) instance = new Settings(load_settings());
  }
  return *instance;
}

}  // namespace exercise
