#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "primitives/barrier.h"
#include "primitives/channel.h"
#include "primitives/condvar.h"
#include "primitives/mutex.h"
#include "primitives/once.h"
#include "primitives/once_lock.h"
#include "primitives/rwlock.h"
#include "primitives/scope_guard.h"
#include "primitives/thread.h"

namespace racelings {
namespace {

TEST(Smoke, EverythingInstantiates) {
  Mutex<int> m(0, "counter");
  std::vector<JoinHandle<void>> hs;
  for (int i = 0; i < 4; ++i) hs.push_back(spawn([&] { for (int j = 0; j < 1000; ++j) *m.lock() += 1; }));
  for (auto& h : hs) h.join();
  EXPECT_EQ(*m.lock(), 4000);

  RwLock<std::vector<int>> rw(std::vector<int>{1, 2, 3});
  { auto w = rw.write(); w->push_back(4); }
  EXPECT_EQ(rw.read()->size(), 4u);

  auto [tx, rx] = channel<std::string>();
  auto producer = Builder().name("producer").spawn([tx = std::move(tx)]() mutable {
    for (int i = 0; i < 3; ++i) tx.send(std::to_string(i)).unwrap();
    return std::string(current_thread_name());
  });
  std::vector<std::string> got;
  for (std::string s : rx) got.push_back(s);
  EXPECT_EQ(got.size(), 3u);
  EXPECT_EQ(producer.join(), "producer");

  Mutex<bool> flag(false);
  Condvar cv;
  auto setter = spawn([&] { *flag.lock() = true; cv.notify_one(); });
  { auto g = flag.lock(); cv.wait_while(g, [](bool& f) { return !f; }); }
  setter.join();

  Barrier b(2);
  auto other = spawn([&] { return b.wait().is_leader(); });
  bool me = b.wait().is_leader();
  EXPECT_NE(me, other.join());

  OnceLock<int> cell;
  EXPECT_EQ(cell.get(), nullptr);
  EXPECT_EQ(cell.get_or_init([] { return 7; }), 7);
  EXPECT_FALSE(cell.set(8));

  int sum = scope([&](Scope& s) {
    int a = 0, c = 0;
    s.spawn([&] { a = 1; });
    s.spawn([&] { c = 2; }).join();
    return c;
  });
  EXPECT_EQ(sum, 2);

  auto thrower = spawn([]() -> int { throw std::runtime_error("boom"); });
  auto r = thrower.join_result();
  ASSERT_TRUE(r.is_err());
  EXPECT_EQ(r.error().what(), "boom");

  int cleaned = 0;
  { auto g = defer([&] { ++cleaned; }); }
  EXPECT_EQ(cleaned, 1);
}

}  // namespace
}  // namespace racelings
