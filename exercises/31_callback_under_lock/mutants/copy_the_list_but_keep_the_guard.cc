// Copies the subscriber list, but calls the callbacks while the guard it copied under is still alive.
// expect: runs: deadlock
//
// Exercise 31: calling back under a lock
//
// An EventBus hands each published event to every subscriber's callback.
// publish() runs the callbacks while it holds the lock on the subscriber
// list. One subscriber asks the bus how many subscribers there are, which
// takes the same lock: the publishing thread now waits for a lock it holds.
//
// Run the callbacks without holding the lock. Keep the publisher threads.

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
    auto guard = callbacks_.lock();
    std::vector<Callback> callbacks = *guard;  // Our own copy of the list.
    for (const Callback& callback : callbacks) callback(event);
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
