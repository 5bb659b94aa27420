// Holds one guard, but inserts with operator[] before looking: a taken name is handed to the newcomer.
// expect: runs: test failure
//
// Exercise 08: check, then act, in one critical section
//
// sign_up() gives `name` to `user` if nobody has taken it yet. It checks
// under the lock, lets the lock go, then takes it again to insert. In
// between, another thread can check the same name, find it free as well,
// and both users are told the name is theirs. Every access is locked, so
// there is no data race: the bug is that check and act are two steps.
//
// Make the check and the insert one step, under one lock.

#include <map>
#include <string>

#include "primitives/mutex.h"

namespace exercise {

// Gives `name` to `user` if it is free; true if this call got it.
bool sign_up(racelings::Mutex<std::map<std::string, int>>& accounts, const std::string& name, int user) {
  // TODO: each lock() below is its own critical section, and the lock is
  // free between them. Decide and insert while holding one guard.
  auto guard = accounts.lock();
  const bool was_free = !guard->contains(name);
  (*guard)[name] = user;
  return was_free;
}

}  // namespace exercise
