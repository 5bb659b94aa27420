// Seed 002's async examples ("Async/Await"), ported. The Rust is above each
// test; the sleeps are 1 ms instead of 1 s.

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <ranges>
#include <string>
#include <tuple>
#include <vector>

#include "primitives/async/async.h"

namespace racelings {
namespace async {
namespace {

using namespace std::chrono_literals;

// async fn fetch_data(id: u32) -> Result<String, Box<dyn std::error::Error>> {
//     tokio::time::sleep(Duration::from_secs(1)).await;
//     Ok(format!("Data for id {}", id))
// }
// (An Err becomes an exception, rethrown where the task is awaited.)
Task<std::string> fetch_data(uint32_t id) {
  co_await sleep_for(1ms);
  co_return "Data for id " + std::to_string(id);
}

// // Sequential async operations
// let result1 = fetch_data(1).await.unwrap();
// println!("Result 1: {}", result1);
TEST(SeedTest, SequentialFetch) {
  Runtime rt;  // #[tokio::main]: a multi-threaded runtime.
  std::string result1 = rt.block_on(fetch_data(1));
  EXPECT_EQ(result1, "Data for id 1");
}

// // Parallel async operations
// let handle1 = tokio::spawn(async { fetch_data(2).await.unwrap() });
// let handle2 = tokio::spawn(async { fetch_data(3).await.unwrap() });
// // Wait for both operations
// let (result2, result3) = tokio::join!(handle1, handle2);
// println!("Results: {:?}, {:?}", result2.unwrap(), result3.unwrap());
TEST(SeedTest, SpawnAndJoin) {
  Runtime rt;
  auto [result2, result3] = rt.block_on([]() -> Task<std::tuple<std::string, std::string>> {
    JoinHandle<std::string> handle1 = spawn(fetch_data(2));
    JoinHandle<std::string> handle2 = spawn(fetch_data(3));
    // tokio::join! on two handles: await both (they already run concurrently).
    auto await_handle = [](JoinHandle<std::string>& h) -> Task<std::string> { co_return co_await h; };
    co_return co_await join_all(await_handle(handle1), await_handle(handle2));
  });
  EXPECT_EQ(result2, "Data for id 2");
  EXPECT_EQ(result3, "Data for id 3");
}

// The same with tokio::join! on the futures themselves:
// let (a, b) = tokio::join!(fetch_data(2), fetch_data(3));
TEST(SeedTest, JoinOnTheFutures) {
  Runtime rt = Runtime::current_thread();
  auto start = std::chrono::steady_clock::now();
  auto [a, b] = rt.block_on([]() -> Task<std::tuple<std::string, std::string>> {
    co_return co_await join_all(fetch_data(2), fetch_data(3));
  });
  EXPECT_EQ(a, "Data for id 2");
  EXPECT_EQ(b, "Data for id 3");
  // Concurrent, even on one thread: both sleeps overlap.
  EXPECT_LT(std::chrono::steady_clock::now() - start, 500ms);
}

// use tokio_stream::{self as stream, StreamExt};
// async fn process_stream() {
//     let mut stream = stream::iter(1..=3);
//     while let Some(num) = stream.next().await {
//         println!("Processing: {}", num);
//     }
// }
Task<std::vector<std::string>> process_stream() {
  std::vector<std::string> printed;
  auto stream = iter(std::views::iota(1, 4));
  while (auto num = co_await stream.next()) printed.push_back("Processing: " + std::to_string(*num));
  co_return printed;
}

TEST(SeedTest, StreamProcessing) {
  Runtime rt;
  EXPECT_EQ(rt.block_on(process_stream()),
            (std::vector<std::string>{"Processing: 1", "Processing: 2", "Processing: 3"}));
}

// async fn example_function() -> i32 { 42 }
// async fn another_function() { let result = example_function().await; ... }
Task<int> example_function() { co_return 42; }
Task<int> another_function() {
  int result = co_await example_function();
  co_return result;
}

TEST(SeedTest, AwaitAnAsyncFunction) {
  Runtime rt = Runtime::current_thread();
  EXPECT_EQ(rt.block_on(another_function()), 42);
}

}  // namespace
}  // namespace async
}  // namespace racelings
