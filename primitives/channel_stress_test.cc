// Stress tests for channel.h's lock-free queues: many producers and many
// consumers on every flavor (channel(), sync_channel(n), sync_channel(0)),
// with a linearizability-style check of what came out: every value sent is
// received exactly once, and each consumer sees each producer's values in
// the order they were sent. Also: the try_ and timed operations mixed in,
// disconnection while threads are blocked, messages whose move may throw
// (they travel boxed), and the happens-before edge a hand-over through a
// channel must give (under ThreadSanitizer a missing edge is a data race
// report, which fails the test). Loop counts scale with
// RACELINGS_STRESS_SCALE and shrink under sanitizers (test_util.h).

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include "primitives/channel.h"
#include "primitives/test_util.h"
#include "primitives/thread.h"

namespace racelings {
namespace {

using namespace std::chrono_literals;
using testing_util::Counted;
using testing_util::stress_iterations;

constexpr size_t kUnbounded = static_cast<size_t>(-1);

// A message: which producer sent it, and its sequence number there.
struct Stamp {
  int producer;
  int seq;
};

std::pair<Sender<Stamp>, Receiver<Stamp>> make(size_t bound) {
  return bound == kUnbounded ? channel<Stamp>() : sync_channel<Stamp>(bound);
}

std::string flavor(size_t bound) {
  return bound == kUnbounded ? "channel()" : "sync_channel(" + std::to_string(bound) + ")";
}

// Checks what `consumers` received from `producers` sending `each` values.
void expect_exactly_once_in_order(const std::vector<std::vector<Stamp>>& received, int producers, int each,
                                  const std::string& what) {
  std::vector<std::vector<int>> times(producers, std::vector<int>(each, 0));
  for (size_t c = 0; c < received.size(); ++c) {
    std::vector<int> last(producers, -1);
    for (const Stamp& s : received[c]) {
      ASSERT_TRUE(s.producer >= 0 && s.producer < producers && s.seq >= 0 && s.seq < each) << what;
      ++times[s.producer][s.seq];
      ASSERT_LT(last[s.producer], s.seq) << what << ": consumer " << c << " got producer " << s.producer << "'s value "
                                         << s.seq << " after " << last[s.producer];
      last[s.producer] = s.seq;
    }
  }
  for (int p = 0; p < producers; ++p) {
    for (int i = 0; i < each; ++i) {
      ASSERT_EQ(times[p][i], 1) << what << ": producer " << p << "'s value " << i << " was received " << times[p][i]
                                << " times";
    }
  }
}

// Producers send with send(); consumers share the one Receiver (by
// reference: the queues take concurrent receivers) and recv() until the
// channel disconnects.
void run_blocking(size_t bound, int producers, int consumers, int each) {
  auto [tx, rx] = make(bound);
  std::vector<std::vector<Stamp>> received(consumers);
  scope([&](Scope& s) {
    for (int p = 0; p < producers; ++p) {
      s.spawn([&, p, tx = tx]() mutable {
        for (int i = 0; i < each; ++i) tx.send(Stamp{p, i}).unwrap();
      });
    }
    tx.close();
    for (int c = 0; c < consumers; ++c) {
      s.spawn([&, c] {
        while (auto r = rx.recv()) received[c].push_back(std::move(r).unwrap());
      });
    }
  });
  expect_exactly_once_in_order(
      received, producers, each,
      flavor(bound) + ", " + std::to_string(producers) + " producers, " + std::to_string(consumers) + " consumers");
}

TEST(ChannelStress, ManyProducersOneConsumerEveryValueOnceInOrder) {
  for (size_t bound : {kUnbounded, size_t{1}, size_t{3}, size_t{64}, size_t{0}}) {
    run_blocking(bound, 4, 1, stress_iterations(bound == 0 ? 2000 : 20000));
  }
}

TEST(ChannelStress, ManyProducersManyConsumersEveryValueOnceInOrder) {
  for (size_t bound : {kUnbounded, size_t{1}, size_t{3}, size_t{64}, size_t{0}}) {
    run_blocking(bound, 3, 3, stress_iterations(bound == 0 ? 2000 : 20000));
  }
}

TEST(ChannelStress, OneProducerOneConsumerAcrossManyListBlocks) {
  // 31 messages fill a block of the unbounded queue: this crosses thousands.
  run_blocking(kUnbounded, 1, 1, stress_iterations(200000));
}

// try_send (retrying while full) and try_recv / recv_timeout mixed in.
TEST(ChannelStress, TryAndTimedOperationsLoseNothing) {
  for (size_t bound : {kUnbounded, size_t{2}, size_t{0}}) {
    const int producers = 3, consumers = 2, each = stress_iterations(bound == 0 ? 1000 : 5000);
    auto [tx, rx] = make(bound);
    std::vector<std::vector<Stamp>> received(consumers);
    scope([&](Scope& s) {
      for (int p = 0; p < producers; ++p) {
        s.spawn([&, p, tx = tx]() mutable {
          for (int i = 0; i < each; ++i) {
            if (p % 2 == 0) {
              Stamp v{p, i};
              for (;;) {
                auto r = tx.try_send(v);
                if (r.is_ok()) break;
                ASSERT_TRUE(r.error().is_full());
                std::this_thread::yield();
              }
            } else {
              tx.send(Stamp{p, i}).unwrap();
            }
          }
        });
      }
      tx.close();
      for (int c = 0; c < consumers; ++c) {
        s.spawn([&, c] {
          for (int n = 0;; ++n) {
            if (n % 2 == 0) {
              auto r = rx.try_recv();
              if (r.is_ok()) {
                received[c].push_back(std::move(r).unwrap());
              } else if (r.error().is_disconnected()) {
                break;
              } else {
                std::this_thread::yield();
              }
            } else {
              auto r = rx.recv_timeout(1ms);
              if (r.is_ok()) {
                received[c].push_back(std::move(r).unwrap());
              } else if (r.error().is_disconnected()) {
                break;
              }
            }
          }
        });
      }
    });
    expect_exactly_once_in_order(received, producers, each, flavor(bound) + " with try_ and timed operations");
  }
}

// The receiver leaves while producers send (and, on bounded channels, wait):
// every send either succeeded or handed its value back; nothing leaks and
// nothing is destroyed twice.
TEST(ChannelStress, TheReceiverLeavingMidStreamLeaksNothing) {
  for (size_t bound : {kUnbounded, size_t{1}, size_t{8}, size_t{0}}) {
    Counted::reset();
    {
      const int producers = 4, each = stress_iterations(5000);
      auto [tx, rx] = bound == kUnbounded ? channel<Counted>() : sync_channel<Counted>(bound);
      std::atomic<int> ok{0}, returned{0};
      scope([&](Scope& s) {
        for (int p = 0; p < producers; ++p) {
          s.spawn([&, tx = tx]() mutable {
            for (int i = 0; i < each; ++i) {
              auto r = tx.send(Counted(i));
              if (r.is_ok()) {
                ok.fetch_add(1, std::memory_order_relaxed);
              } else {
                EXPECT_EQ(std::move(r).error().into_inner().value(), i);
                returned.fetch_add(1, std::memory_order_relaxed);
              }
            }
          });
        }
        tx.close();
        s.spawn([&, rx = std::move(rx)]() mutable {
          for (int n = 0; n < each && rx.recv().is_ok(); ++n) {
          }
          // rx goes here, with producers still sending.
        });
      });
      EXPECT_EQ(ok.load() + returned.load(), producers * each) << flavor(bound);
      EXPECT_GE(ok.load(), each) << flavor(bound);
    }
    EXPECT_EQ(Counted::alive(), 0) << flavor(bound);
    EXPECT_EQ(Counted::double_destroyed(), 0) << flavor(bound);
  }
}

// A message type whose move constructor may throw travels boxed.
struct MayThrowOnMove {
  int value;
  explicit MayThrowOnMove(int v) : value(v) {}
  MayThrowOnMove(MayThrowOnMove&& other) noexcept(false) : value(other.value) {}
};
static_assert(!std::is_nothrow_move_constructible_v<MayThrowOnMove>);

TEST(ChannelStress, MessagesWhoseMoveMayThrowArriveIntact) {
  for (size_t bound : {kUnbounded, size_t{2}, size_t{0}}) {
    const int each = stress_iterations(5000);
    auto [tx, rx] = bound == kUnbounded ? channel<MayThrowOnMove>() : sync_channel<MayThrowOnMove>(bound);
    auto producer = spawn([tx = std::move(tx), each]() mutable {
      for (int i = 0; i < each; ++i) tx.send(MayThrowOnMove(i)).unwrap();
    });
    int expected = 0;
    for (auto& m : rx) ASSERT_EQ(m.value, expected++) << flavor(bound);
    EXPECT_EQ(expected, each);
    producer.join();
  }
}

TEST(ChannelStress, ATooLargeBoundIsRefusedWithAReason) {
  try {
    auto pair = sync_channel<int>(size_t{1} << 40);
    FAIL() << "sync_channel(2^40) was accepted";
  } catch (const std::length_error& e) {
    EXPECT_NE(std::string(e.what()).find("sync_channel(1099511627776)"), std::string::npos) << e.what();
  }
}

// What the sender wrote before send() is visible to the receiver: the data
// here is plain memory, handed over by pointer. Under ThreadSanitizer a
// channel that did not order the two threads would be a data race report.
TEST(ChannelStress, AHandOverThroughAChannelOrdersTheData) {
  struct Page {
    int words[16];
  };
  for (size_t bound : {kUnbounded, size_t{1}, size_t{0}}) {
    const int pages = stress_iterations(2000);
    auto [tx, rx] = bound == kUnbounded ? channel<Page*>() : sync_channel<Page*>(bound);
    auto producer = spawn([tx = std::move(tx), pages]() mutable {
      for (int i = 0; i < pages; ++i) {
        auto* page = new Page;
        for (int w = 0; w < 16; ++w) page->words[w] = i + w;  // Plain writes...
        tx.send(page).unwrap();                                 // ...published by the send.
      }
    });
    int i = 0;
    for (Page* page : rx) {
      for (int w = 0; w < 16; ++w) ASSERT_EQ(page->words[w], i + w) << flavor(bound);
      page->words[0] = -1;  // A plain write after the receive: ordered after the producer's.
      delete page;
      ++i;
    }
    EXPECT_EQ(i, pages);
    producer.join();
  }
}

}  // namespace
}  // namespace racelings
