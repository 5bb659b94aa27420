// Wakes every waiting car with notify_all() and keeps the `if`: now every woken car parks in the one freed space.
// expect: runs: test failure
//
// Exercise 24: while, not if
//
// A parking lot has a few spaces; car threads park, stay a moment and leave,
// again and again. A car that finds the lot full waits on a Condvar until a
// space is freed. But it checks for a free space with `if`, once: when it
// wakes up, another car may have taken the space first, or the wakeup was
// spurious, and it parks anyway. The lot holds more cars than it has spaces.
//
// Make a car park only when a space is really free. Keep one thread per car.

#include <algorithm>
#include <string>
#include <thread>
#include <vector>

#include "primitives/condvar.h"
#include "primitives/mutex.h"
#include "primitives/thread.h"

namespace exercise {

struct Lot {
  int free;             // Spaces nobody uses.
  int parked = 0;       // Cars in the lot now.
  int most_parked = 0;  // The most cars that were ever in the lot at once.
};

class ParkingLot {
 public:
  explicit ParkingLot(int spaces) : lot_(Lot{spaces}) {}

  void park() {
    auto lot = lot_.lock();
    if (lot->free == 0) space_freed_.wait(lot);
    --lot->free;
    lot->most_parked = std::max(lot->most_parked, ++lot->parked);
  }

  void leave() {
    {
      auto lot = lot_.lock();
      ++lot->free;
      --lot->parked;
    }
    space_freed_.notify_all();  // Make sure the car that waits longest is woken too.
  }

  int most_parked() { return lot_.lock()->most_parked; }

 private:
  racelings::Mutex<Lot> lot_;
  racelings::Condvar space_freed_;
};

// Runs `cars` car threads that park `trips` times each; returns the most cars
// that were in the lot at once.
int busiest_moment(int spaces, int cars, int trips) {
  ParkingLot lot(spaces);
  std::vector<racelings::JoinHandle<void>> drivers;
  for (int c = 0; c < cars; ++c) {
    drivers.push_back(racelings::Builder().name("car-" + std::to_string(c)).spawn([&lot, trips] {
      for (int t = 0; t < trips; ++t) {
        lot.park();
        std::this_thread::yield();  // Stay a moment.
        lot.leave();
      }
    }));
  }
  for (auto& driver : drivers) driver.join();
  return lot.most_parked();
}

}  // namespace exercise
