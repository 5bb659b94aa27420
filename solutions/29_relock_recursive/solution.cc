// Exercise 29: re-locking in a recursive call (solution)
//
// parts_needed() locks once and hands the guard to count(), which recurses
// through the data the guard protects and never locks. Taking the guard as a
// parameter documents (and enforces) that the caller already holds the lock.

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "primitives/mutex.h"
#include "primitives/thread.h"

namespace exercise {

using Recipe = std::vector<std::pair<std::string, int>>;  // (part, how many)
using Recipes = std::map<std::string, Recipe>;

class Catalog {
 public:
  void add(const std::string& product, Recipe recipe) { (*recipes_.lock())[product] = std::move(recipe); }

  // The number of basic parts (parts without a recipe) in one `product`.
  long parts_needed(const std::string& product) {
    auto recipes = recipes_.lock();  // The only lock(): the recursion below runs under it.
    return count(recipes, product);
  }

 private:
  // The recursive part. Only callable with the guard, so the lock is held.
  static long count(const racelings::MutexGuard<Recipes>& recipes, const std::string& product) {
    auto it = recipes->find(product);
    if (it == recipes->end()) return 1;  // A basic part.
    long total = 0;
    for (const auto& [part, count_of_part] : it->second) total += count_of_part * count(recipes, part);
    return total;
  }

  racelings::Mutex<Recipes> recipes_{{}, "catalog"};
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
