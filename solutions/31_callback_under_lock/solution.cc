// Exercise 31: calling back under a lock (solution)
//
// publish() copies the subscriber list under the lock and runs the callbacks
// after the lock is released. A callback may now use the bus (or take any
// other lock) without waiting for a lock its own thread holds.

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "primitives/mutex.h"
#include "primitives/thread.h"

namespace exercise {

class EventBus {
 public:
  using Callback = std::function<void(const std::string&)>;

  void subscribe(Callback callback) { callbacks_.lock()->push_back(std::move(callback)); }

  size_t subscribers() { return callbacks_.lock()->size(); }

  void publish(const std::string& event) {
    // Copy under the lock; the guard is gone by the end of this statement.
    std::vector<Callback> callbacks = *callbacks_.lock();
    for (const Callback& callback : callbacks) callback(event);  // No lock held here.
  }

 private:
  racelings::Mutex<std::vector<Callback>> callbacks_{{}, "subscribers"};
};

// Two publisher threads publish `events` events each to a bus with two
// subscribers; returns what the subscribers wrote down.
std::vector<std::string> run_bus(int events) {
  EventBus bus;
  racelings::Mutex<std::vector<std::string>> notes{{}, "notes"};
  bus.subscribe([&notes](const std::string& event) { notes.lock()->push_back("logged " + event); });
  bus.subscribe([&notes, &bus](const std::string& event) {
    size_t reached = bus.subscribers();
    notes.lock()->push_back(event + " reached " + std::to_string(reached) + " subscribers");
  });

  std::vector<racelings::JoinHandle<void>> publishers;
  for (int p = 0; p < 2; ++p) {
    publishers.push_back(racelings::Builder().name("publisher-" + std::to_string(p)).spawn([&bus, p, events] {
      for (int e = 0; e < events; ++e) bus.publish("event " + std::to_string(p) + "." + std::to_string(e));
    }));
  }
  for (auto& publisher : publishers) publisher.join();
  return std::move(notes).into_inner();
}

}  // namespace exercise
