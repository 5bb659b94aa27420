// checker/replay/wait_graph.h
// -----------------------------------------------------------------------------
//
// The drawing of a deadlock: who waits for what, and who holds it, when the
// failure happened (a wait-for graph), or in which orders the threads took
// their locks (a lock-order graph, for a lock-order inversion: the cycle of
// a deadlock that this schedule did not hit, but another would). Both come
// from the step log alone: the state after each step says what every thread
// holds and waits for.

#ifndef RACELINGS_CHECKER_REPLAY_WAIT_GRAPH_H_
#define RACELINGS_CHECKER_REPLAY_WAIT_GRAPH_H_

#include <optional>
#include <string>
#include <vector>

#include "checker/replay/timeline.h"
#include "checker/report/step_log.h"

namespace racelings::replay {

struct GraphNode {
  std::string id;     // "T1", or an object's full name
  std::string label;  // "T1 'teller-1'", "M2"
  bool thread = false;
  bool in_cycle = false;
};

struct GraphEdge {
  size_t from = 0, to = 0;  // node indices
  std::string label;        // "waits for", "held by", "then locks (T1 at exercise.cc:28)"
  bool in_cycle = false;
};

struct Graph {
  std::string title;  // "Wait-for graph when the deadlock was found"
  std::vector<GraphNode> nodes;
  std::vector<GraphEdge> edges;
  bool has_cycle = false;
  std::string cycle_text;  // the cycle in words, one sentence
};

// wait_graph(): for a deadlock (or any failure where threads are blocked):
// threads, what they wait for and who holds it, at the timeline's failure.
std::optional<Graph> wait_graph(const Timeline& timeline, const report::StepLog& log);

// lock_order_graph(): locks as nodes, an edge A -> B when a thread asked
// for B while holding A, up to the failure; the cycle, if there is one.
std::optional<Graph> lock_order_graph(const Timeline& timeline, const report::StepLog& log);

// deadlock_graph(): the drawing that fits the failure: the lock-order graph
// for a lock-order inversion, the wait-for graph for a deadlock; nullopt for
// other failures.
std::optional<Graph> deadlock_graph(const Timeline& timeline, const report::StepLog& log);

// graph_svg(): the graph as an inline SVG element, nodes on a circle, the
// cycle drawn in red.
std::string graph_svg(const Graph& graph);

}  // namespace racelings::replay

#endif  // RACELINGS_CHECKER_REPLAY_WAIT_GRAPH_H_
