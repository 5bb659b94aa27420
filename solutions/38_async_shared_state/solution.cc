// Exercise 38: shared state between tasks (solution)
//
// The total lives inside an async::Mutex<long>: the only way to reach it is
// the guard that `co_await total->lock()` gives, and only one task holds it
// at a time, so the additions happen one after another and none is lost.
// Each task owns a copy of the shared_ptr, as each tokio task owns an
// Arc::clone, so the total lives as long as the last task that uses it.

#include <memory>
#include <ranges>
#include <string>
#include <vector>

#include "primitives/async/async.h"

namespace exercise {

using racelings::async::JoinHandle;
using racelings::async::Task;

// Downloads one page (the test provides it, standing in for a slow server).
Task<std::string> download(int page);

// Shared ownership (Arc) of an async mutex that owns the count (Mutex<u64>).
Task<void> count_page(int page, std::shared_ptr<racelings::async::Mutex<long>> total) {
  std::string text = co_await download(page);
  long words = 0;
  for (auto word : text | std::views::split(' ')) {
    if (!word.empty()) words += 1;
  }
  // Count privately, then lock once per page: the guard makes the addition
  // exclusive, and it ends with the statement.
  *co_await total->lock() += words;
}

// Counts the words of pages 0 .. pages-1, one task per page.
Task<long> count_words(int pages) {
  auto total = std::make_shared<racelings::async::Mutex<long>>(0, "total");
  std::vector<JoinHandle<void>> tasks;
  for (int page = 0; page < pages; ++page) tasks.push_back(racelings::async::spawn(count_page(page, total)));
  for (auto& task : tasks) co_await task;
  co_return *co_await total->lock();
}

}  // namespace exercise
