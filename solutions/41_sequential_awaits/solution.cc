// Exercise 41: awaits one after the other (solution)
//
// join_all starts the three fetches at once and gives their values back, as
// tokio::join! does, once all have finished: the page waits for the slowest
// fetch, not for the sum. The fetches write nothing shared; only this task
// builds the dashboard, after the join, so there is nothing to race on.

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
  // All three run concurrently; the values come back when all are done.
  auto [profile, orders, messages] =
      co_await racelings::async::join_all(fetch_profile(user), fetch_orders(user), fetch_messages(user));
  Dashboard d;
  d.profile = std::move(profile);
  d.orders = std::move(orders);
  d.messages = std::move(messages);
  d.badges = static_cast<int>(d.orders.size() + d.messages.size());
  co_return d;
}

}  // namespace exercise
