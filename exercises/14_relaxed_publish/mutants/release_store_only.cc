// Makes the store a release, but keeps the relaxed load: a release pairs only with an acquire.
// expect: runs: data race
//
// Exercise 14: publish with release, read with acquire
//
// load_settings() lets a loader thread fill in `settings` and then raise the
// atomic flag `ready`; meanwhile the caller keeps busy and checks the flag
// now and then. Once it sees `ready`, it reads `settings`. But the flag uses
// memory_order_relaxed, which orders nothing except the flag itself: seeing
// `ready == true` does not make the loader's writes to `settings` visible.
//
// Make the flag carry the settings with it: release on the store, acquire
// on the load. Keep the loading on the loader thread.

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
  while (!ready.load(std::memory_order_relaxed)) std::this_thread::yield();
  std::string address = settings.host + ":" + std::to_string(settings.port);

  loader.join();
  return address;
}

}  // namespace exercise
