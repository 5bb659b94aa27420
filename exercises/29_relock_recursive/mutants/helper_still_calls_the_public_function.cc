// Splits off a helper that takes the guard, but the helper recurses through the public parts_needed(), which locks again.
// expect: runs: deadlock
//
// Exercise 29: re-locking in a recursive call
//
// A Catalog knows what each product is made of: a bike is 2 wheels, a frame
// and a bell; a wheel is 32 spokes, a rim and a hub. parts_needed() counts
// the basic parts of a product recursively, locking the catalog to read it.
// But the recursive call locks the catalog again while the outer call still
// holds it. A thread waiting for a lock it holds itself waits forever.
//
// Lock once, then recurse without locking. Keep the lock and the threads.

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "primitives/mutex.h"
#include "primitives/thread.h"

namespace exercise {

using Recipe = std::vector<std::pair<std::string, int>>;  // (part, how many)

class Catalog {
 public:
  void add(const std::string& product, Recipe recipe) { (*recipes_.lock())[product] = std::move(recipe); }

  // The number of basic parts (parts without a recipe) in one `product`.
  long parts_needed(const std::string& product) {
    auto recipes = recipes_.lock();
    return count(recipes, product);
  }

 private:
  // The recursive part, called with the lock held.
  long count(racelings::MutexGuard<std::map<std::string, Recipe>>& recipes, const std::string& product) {
    auto it = recipes->find(product);
    if (it == recipes->end()) return 1;  // A basic part.
    long total = 0;
    for (const auto& [part, how_many] : it->second) total += how_many * parts_needed(part);
    return total;
  }

  racelings::Mutex<std::map<std::string, Recipe>> recipes_{{}, "catalog"};
};

// Counts the parts of each product, each on its own thread.
std::vector<long> count_parts(const std::vector<std::string>& products) {
  Catalog catalog;
  catalog.add("bike", {{"wheel", 2}, {"frame", 1}, {"bell", 1}});
  catalog.add("tricycle", {{"wheel", 3}, {"frame", 1}});
  catalog.add("wheel", {{"spoke", 32}, {"rim", 1}, {"hub", 1}});
  catalog.add("frame", {{"tube", 5}, {"weld", 8}});
  std::vector<racelings::JoinHandle<long>> counters;
  for (const std::string& product : products) {
    counters.push_back(racelings::Builder().name("count-" + product).spawn([&catalog, product] {
      return catalog.parts_needed(product);
    }));
  }
  std::vector<long> counts;
  for (auto& counter : counters) counts.push_back(counter.join());
  return counts;
}

}  // namespace exercise
