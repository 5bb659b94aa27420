// Exercise 14: publish with release, read with acquire (solution)
//
// A release store makes every write the loader did before it visible to a
// thread whose acquire load reads that store. So once the caller sees
// `ready == true`, it also sees the whole of `settings`.

#include <atomic>
#include <string>
#include <thread>

#include "primitives/thread.h"

namespace exercise {

struct Settings {
  std::string host;
  int port = 0;
};

// Returns "<host>:<port>" as loaded by the loader thread.
std::string load_settings() {
  Settings settings;
  std::atomic<bool> ready{false};
  auto loader = racelings::Builder().name("loader").spawn([&] {
    settings.host = "db.example.com";
    settings.port = 5432;
    // Release: publishes the writes to `settings` above together with the flag.
    ready.store(true, std::memory_order_release);
  });

  // The caller stays responsive: it would handle other events while it waits.
  // Acquire: pairs with the release store; after it reads true, `settings` is complete.
  while (!ready.load(std::memory_order_acquire)) std::this_thread::yield();
  std::string address = settings.host + ":" + std::to_string(settings.port);

  loader.join();
  return address;
}

}  // namespace exercise
