// Exercise 17: lazy initialisation, exactly once (solution)
//
// OnceLock<Settings>::get_or_init() runs load_settings() exactly once, makes
// the other callers wait for it, and publishes the value with release and
// acquire ordering, so every thread then reads it without a lock and without
// a race. (A function-local `static const Settings s = load_settings();`
// is also thread-safe in C++11 and later.)

#include <map>
#include <string>

#include "primitives/once_lock.h"

namespace exercise {

using Settings = std::map<std::string, std::string>;

// Loads the settings (the test provides it, and counts the calls).
Settings load_settings();

// Written once, by whichever thread gets there first; read by all.
racelings::OnceLock<Settings> instance;

const Settings& settings() { return instance.get_or_init(load_settings); }

}  // namespace exercise
