// Tests of the async channel (channel.h).

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <numeric>
#include <optional>
#include <string>
#include <vector>

#include "primitives/async/async.h"
#include "primitives/async/both_modes.h"
#include "primitives/thread.h"

namespace racelings {
namespace async {
namespace {

using namespace std::chrono_literals;
using namespace testing_util;  // The fixture and its helpers (both_modes.h).

TEST_P(BothModes, MessagesArriveInOrderAndRecvEndsWhenSendersAreGone) {
  Runtime rt = make_runtime();
  std::vector<int> got = rt.block_on([]() -> Task<std::vector<int>> {
    auto [tx, rx] = unbounded_channel<int>();
    auto producer = spawn([](Sender<int> tx) -> Task<void> {
      for (int i = 0; i < 100; ++i) (co_await tx.send(i)).unwrap();
    }(std::move(tx)));
    std::vector<int> v;
    while (std::optional<int> x = co_await rx.recv()) v.push_back(*x);
    co_await producer;
    co_return v;
  });
  std::vector<int> expected(100);
  std::iota(expected.begin(), expected.end(), 0);
  EXPECT_EQ(got, expected);
}

TEST_P(BothModes, SendAfterTheReceiverIsGoneHandsTheValueBack) {
  Runtime rt = make_runtime();
  rt.block_on([]() -> Task<void> {
    auto [tx, rx] = unbounded_channel<std::string>();
    {
      Receiver<std::string> gone = std::move(rx);
    }
    Result<void, SendError<std::string>> r = co_await tx.send("lost?");
    EXPECT_TRUE(r.is_err());
    if (r.is_err()) EXPECT_EQ(std::move(r).error().into_inner(), "lost?");
    EXPECT_TRUE(tx.is_closed());
  });
}

TEST_P(BothModes, CloseStopsSendsButQueuedMessagesAreStillReceived) {
  Runtime rt = make_runtime();
  rt.block_on([]() -> Task<void> {
    auto [tx, rx] = channel<int>(4);
    (co_await tx.send(1)).unwrap();
    (co_await tx.send(2)).unwrap();
    rx.close();
    EXPECT_TRUE((co_await tx.send(3)).is_err());
    EXPECT_EQ(co_await rx.recv(), 1);
    EXPECT_EQ(co_await rx.recv(), 2);
    tx.close();
    EXPECT_EQ(co_await rx.recv(), std::nullopt);
  });
}

TEST_P(BothModes, BoundedChannelSuspendsTheSenderWhenFull) {
  Runtime rt = make_runtime();
  rt.block_on([]() -> Task<void> {
    auto [tx, rx] = channel<int>(2);
    std::atomic<int> sent{0};
    // Arguments, not captures: the lambda object dies at the end of this
    // statement, its coroutine frame lives on.
    auto producer = spawn([](std::atomic<int>& sent, Sender<int> tx) -> Task<void> {
      for (int i = 0; i < 5; ++i) {
        (co_await tx.send(i)).unwrap();
        sent.fetch_add(1);
      }
    }(sent, std::move(tx)));
    // Wait until the producer is stuck, and see where.
    auto stuck_after = [&](int n) { return sent.load() >= n && producer.is_suspended(); };
    EXPECT_TRUE(co_await eventually_in_task([&] { return stuck_after(2); })) << "the producer never waited";
    EXPECT_EQ(sent.load(), 2);  // The third send waits for room.
    EXPECT_EQ(co_await rx.recv(), 0);
    EXPECT_TRUE(co_await eventually_in_task([&] { return stuck_after(3); })) << "the producer never waited again";
    EXPECT_EQ(sent.load(), 3);  // One receive made room for one message.
    for (int i = 1; i < 5; ++i) EXPECT_EQ(co_await rx.recv(), i);
    co_await producer;
    EXPECT_EQ(co_await rx.recv(), std::nullopt);
  });
}

TEST_P(BothModes, SuspendedSendersFailWhenTheReceiverGoes) {
  Runtime rt = make_runtime();
  rt.block_on([]() -> Task<void> {
    auto [tx, rx] = channel<Counted>(1);
    (co_await tx.send(Counted(0))).unwrap();
    auto blocked = spawn([](Sender<Counted> tx) -> Task<bool> {
      auto r = co_await tx.send(Counted(1));
      co_return r.is_err();
    }(tx));
    EXPECT_TRUE(co_await eventually_in_task([&] { return blocked.is_suspended(); })) << "the send never waited";
    {
      Receiver<Counted> gone = std::move(rx);
    }
    EXPECT_TRUE(co_await blocked);
  });
  EXPECT_EQ(Counted::alive(), 0);
  EXPECT_EQ(Counted::double_destroyed(), 0);
}

TEST_P(BothModes, TrySendAndTryRecvNeverSuspend) {
  Runtime rt = make_runtime();
  rt.block_on([]() -> Task<void> {
    auto [tx, rx] = channel<int>(1);
    EXPECT_TRUE(rx.try_recv().is_err() && rx.try_recv().error().is_empty());
    EXPECT_TRUE(tx.try_send(1).is_ok());
    auto full = tx.try_send(2);
    EXPECT_TRUE(full.is_err() && full.error().is_full());
    EXPECT_EQ(*rx.try_recv(), 1);
    tx.close();
    EXPECT_TRUE(rx.try_recv().error().is_disconnected());
    co_return;
  });
}

TEST_P(BothModes, ManyProducersOneConsumer) {
  Runtime rt = make_runtime();
  const int producers = 8;
  const int each = static_cast<int>(testing_util::scaled(2000));
  testing_util::ThreadsSeen seen(GetParam());
  long total = rt.block_on([=, &seen]() -> Task<long> {
    auto [tx, rx] = channel<int>(16);
    for (int p = 0; p < producers; ++p) {
      auto detached = spawn([](Sender<int> tx, int each, testing_util::ThreadsSeen& seen) -> Task<void> {
        seen.arrive();  // Multi-thread: producers really send from several threads.
        for (int i = 1; i <= each; ++i) (co_await tx.send(i)).unwrap();
      }(tx, each, seen));
    }
    tx.close();
    long sum = 0;
    while (auto v = co_await rx.recv()) sum += *v;
    co_return sum;
  });
  EXPECT_EQ(total, static_cast<long>(producers) * each * (each + 1) / 2);
  expect_threads_used(seen);
}

TEST_P(BothModes, AMessageHandedToACancelledReceiverIsNotLost) {
  Runtime rt = Runtime::current_thread();
  rt.block_on([]() -> Task<void> {
    auto [tx, rx] = unbounded_channel<Counted>();
    auto shared = std::make_shared<Receiver<Counted>>(std::move(rx));
    auto receiver = spawn([shared]() -> Task<int> { co_return (co_await shared->recv())->value(); });
    co_await yield_now();                      // `receiver` now waits in recv().
    EXPECT_TRUE(tx.try_send(Counted(8)).is_ok());  // Handed straight to it...
    receiver.abort();                          // ...which is cancelled before it runs.
    EXPECT_TRUE((co_await receiver.join_result()).is_err());
    auto again = co_await shared->recv();
    EXPECT_TRUE(again.has_value() && again->value() == 8);
  });
  EXPECT_EQ(Counted::alive(), 0);
}

TEST_P(BothModes, AThreadCanFeedATaskWithTrySend) {
  // Each message is sent while the receiving task is suspended in recv, so
  // each try_send from a thread outside the runtime has to wake the task.
  Runtime rt = make_runtime();
  auto [tx, rx] = unbounded_channel<int>();
  std::atomic<int> received{0};
  JoinHandle<int> receiver = rt.spawn([](Receiver<int> rx, std::atomic<int>& received) -> Task<int> {
    int s = 0;
    while (auto v = co_await rx.recv()) {
      s += *v;
      received.fetch_add(1);
    }
    co_return s;
  }(std::move(rx), received));
  auto feeder = racelings::spawn([&receiver, &received, tx = std::move(tx)]() mutable {
    for (int i = 0; i < 50; ++i) {
      EXPECT_TRUE(racelings::testing_util::eventually([&] { return received.load() == i && receiver.is_suspended(); }))
          << "the task never waited for message " << i;
      EXPECT_TRUE(tx.try_send(i).is_ok());
    }
  });
  int sum = rt.block_on([&receiver]() -> Task<int> { co_return co_await receiver; });
  feeder.join();
  EXPECT_EQ(sum, 49 * 50 / 2);
}

TEST(ChannelTest, BoundOfZeroIsRejected) { EXPECT_THROW(channel<int>(0), std::invalid_argument); }

}  // namespace
}  // namespace async
}  // namespace racelings
