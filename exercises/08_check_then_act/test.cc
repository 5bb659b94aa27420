// Tests for exercise 08. Do not edit: `./racelings check 08` runs them.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "primitives/barrier.h"
#include "primitives/mutex.h"
#include "primitives/testing.h"
#include "primitives/thread.h"

// What exercise.cc must provide.
namespace exercise {
bool sign_up(racelings::Mutex<std::map<std::string, int>>& accounts, const std::string& name, int user);
}

TEST(CheckThenAct, ATakenNameIsRefused) {
  racelings::Mutex<std::map<std::string, int>> accounts;
  EXPECT_TRUE(exercise::sign_up(accounts, "ada", 1));
  EXPECT_FALSE(exercise::sign_up(accounts, "ada", 2));
  EXPECT_EQ(accounts.lock()->at("ada"), 1);
}

TEST(CheckThenAct, EachNameHasExactlyOneOwnerWhenUsersRace) {
  constexpr int kUsers = 4;
  const int kNames = racelings::testing::rounds(300, 10);  // Fewer under the controlled scheduler.
  racelings::Mutex<std::map<std::string, int>> accounts;
  racelings::Barrier start_line(kUsers);
  // won[user][name]: what sign_up() told that user. Each thread writes only its own row.
  std::vector<std::vector<char>> won(kUsers, std::vector<char>(kNames));

  racelings::scope([&](racelings::Scope& s) {
    for (int user = 0; user < kUsers; ++user) {
      racelings::Builder().name("user-" + std::to_string(user)).spawn_scoped(s, [&, user] {
        for (int n = 0; n < kNames; ++n) {
          start_line.wait();  // every user asks for name n at the same moment
          won[user][n] = exercise::sign_up(accounts, "name-" + std::to_string(n), user);
        }
      });
    }
  });

  int names_given_twice = 0;
  for (int n = 0; n < kNames; ++n) {
    int winners = 0;
    for (int user = 0; user < kUsers; ++user) winners += won[user][n];
    EXPECT_EQ(winners, 1) << "name-" << n << " was promised to " << winners << " users";
    if (winners > 1) ++names_given_twice;
    if (names_given_twice >= 3) break;  // three examples are enough
  }
}
