// Shares the count through a std::shared_ptr<long>, as the README's Arc suggests, but without the Mutex: the tasks still add to one long at once.
// expect: runs: data race
//
// Exercise 38: shared state between tasks
//
// count_words() downloads every page on its own task and counts the words of
// all pages in one `total`. On a multi-threaded runtime those tasks run on
// several worker threads at once, so `total += 1` from two tasks is a data
// race, exactly as it would be between two threads.
//
// Put the total behind an async::Mutex<long> shared through a std::shared_ptr
// (Rust's Arc<tokio::sync::Mutex<u64>>). Keep one task per page.

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

// Shared ownership (Arc): the count lives as long as the last task that uses it.
Task<void> count_page(int page, std::shared_ptr<long> total) {
  std::string text = co_await download(page);
  for (auto word : text | std::views::split(' ')) {
    if (!word.empty()) *total += 1;
  }
}

// Counts the words of pages 0 .. pages-1, one task per page.
Task<long> count_words(int pages) {
  auto total = std::make_shared<long>(0);
  std::vector<JoinHandle<void>> tasks;
  for (int page = 0; page < pages; ++page) tasks.push_back(racelings::async::spawn(count_page(page, total)));
  for (auto& task : tasks) co_await task;
  co_return *total;
}

}  // namespace exercise
