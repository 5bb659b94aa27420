// Exercise 08: check, then act, in one critical section (solution)
//
// One guard covers both the check and the insert, so no other thread can
// claim the name between them. (std::map::emplace does both in one call: it
// inserts only if the key is absent and says whether it did.)

#include <map>
#include <string>

#include "primitives/mutex.h"

namespace exercise {

// Gives `name` to `user` if it is free; true if this call got it.
bool sign_up(racelings::Mutex<std::map<std::string, int>>& accounts, const std::string& name, int user) {
  // One guard for the whole decision: check and insert are one atomic step.
  auto guard = accounts.lock();
  return guard->emplace(name, user).second;
}

}  // namespace exercise
