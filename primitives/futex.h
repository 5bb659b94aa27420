// futex.h
// -----------------------------------------------------------------------------
//
// Internal: sleeping on a 32-bit word and waking its sleepers (Linux futex,
// private to the process). LockWord sleeps on its state this way, and so
// does a waiter in the rendezvous: a thread woken here needs no lock to run
// on, unlike a condition variable's, which must retake its mutex.
//
// A wake may reach a word whose owner has already returned (it saw the
// change before it slept, or woke spuriously): the kernel only hashes the
// address, so the worst it does is wake whoever sleeps there now, and every
// sleeper here looks at its word again after waking (glibc's semaphores and
// mutexes rely on the same).
//
// Rust equivalent: the `futex_wait`/`futex_wake` of Rust's std
// (`sys::pal::unix::futex`), under its `Parker` and `Mutex`.

#ifndef RACELINGS_PRIMITIVES_FUTEX_H_
#define RACELINGS_PRIMITIVES_FUTEX_H_

#include <atomic>
#include <chrono>
#include <cstdint>

namespace racelings {
namespace internal {

// futex_wait(): sleeps while `*word` holds `expected` (returns at once if
// it does not), until a futex_wake() on `word` or, if `deadline` is not
// null, until then. Returns false only when the deadline passed. A wakeup
// may be spurious: the caller looks at the word again either way.
bool futex_wait(std::atomic<uint32_t>* word, uint32_t expected,
                const std::chrono::steady_clock::time_point* deadline = nullptr);

// futex_wake(): wakes up to `count` threads sleeping on `word`.
void futex_wake(std::atomic<uint32_t>* word, int count);

}  // namespace internal
}  // namespace racelings

#endif  // RACELINGS_PRIMITIVES_FUTEX_H_
