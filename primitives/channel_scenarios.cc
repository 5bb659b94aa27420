// Small programs on channels, run as child processes by
// channel_scenarios_test.cc (one --gtest_filter at a time), most of them
// under the controlled scheduler: the correct ones must pass every explored
// schedule, the wrong ones must be caught. Not run by themselves: several
// fail on purpose.

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <vector>

#include "primitives/channel.h"
#include "primitives/thread.h"

namespace racelings {
namespace {

using namespace std::chrono_literals;

// Every flavor, every operation: the values arrive once, in each producer's
// order, whatever the interleaving.
void producers_and_consumer(std::pair<Sender<int>, Receiver<int>> ends) {
  auto& [tx, rx] = ends;
  std::vector<int> last(2, -1);
  int received = 0;
  scope([&](Scope& s) {
    for (int p = 0; p < 2; ++p) {
      s.spawn([p, tx = tx]() mutable {
        for (int i = 0; i < 3; ++i) tx.send(p * 100 + i).unwrap();
      });
    }
    tx.close();
    for (int v : rx) {
      EXPECT_GT(v % 100, last[v / 100]);
      last[v / 100] = v % 100;
      ++received;
    }
  });
  EXPECT_EQ(received, 6);
}

TEST(Channel, Unbounded) { producers_and_consumer(channel<int>()); }
TEST(Channel, Bounded) { producers_and_consumer(sync_channel<int>(1)); }
TEST(Channel, Rendezvous) { producers_and_consumer(sync_channel<int>(0)); }

TEST(Channel, TryAndTimedOperations) {
  auto [tx, rx] = sync_channel<int>(1);
  auto producer = spawn([tx = std::move(tx)]() mutable {
    for (int i = 0; i < 3; ++i) {
      while (tx.try_send(i).is_err()) std::this_thread::yield();
    }
  });
  int next = 0;
  while (next < 3) {
    if (next % 2 == 0) {
      if (auto r = rx.try_recv()) EXPECT_EQ(r.unwrap(), next++);
    } else if (auto r = rx.recv_timeout(1s)) {
      EXPECT_EQ(r.unwrap(), next++);
    }
  }
  producer.join();
  EXPECT_TRUE(rx.recv().is_err());
}

TEST(Channel, ReceiverLeavesWhileASenderWaits) {
  for (size_t bound : {size_t{0}, size_t{1}}) {
    auto [tx, rx] = sync_channel<int>(bound);
    auto producer = spawn([tx = std::move(tx)]() mutable {
      int handed_back = 0;
      for (int i = 0; i < 3; ++i) handed_back += tx.send(i).is_err();
      return handed_back;
    });
    (void)rx.recv();
    {
      auto gone = std::move(rx);
    }
    EXPECT_GE(producer.join(), 1);
  }
}

// Wrong: assumes that the first producer's message comes first.
TEST(Channel, OrderAcrossProducersAssumed) {
  auto [tx, rx] = channel<int>();
  auto first = spawn([tx = tx]() mutable { tx.send(1).unwrap(); });
  auto second = spawn([tx = tx]() mutable { tx.send(2).unwrap(); });
  EXPECT_EQ(rx.recv().unwrap(), 1) << "the second producer's message came first";
  first.join();
  second.join();
}

// Wrong: the producer fills a sync_channel(1) while main joins it before
// receiving: a deadlock in every schedule.
TEST(Channel, JoinBeforeReceiving) {
  auto [tx, rx] = sync_channel<int>(1);
  auto producer = spawn([tx = std::move(tx)]() mutable {
    for (int i = 0; i < 2; ++i) tx.send(i).unwrap();
  });
  producer.join();
  EXPECT_EQ(rx.recv().unwrap(), 0);
}

// Not explored; under ThreadSanitizer, the negative control of
// channel_stress_test's hand-over test: the same hand-over through a relaxed
// atomic instead of a channel is a data race that TSan reports.
TEST(Channel, HandOverWithoutTheChannel) {
  std::atomic<int*> box{nullptr};
  auto producer = spawn([&] {
    auto* data = new int(42);
    box.store(data, std::memory_order_relaxed);
  });
  int* data = nullptr;
  while ((data = box.load(std::memory_order_relaxed)) == nullptr) std::this_thread::yield();
  EXPECT_EQ(*data, 42);
  delete data;
  producer.join();
}

// ...and the same through a channel, which TSan must find clean.
TEST(Channel, HandOverThroughTheChannel) {
  auto [tx, rx] = channel<int*>();
  auto producer = spawn([tx = std::move(tx)]() mutable { tx.send(new int(42)).unwrap(); });
  int* data = rx.recv().unwrap();
  EXPECT_EQ(*data, 42);
  delete data;
  producer.join();
}

}  // namespace
}  // namespace racelings
