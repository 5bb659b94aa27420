// Tests for exercise 02. Do not edit: `./racelings check 02` runs them.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "primitives/channel.h"
#include "primitives/testing.h"
#include "primitives/thread.h"

// What exercise.cc must provide.
namespace exercise {
racelings::JoinHandle<std::vector<std::string>> start_logger(const std::string& name,
                                                             racelings::Receiver<std::string> messages);
}

TEST(MoveBorrow, TheLoggerThreadKeepsWorkingAfterStartLoggerReturns) {
  auto [tx, rx] = racelings::channel<std::string>();
  std::optional<racelings::JoinHandle<std::vector<std::string>>> logger;
  auto threads = racelings::testing::count_threads([&] { logger.emplace(exercise::start_logger("db", std::move(rx))); });
  ASSERT_GE(threads.spawned, 1) << "start_logger() must start a thread and return at once";

  // start_logger() has returned: its local variables are gone now.
  tx.send("connected").unwrap();
  tx.send("query took 3 ms").unwrap();
  tx.close();

  std::vector<std::string> lines = logger->join();
  EXPECT_EQ(lines, (std::vector<std::string>{"[db] connected", "[db] query took 3 ms"}));
}

TEST(MoveBorrow, EachLoggerKeepsItsOwnName) {
  // Two loggers started one after the other, then both get messages: each
  // thread owns its prefix, so neither sees the other's name.
  auto [db_tx, db_rx] = racelings::channel<std::string>();
  auto [cache_tx, cache_rx] = racelings::channel<std::string>();
  auto db = exercise::start_logger("db", std::move(db_rx));
  auto cache = exercise::start_logger("cache", std::move(cache_rx));
  db_tx.send("connected").unwrap();
  cache_tx.send("warm").unwrap();
  db_tx.close();
  cache_tx.close();
  EXPECT_EQ(db.join(), (std::vector<std::string>{"[db] connected"}));
  EXPECT_EQ(cache.join(), (std::vector<std::string>{"[cache] warm"}));
}
