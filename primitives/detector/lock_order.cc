// The lock-order graph: an edge from each lock a thread holds to the lock
// it then takes, and a report the first time an edge closes a cycle (a
// potential deadlock even if no thread hangs, as Linux lockdep does); a lock
// re-taken by the thread that holds it; and LockInfo itself.

#include <algorithm>
#include <atomic>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "primitives/detector.h"
#include "primitives/detector/internal.h"

namespace racelings {
namespace detector {

namespace {

struct Edge {
  uint64_t to = 0;
  std::string from_desc, to_desc;
  std::string thread_desc;
  std::source_location from_site, to_site;
};

struct Graph {
  PlainMutex mu;
  std::unordered_map<uint64_t, std::vector<Edge>> out GUARDED_BY(mu);
  std::set<std::pair<uint64_t, uint64_t>> reported GUARDED_BY(mu);
};

Graph& graph() {
  static Graph* g = new Graph;
  return *g;
}

// Depth-first search in the lock-order graph for a path from `from` to `to`.
bool find_lock_path_locked(Graph& g, uint64_t from, uint64_t to, std::vector<const Edge*>& path,
                           std::unordered_set<uint64_t>& seen) REQUIRES(g.mu) {
  auto it = g.out.find(from);
  if (it == g.out.end()) return false;
  for (const Edge& e : it->second) {
    if (e.to == to) {
      path.push_back(&e);
      return true;
    }
    if (!seen.insert(e.to).second) continue;
    if (find_lock_path_locked(g, e.to, to, path, seen)) {
      path.push_back(&e);
      return true;
    }
  }
  return false;
}

// Relaxed: ids only need to be unique.
std::atomic<uint64_t> next_lock_id{1};

}  // namespace

void check_lock_order(ThreadRecord& t, LockInfo& lock, const std::source_location& where) {
  int n = std::min(t.held_count.load(std::memory_order_relaxed), kMaxHeld);
  for (int i = 0; i < n; ++i) {
    const LockInfo* held = t.held[i].lock.load(std::memory_order_relaxed);
    if (held == nullptr || held->id() == lock.id()) continue;
    if (t.edge_cache.contains(held->id(), lock.id())) continue;
    Graph& g = graph();
    // Released before a report is printed: printing (symbolizing) is slow.
    PlainLock guard(g.mu);
    t.edge_cache.insert(held->id(), lock.id());
    auto& edges = g.out[held->id()];
    bool known = std::any_of(edges.begin(), edges.end(), [&](const Edge& e) { return e.to == lock.id(); });
    if (known || g.reported.count({held->id(), lock.id()}) != 0) continue;
    std::vector<const Edge*> path;
    std::unordered_set<uint64_t> seen{lock.id()};
    std::source_location held_site = t.held[i].site.load(std::memory_order_relaxed);
    std::string thread_desc;
    {
      Registry& r = registry();
      PlainLock rl(r.mu);
      thread_desc = describe_thread_locked(t);
    }
    if (find_lock_path_locked(g, lock.id(), held->id(), path, seen)) {
      std::reverse(path.begin(), path.end());
      g.reported.insert({held->id(), lock.id()});
      std::string cycle = "  Cycle in lock order graph: " + held->describe() + " => " + lock.describe();
      for (const Edge* e : path) cycle += " => " + e->to_desc;
      std::string body = cycle + "\n\n";
      auto section = [&](const std::string& from, const std::string& to, const std::string& who,
                         const std::source_location& from_site, const std::source_location& to_site) {
        body += "  " + to + " acquired here while holding " + from + " in " + who + ":\n";
        body += frame_text(to_site) + "\n";
        body += "  " + from + " previously acquired by the same thread here:\n";
        body += frame_text(from_site) + "\n";
      };
      section(held->describe(), lock.describe(), thread_desc, held_site, where);
      for (const Edge* e : path) section(e->from_desc, e->to_desc, e->thread_desc, e->from_site, e->to_site);
      guard.unlock();
      emit("lock-order inversion", "potential deadlock", body, where);
      maybe_abort_after_report();
      continue;
    }
    Edge e;
    e.to = lock.id();
    e.from_desc = held->describe();
    e.to_desc = lock.describe();
    e.thread_desc = thread_desc;
    e.from_site = held_site;
    e.to_site = where;
    edges.push_back(std::move(e));
    const_cast<LockInfo*>(held)->in_graph.store(true, std::memory_order_relaxed);
    lock.in_graph.store(true, std::memory_order_relaxed);
  }
}

void report_self_deadlock(ThreadRecord& t, LockInfo& lock, Mode mode, int slot, const std::source_location& where) {
  bool held_shared = t.held[slot].mode.load(std::memory_order_relaxed) == Mode::kShared;
  std::string what;
  if (lock.kind() == LockKind::kMutex) {
    what = "thread re-locks a mutex it already holds";
  } else if (held_shared && mode == Mode::kExclusive) {
    what = "thread asks to write an RwLock it is reading";
  } else if (!held_shared && mode == Mode::kShared) {
    what = "thread asks to read an RwLock it is writing";
  } else {
    what = "thread asks to write an RwLock it is writing";
  }
  std::string body;
  {
    Registry& r = registry();
    PlainLock rl(r.mu);
    body = "  A thread waits for a lock that it holds itself: it would wait forever.\n\n";
    body += "  " + describe_thread_locked(t) + " waits for " + (mode == Mode::kShared ? "read access to " : "") +
            lock.describe() + ":\n";
    body += frame_text(where) + "\n";
    body += "  " + lock.describe() + " was acquired by the same thread" + (held_shared ? " for reading" : "") +
            " here:\n";
    body += frame_text(t.held[slot].site.load(std::memory_order_relaxed)) + "\n";
  }
  emit("deadlock", what, body, where);
}

// ---- LockInfo ----------------------------------------------------------------

LockInfo::LockInfo(LockKind kind, std::string_view name, std::source_location created)
    : id_(next_lock_id.fetch_add(1, std::memory_order_relaxed)), kind_(kind), name_(name), created_(created) {}

LockInfo::~LockInfo() {
  Invisible invisible;
  std::atomic_thread_fence(std::memory_order_seq_cst);
  if (describing_running_locks.load(std::memory_order_relaxed) != 0) {
    // A timeout report may be reading this lock's name: wait for its end.
    PlainLock wait_for_report(registry().mu);
  }
  if (!in_graph.load(std::memory_order_relaxed)) return;
  Graph& g = graph();
  PlainLock guard(g.mu);
  g.out.erase(id_);
  for (auto& [from, edges] : g.out) {
    edges.erase(std::remove_if(edges.begin(), edges.end(), [&](const Edge& e) { return e.to == id_; }), edges.end());
  }
}

std::string LockInfo::describe() const {
  std::string s = kind_ == LockKind::kMutex ? "Mutex M" : "RwLock M";
  s += std::to_string(id_);
  if (!name_.empty()) {
    s += " '" + name_ + "'";
  } else {
    std::string file = created_.file_name();
    auto slash = file.rfind('/');
    if (slash != std::string::npos) file = file.substr(slash + 1);
    s += " 'created at " + file + ":" + std::to_string(created_.line()) + "'";
  }
  return s;
}

}  // namespace detector
}  // namespace racelings
