// The bounded depth-first search over the scheduler's choices (CHESS's
// iterative context bounding, stateless). The explorer runs the default
// schedule first; its trace lists every decision with its options. Each next
// execution replays the choices of the current path up to the deepest
// decision that still has an untried option within the preemption bound,
// takes that option, and continues with the default; its trace extends the
// path. Once no decision has an option left, the bound grows by one and the
// search starts over, up to the largest bound. A choice costs one when it
// takes the turn from a thread that could have gone on, lets a wait time out
// early, or wakes a wait spuriously; choices at blocking points are free.

#include <bit>

#include "primitives/schedule/explorer_internal.h"

namespace racelings {
namespace schedule {

DfsSearch::DfsSearch(int max_bound) : max_bound_(max_bound < 0 ? 0 : max_bound) {}

std::vector<uint32_t> DfsSearch::options(const Frame& f) const {
  std::vector<uint32_t> out;
  const TraceEntry& e = f.entry;
  if (e.kind == DecisionKind::kSpurious) return {0, 1};
  for (uint64_t m = e.runnable_mask; m != 0; m &= m - 1) out.push_back(run_value(std::countr_zero(m)));
  for (uint64_t m = e.timed_mask; m != 0; m &= m - 1) out.push_back(timeout_value(std::countr_zero(m)));
  return out;
}

int DfsSearch::cost(const Frame& f, uint32_t value) const {
  const TraceEntry& e = f.entry;
  if (e.kind == DecisionKind::kSpurious) return value == 1 ? 1 : 0;
  if (value_is_timeout(value)) return 1;
  bool may_continue = (e.flags & TraceEntry::kMayContinue) != 0;
  bool yielded = (e.flags & TraceEntry::kYielded) != 0;
  return may_continue && !yielded && value != run_value(e.current) ? 1 : 0;
}

bool DfsSearch::tried(const Frame& f, uint32_t value) const {
  if (f.entry.kind == DecisionKind::kSpurious) return (f.tried_spurious >> value & 1) != 0;
  uint64_t bit = uint64_t{1} << value_thread(value);
  return ((value_is_timeout(value) ? f.tried_timeout : f.tried_run) & bit) != 0;
}

void DfsSearch::mark(Frame& f, uint32_t value) {
  f.chosen = value;
  if (f.entry.kind == DecisionKind::kSpurious) {
    f.tried_spurious |= 1u << value;
    return;
  }
  uint64_t bit = uint64_t{1} << value_thread(value);
  (value_is_timeout(value) ? f.tried_timeout : f.tried_run) |= bit;
}

void DfsSearch::record(const std::vector<TraceEntry>& trace) {
  started_ = true;
  for (const TraceEntry& e : trace) {
    if (e.step <= replayed_to_) continue;  // The replayed prefix: already on the path.
    Frame f;
    f.entry = e;
    // A choice of a thread beyond the masks' 64 cannot be branched on.
    if (value_thread(e.chosen) < 64 || e.kind == DecisionKind::kSpurious) mark(f, e.chosen);
    f.chosen = e.chosen;
    frames_.push_back(f);
  }
}

std::optional<std::vector<Deviation>> DfsSearch::next() {
  for (;;) {
    if (!started_) return std::vector<Deviation>{};
    // Cost of the path's choices before each frame.
    std::vector<int> before(frames_.size() + 1, 0);
    for (size_t i = 0; i < frames_.size(); ++i) before[i + 1] = before[i] + cost(frames_[i], frames_[i].chosen);
    for (size_t i = frames_.size(); i-- > 0;) {
      Frame& f = frames_[i];
      for (uint32_t option : options(f)) {
        if (tried(f, option) || before[i] + cost(f, option) > bound_) continue;
        mark(f, option);
        frames_.resize(i + 1);
        replayed_to_ = f.entry.step;
        std::vector<Deviation> forced;
        for (const Frame& g : frames_) {
          if (g.chosen != g.entry.fallback) forced.push_back(Deviation{g.entry.step, g.chosen});
        }
        return forced;
      }
    }
    // Every execution within this bound was run: a larger bound, from scratch.
    if (bound_ >= max_bound_) return std::nullopt;
    ++bound_;
    frames_.clear();
    replayed_to_ = 0;
    started_ = false;
  }
}

}  // namespace schedule
}  // namespace racelings
