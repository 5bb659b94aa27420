// schedule_id.h
// -----------------------------------------------------------------------------
//
// Schedule ids: the short text that replays one execution exactly.
//
// Every decision of the controlled scheduler has a *default* (keep running
// the current thread; otherwise the next runnable one after it; no spurious
// wakeup, no early timeout). An execution is fully described by the
// decisions where it did something else: a list of (step, value) pairs,
// which the strategies record as they run and shrinking makes short. The id
// encodes that list:
//
//   id      = "a" payload check
//   payload = base32( varint(count), { varint(step - previous step), varint(value) }... )
//   check   = two base32 digits of a hash of the payload
//
// Base32 uses the digits and lowercase letters without i, l, o, u
// ("0123456789abcdefghjkmnpqrstvwxyz"), so an id survives being read aloud
// or retyped. The leading "a" is the format's version: a later scheduler
// whose defaults differ gives its ids another letter.
//
// Rust equivalent: shuttle's `ReplayScheduler::new_from_encoded` schedule
// strings (a bit vector, base64), which this shortens to the deviations.

#ifndef RACELINGS_PRIMITIVES_SCHEDULE_SCHEDULE_ID_H_
#define RACELINGS_PRIMITIVES_SCHEDULE_SCHEDULE_ID_H_

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace racelings {
namespace schedule {

// One decision that differs from the default: at `step`, choose `value`.
// For a choice of thread, value = 2 * thread index (run it) or
// 2 * thread index + 1 (let its timed wait time out); for a spurious-wakeup
// choice, value = 1.
struct Deviation {
  uint64_t step = 0;
  uint32_t value = 0;
  auto operator<=>(const Deviation&) const = default;
};

// encode_schedule(): the id of a list of deviations in increasing step order.
std::string encode_schedule(const std::vector<Deviation>& deviations);

// decode_schedule(): the deviations of an id, or nullopt with `error` saying
// what is wrong with it (not an id, mistyped, from another version).
std::optional<std::vector<Deviation>> decode_schedule(std::string_view id, std::string* error);

}  // namespace schedule
}  // namespace racelings

#endif  // RACELINGS_PRIMITIVES_SCHEDULE_SCHEDULE_ID_H_
