// Tests for channel.h: channel, sync_channel, Sender<T>, Receiver<T> and
// their errors. Modelled on crossbeam-channel's and std::sync::mpsc's tests
// (FIFO order, disconnection both ways, iteration, bounded and zero-capacity
// blocking), rewritten for our API.

#include "primitives/channel.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "primitives/test_util.h"
#include "primitives/thread.h"

namespace racelings {
namespace {

using namespace std::chrono_literals;
using detector::WaitKind;
using testing_util::Counted;
using testing_util::eventually;
using testing_util::eventually_blocked;
using testing_util::kMainThread;
using testing_util::stress_iterations;

TEST(Channel, MessagesArriveInTheOrderTheyWereSent) {
  auto [tx, rx] = channel<int>();
  for (int i = 0; i < 100; ++i) tx.send(i).unwrap();
  for (int i = 0; i < 100; ++i) ASSERT_EQ(rx.recv().unwrap(), i);
}

TEST(Channel, AValueSentFromAnotherThreadIsReceived) {
  auto [tx, rx] = channel<std::string>();
  auto h = spawn([tx = std::move(tx)]() mutable { tx.send("hello").unwrap(); });
  EXPECT_EQ(rx.recv().unwrap(), "hello");
  h.join();
}

TEST(Channel, MultipleProducersEachKeepTheirOwnOrder) {
  const int producers = 4;
  const int each = stress_iterations(2000);
  auto [tx, rx] = channel<std::pair<int, int>>();
  std::vector<JoinHandle<void>> hs;
  for (int p = 0; p < producers; ++p) {
    hs.push_back(spawn([tx = tx, p, each]() mutable {
      for (int i = 0; i < each; ++i) tx.send({p, i}).unwrap();
    }));
  }
  tx.close();
  std::map<int, int> next;
  int total = 0;
  for (auto [p, i] : rx) {
    ASSERT_EQ(i, next[p]) << "producer " << p;
    next[p] = i + 1;
    ++total;
  }
  EXPECT_EQ(total, producers * each);
  for (auto& h : hs) h.join();
}

TEST(Channel, SendFailsWithTheValueWhenTheReceiverIsGone) {
  auto [tx, rx] = channel<std::string>();
  {
    auto gone = std::move(rx);
  }
  auto r = tx.send("returned");
  ASSERT_TRUE(r.is_err());
  EXPECT_STREQ(r.error().what(), "sending on a disconnected channel");
  EXPECT_EQ(std::move(r).error().into_inner(), "returned");
}

TEST(Channel, RecvDrainsQueuedMessagesThenFailsAfterTheLastSenderCloses) {
  auto [tx, rx] = channel<int>();
  Sender<int> tx2 = tx;
  tx.send(1).unwrap();
  tx2.send(2).unwrap();
  tx.close();
  EXPECT_TRUE(tx.is_closed());
  tx2.send(3).unwrap();  // One Sender left: still connected.
  tx2.close();
  EXPECT_EQ(rx.recv().unwrap(), 1);
  EXPECT_EQ(rx.recv().unwrap(), 2);
  EXPECT_EQ(rx.recv().unwrap(), 3);
  auto r = rx.recv();
  ASSERT_TRUE(r.is_err());
  EXPECT_STREQ(r.error().what(), "receiving on an empty and disconnected channel");
}

TEST(Channel, ABlockedRecvFailsWhenTheLastSenderIsDestroyed) {
  auto [tx, rx] = channel<int>();
  std::atomic<bool> got_first{false};
  auto h = spawn([&got_first, tx = std::move(tx)]() mutable {
    EXPECT_TRUE(eventually_blocked(kMainThread, WaitKind::kOther)) << "main never waited in recv";
    tx.send(7).unwrap();
    // The last sender goes only once main waits in its second recv: that
    // wait, not a later recv, must see the disconnection.
    EXPECT_TRUE(eventually([&] { return got_first.load(); }));
    EXPECT_TRUE(eventually_blocked(kMainThread, WaitKind::kOther)) << "main never waited in its second recv";
    {
      auto last = std::move(tx);
    }
  });
  EXPECT_EQ(rx.recv().unwrap(), 7);
  got_first.store(true);
  EXPECT_TRUE(rx.recv().is_err());
  h.join();
}

TEST(Channel, SendOnAClosedSenderFails) {
  auto [tx, rx] = channel<int>();
  tx.close();
  EXPECT_TRUE(tx.send(1).is_err());
  EXPECT_TRUE(tx.try_send(1).error().is_disconnected());
}

TEST(Channel, TryRecvTellsEmptyFromDisconnected) {
  auto [tx, rx] = channel<int>();
  auto empty = rx.try_recv();
  ASSERT_TRUE(empty.is_err());
  EXPECT_TRUE(empty.error().is_empty());
  EXPECT_EQ(empty.error().kind(), TryRecvError::Kind::kEmpty);
  tx.send(5).unwrap();
  EXPECT_EQ(rx.try_recv().unwrap(), 5);
  tx.close();
  auto gone = rx.try_recv();
  ASSERT_TRUE(gone.is_err());
  EXPECT_TRUE(gone.error().is_disconnected());
}

TEST(Channel, RecvTimeoutTellsTimeoutFromDisconnected) {
  auto [tx, rx] = channel<int>();
  auto start = std::chrono::steady_clock::now();
  auto t = rx.recv_timeout(30ms);
  ASSERT_TRUE(t.is_err());
  EXPECT_TRUE(t.error().is_timeout());
  EXPECT_GE(std::chrono::steady_clock::now() - start, 25ms);
  tx.send(1).unwrap();
  EXPECT_EQ(rx.recv_timeout(10s).unwrap(), 1);
  tx.close();
  auto d = rx.recv_timeout(10s);
  ASSERT_TRUE(d.is_err());
  EXPECT_TRUE(d.error().is_disconnected());
}

// Main waits in recv_timeout() on `pair`'s receiver; another thread, once
// main is blocked, sends `value` (or, with no value, closes the sender).
template <typename Pair>
void expect_recv_timeout_sees_a_late(Pair pair, std::optional<int> value) {
  auto& [tx, rx] = pair;
  auto h = spawn([tx = std::move(tx), value]() mutable {
    EXPECT_TRUE(eventually_blocked(kMainThread, WaitKind::kOther)) << "main never waited in recv";
    if (value.has_value()) {
      tx.send(*value).unwrap();
    } else {
      tx.close();
    }
  });
  auto r = rx.recv_timeout(10s);
  if (value.has_value()) {
    EXPECT_EQ(std::move(r).unwrap(), *value);
  } else {
    ASSERT_TRUE(r.is_err());
    EXPECT_TRUE(r.error().is_disconnected());
  }
  h.join();
}

TEST(Channel, RecvTimeoutGetsAMessageThatArrivesInTime) { expect_recv_timeout_sees_a_late(channel<int>(), 3); }

TEST(Channel, RecvTimeoutSeesADisconnectionWhileWaiting) {
  expect_recv_timeout_sees_a_late(channel<int>(), std::nullopt);
}

// The rendezvous's receiver sleeps on its packet (a futex) with a deadline.
TEST(Channel, RendezvousRecvTimeoutWithdrawsWhenNoSenderComes) {
  auto [tx, rx] = sync_channel<int>(0);
  auto start = std::chrono::steady_clock::now();
  auto t = rx.recv_timeout(30ms);
  ASSERT_TRUE(t.is_err());
  EXPECT_TRUE(t.error().is_timeout());
  EXPECT_GE(std::chrono::steady_clock::now() - start, 25ms);
  // Its packet is gone from the waiting list: nobody is there to take this.
  EXPECT_TRUE(tx.try_send(1).error().is_full());
}

TEST(Channel, RendezvousRecvTimeoutGetsASenderThatComesWhileItSleeps) {
  expect_recv_timeout_sees_a_late(sync_channel<int>(0), 4);
}

TEST(Channel, RendezvousRecvTimeoutSeesADisconnectionWhileItSleeps) {
  expect_recv_timeout_sees_a_late(sync_channel<int>(0), std::nullopt);
}

TEST(Channel, RangeForEndsWhenEverySenderIsGone) {
  auto [tx, rx] = channel<int>();
  auto h = spawn([tx = std::move(tx)]() mutable {
    for (int i = 1; i <= 4; ++i) tx.send(i).unwrap();
  });
  int sum = 0;
  for (int v : rx) sum += v;
  EXPECT_EQ(sum, 10);
  h.join();
}

TEST(Channel, TryIterTakesOnlyTheMessagesWaitingNow) {
  auto [tx, rx] = channel<int>();
  for (int i = 0; i < 3; ++i) tx.send(i).unwrap();
  std::vector<int> got;
  for (int v : rx.try_iter()) got.push_back(v);
  EXPECT_EQ(got, (std::vector<int>{0, 1, 2}));
  got.clear();
  for (int v : rx.try_iter()) got.push_back(v);  // Empty, and still connected: no blocking.
  EXPECT_TRUE(got.empty());
}

TEST(Channel, SyncChannelSendBlocksOnceItHoldsItsBound) {
  auto [tx, rx] = sync_channel<int>(2);
  std::atomic<int> sent{0};
  auto sender = Builder().name("sender").spawn([&, tx = std::move(tx)]() mutable {
    for (int i = 0; i < 3; ++i) {
      tx.send(i).unwrap();
      sent.fetch_add(1);
    }
  });
  ASSERT_TRUE(eventually_blocked("sender", WaitKind::kOther)) << "the third send must wait for room";
  EXPECT_EQ(sent.load(), 2);
  EXPECT_EQ(rx.recv().unwrap(), 0);
  EXPECT_TRUE(eventually([&] { return sent.load() == 3; }));
  EXPECT_EQ(rx.recv().unwrap(), 1);
  EXPECT_EQ(rx.recv().unwrap(), 2);
  sender.join();
}

TEST(Channel, RendezvousSendReturnsOnlyAfterAReceive) {
  auto [tx, rx] = sync_channel<int>(0);
  std::atomic<bool> returned{false};
  auto sender = Builder().name("sender").spawn([&, tx = std::move(tx)]() mutable {
    tx.send(11).unwrap();
    returned.store(true);
  });
  ASSERT_TRUE(eventually_blocked("sender", WaitKind::kOther)) << "send on sync_channel(0) must wait for a receiver";
  EXPECT_FALSE(returned.load());
  EXPECT_EQ(rx.recv().unwrap(), 11);
  sender.join();
  EXPECT_TRUE(returned.load());
}

TEST(Channel, RendezvousCarriesManyMessagesInOrder) {
  const int n = stress_iterations(2000);
  auto [tx, rx] = sync_channel<int>(0);
  auto sender = spawn([tx = std::move(tx), n]() mutable {
    for (int i = 0; i < n; ++i) tx.send(i).unwrap();
  });
  int expected = 0;
  for (int v : rx) ASSERT_EQ(v, expected++);
  EXPECT_EQ(expected, n);
  sender.join();
}

TEST(Channel, TrySendReportsFullAndDisconnectedWithTheValue) {
  auto [tx, rx] = sync_channel<std::string>(1);
  EXPECT_TRUE(tx.try_send("a").is_ok());
  auto full = tx.try_send("b");
  ASSERT_TRUE(full.is_err());
  EXPECT_TRUE(full.error().is_full());
  EXPECT_STREQ(full.error().what(), "sending on a full channel");
  EXPECT_EQ(std::move(full).error().into_inner(), "b");
  EXPECT_EQ(rx.recv().unwrap(), "a");
  EXPECT_TRUE(tx.try_send("c").is_ok());
  {
    auto gone = std::move(rx);
  }
  auto disc = tx.try_send("d");
  ASSERT_TRUE(disc.is_err());
  EXPECT_TRUE(disc.error().is_disconnected());
  EXPECT_EQ(std::move(disc).error().into_inner(), "d");
}

TEST(Channel, TrySendOnAnUnboundedChannelIsNeverFull) {
  auto [tx, rx] = channel<int>();
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(tx.try_send(i).is_ok());
  EXPECT_EQ(rx.recv().unwrap(), 0);
}

TEST(Channel, TrySendOnARendezvousChannelNeedsAWaitingReceiver) {
  auto [tx, rx] = sync_channel<int>(0);
  EXPECT_TRUE(tx.try_send(1).error().is_full());
  auto receiver = spawn([rx = std::move(rx)]() mutable { return rx.recv().unwrap(); });
  // Once the receiver waits, try_send hands the message over.
  EXPECT_TRUE(eventually([&] { return tx.try_send(2).is_ok(); }));
  EXPECT_EQ(receiver.join(), 2);
}

TEST(Channel, ABlockedBoundedSendFailsWithTheValueWhenTheReceiverLeaves) {
  auto [tx, rx] = sync_channel<std::string>(1);
  tx.send("fills it").unwrap();
  auto sender = Builder().name("sender").spawn([tx = std::move(tx)]() mutable { return tx.send("blocked"); });
  ASSERT_TRUE(eventually_blocked("sender", WaitKind::kOther)) << "the send never blocked";
  {
    auto gone = std::move(rx);
  }
  auto r = sender.join();
  ASSERT_TRUE(r.is_err());
  EXPECT_EQ(std::move(r).error().into_inner(), "blocked");
}

TEST(Channel, ARendezvousSendFailsWithTheValueWhenTheReceiverLeavesWithoutTakingIt) {
  auto [tx, rx] = sync_channel<std::string>(0);
  auto sender = Builder().name("sender").spawn([tx = std::move(tx)]() mutable { return tx.send("never taken"); });
  ASSERT_TRUE(eventually_blocked("sender", WaitKind::kOther)) << "the send never blocked";
  {
    auto gone = std::move(rx);
  }
  auto r = sender.join();
  ASSERT_TRUE(r.is_err());
  EXPECT_EQ(std::move(r).error().into_inner(), "never taken");
}

TEST(Channel, CopiedAndAssignedSendersAllKeepTheChannelOpen) {
  auto [tx, rx] = channel<int>();
  Sender<int> a = tx;
  Sender<int> b = std::move(tx);
  EXPECT_TRUE(tx.is_closed());
  Sender<int> c = a;
  c = b;  // c drops its copy of a's channel and takes b's: the same channel.
  a.close();
  b.close();
  c.send(1).unwrap();
  EXPECT_EQ(rx.try_recv().unwrap(), 1);
  EXPECT_TRUE(rx.try_recv().error().is_empty());
  c.close();
  EXPECT_TRUE(rx.try_recv().error().is_disconnected());
}

TEST(Channel, MessagesAreNeitherLeakedNorDestroyedTwice) {
  Counted::reset();
  {
    auto [tx, rx] = channel<Counted>();
    for (int i = 0; i < 10; ++i) tx.send(Counted(i)).unwrap();
    for (int i = 0; i < 5; ++i) EXPECT_EQ(rx.recv().unwrap().value(), i);
    // Five messages are still queued when both halves go.
  }
  {
    auto [tx, rx] = sync_channel<Counted>(1);
    tx.send(Counted(1)).unwrap();
    EXPECT_TRUE(tx.try_send(Counted(2)).is_err());  // Full: handed back, then destroyed.
    {
      auto gone = std::move(rx);
    }
    auto back = tx.send(Counted(3));
    EXPECT_EQ(std::move(back).error().into_inner().value(), 3);
  }
  {
    auto [tx, rx] = sync_channel<Counted>(0);
    auto sender = spawn([tx = std::move(tx)]() mutable {
      for (int i = 0; i < 50; ++i) tx.send(Counted(i)).unwrap();
    });
    for (auto& c : rx) (void)c;
    sender.join();
  }
  EXPECT_EQ(Counted::alive(), 0);
  EXPECT_EQ(Counted::double_destroyed(), 0);
}

TEST(Channel, ManyProducersOneConsumerUnderStress) {
  const int producers = 4;
  const int each = stress_iterations(5000);
  for (size_t bound : {size_t{0}, size_t{1}, size_t{16}}) {
    auto [tx, rx] = sync_channel<int>(bound);
    std::vector<JoinHandle<void>> hs;
    for (int p = 0; p < producers; ++p) {
      hs.push_back(spawn([tx = tx, each]() mutable {
        for (int i = 0; i < each; ++i) tx.send(1).unwrap();
      }));
    }
    tx.close();
    long total = 0;
    for (int v : rx) total += v;
    for (auto& h : hs) h.join();
    EXPECT_EQ(total, static_cast<long>(producers) * each) << "bound " << bound;
  }
}

}  // namespace
}  // namespace racelings
