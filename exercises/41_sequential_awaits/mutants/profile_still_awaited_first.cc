// Lets the caller count the badges after awaiting both tasks, which ends the race, but still awaits the profile before starting the others.
// expect: runs: test failure
//
// Exercise 41: awaits one after the other
//
// load_dashboard() needs three independent answers from slow services. The
// profile is awaited first, so the other two fetches start only when it is
// done. To save time, orders and messages were moved to spawned tasks, but
// those tasks both add to `d.badges` from two worker threads at once with
// nothing ordering them: a data race.
//
// Run the three fetches together with join_all and build the dashboard from
// the values it returns. Keep the three fetches concurrent.

#include <string>
#include <vector>

#include "primitives/async/async.h"

namespace exercise {

using racelings::async::Task;

struct Dashboard {
  std::string profile;
  std::vector<std::string> orders;
  std::vector<std::string> messages;
  int badges = 0;  // New orders plus unread messages.
};

// The three services (the test provides them; each takes a while).
Task<std::string> fetch_profile(int user);
Task<std::vector<std::string>> fetch_orders(int user);
Task<std::vector<std::string>> fetch_messages(int user);

Task<Dashboard> load_dashboard(int user) {
  Dashboard d;
  // TODO: the other fetches start only after this one has finished.
  d.profile = co_await fetch_profile(user);

  // Each task writes only its own field; the caller adds up after both are done.
  auto orders = racelings::async::spawn([&]() -> Task<void> { d.orders = co_await fetch_orders(user); });
  auto messages = racelings::async::spawn([&]() -> Task<void> { d.messages = co_await fetch_messages(user); });
  co_await orders;
  co_await messages;
  d.badges = static_cast<int>(d.orders.size() + d.messages.size());
  co_return d;
}

}  // namespace exercise
