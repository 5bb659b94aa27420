// checker/replay/wait_graph.cc: deadlocks as graphs, and their drawing.

#include "checker/replay/wait_graph.h"

#include <cmath>
#include <cstdio>
#include <functional>
#include <map>
#include <regex>
#include <set>

#include "checker/replay/escape.h"
#include "checker/replay/timeline_text.h"

namespace racelings::replay {
namespace {

using report::Step;
using report::StepState;

constexpr size_t kMaxNodes = 24;

bool lock_like(const std::string& op) {
  return op == "lock" || op == "try_lock" || op == "read_lock" || op == "write_lock";
}

const report::StepThreadState* find_thread(const StepState& state, const std::string& id) {
  for (const auto& t : state.threads) {
    if (t.thread == id) return &t;
  }
  return nullptr;
}

struct Builder {
  Graph g;
  std::map<std::string, size_t> index;
  std::set<std::pair<size_t, size_t>> seen;

  size_t node(const std::string& id, const std::string& label, bool thread) {
    auto it = index.find(id);
    if (it != index.end()) return it->second;
    g.nodes.push_back({id, label, thread, false});
    return index[id] = g.nodes.size() - 1;
  }
  void edge(size_t from, size_t to, const std::string& label) {
    if (seen.insert({from, to}).second) g.edges.push_back({from, to, label, false});
  }
};

// Marks one cycle of the graph (the first a depth-first search meets).
bool mark_cycle(Graph& g) {
  std::vector<std::vector<size_t>> out(g.nodes.size());
  for (size_t e = 0; e < g.edges.size(); ++e) out[g.edges[e].from].push_back(e);
  std::vector<int> colour(g.nodes.size(), 0);  // 0 new, 1 on the path, 2 done
  std::vector<size_t> path_edges;
  std::function<bool(size_t)> visit = [&](size_t n) {
    colour[n] = 1;
    for (size_t e : out[n]) {
      size_t to = g.edges[e].to;
      path_edges.push_back(e);
      if (colour[to] == 1) {
        // The cycle: the path's edges from the one leaving `to`.
        size_t start = path_edges.size() - 1;
        while (start > 0 && g.edges[path_edges[start]].from != to) --start;
        for (size_t i = start; i < path_edges.size(); ++i) {
          g.edges[path_edges[i]].in_cycle = true;
          g.nodes[g.edges[path_edges[i]].from].in_cycle = true;
        }
        return true;
      }
      if (colour[to] == 0 && visit(to)) return true;
      path_edges.pop_back();
    }
    colour[n] = 2;
    return false;
  };
  for (size_t n = 0; n < g.nodes.size(); ++n) {
    if (colour[n] == 0 && visit(n)) return true;
  }
  return false;
}

// The cycle's edges in order, from a thread when there is one.
std::vector<const GraphEdge*> cycle_in_order(const Graph& g) {
  size_t start = g.nodes.size();
  for (size_t n = 0; n < g.nodes.size(); ++n) {
    if (g.nodes[n].in_cycle && (start == g.nodes.size() || (g.nodes[n].thread && !g.nodes[start].thread))) start = n;
  }
  std::vector<const GraphEdge*> out;
  if (start == g.nodes.size()) return out;
  size_t at = start;
  while (out.size() < g.edges.size()) {
    const GraphEdge* next = nullptr;
    for (const auto& e : g.edges) {
      if (e.in_cycle && e.from == at) next = &e;
    }
    if (next == nullptr) break;
    out.push_back(next);
    at = next->to;
    if (at == start) break;
  }
  return out;
}

// "T1 'a' waits for M2, held by T2 'b', which waits for M1, held by T1 'a'".
std::string wait_cycle_words(const Graph& g) {
  std::vector<const GraphEdge*> cycle = cycle_in_order(g);
  if (cycle.empty()) return {};
  std::string out = g.nodes[cycle.front()->from].label;
  for (size_t i = 0; i < cycle.size(); ++i) {
    if (i > 0) out += g.nodes[cycle[i]->from].thread ? ", which" : ",";
    out += " " + cycle[i]->label + " " + g.nodes[cycle[i]->to].label;
  }
  return out;
}

}  // namespace

std::optional<Graph> wait_graph(const Timeline& t, const report::StepLog& log) {
  if (!t.failure_row) return std::nullopt;
  const Step& at = log.steps[t.rows[*t.failure_row].step];
  const StepState& state = at.state;
  std::set<std::string> objects;
  if (!at.object.empty()) objects.insert(at.object);
  for (const auto& th : state.threads) objects.insert(th.holds.begin(), th.holds.end());
  for (const auto& [object, what] : state.objects) objects.insert(object);
  static const std::regex joined(R"(thread (T\d+))");
  Builder b;
  for (const auto& th : state.threads) {
    if (b.g.nodes.size() >= kMaxNodes) break;
    std::string target;
    bool thread_target = false;
    if (th.thread == at.thread && lock_like(at.op) && !at.object.empty()) {
      target = at.object;  // its last step asks for this lock
    } else if (!th.waits.empty()) {
      std::smatch m;
      if (std::regex_search(th.waits, m, joined)) {
        target = m[1].str();
        thread_target = true;
      } else {
        for (const auto& o : objects) {
          if (th.waits.find(o) != std::string::npos && o.size() > target.size()) target = o;
        }
      }
      if (target.empty()) target = "?" + th.waits;
    } else {
      continue;
    }
    size_t from = b.node(th.thread, column_label(t, th.thread), true);
    size_t to = thread_target      ? b.node(target, column_label(t, target), true)
                : target[0] == '?' ? b.node(target, fit(target.substr(1), 48), false)
                                   : b.node(target, short_name(t, target), false);
    b.edge(from, to, thread_target ? "waits for the end of" : "waits for");
    if (thread_target || target[0] == '?') continue;
    for (const auto& holder : state.threads) {
      for (const auto& h : holder.holds) {
        if (h == target) b.edge(to, b.node(holder.thread, column_label(t, holder.thread), true), "held by");
      }
    }
  }
  if (b.g.edges.empty()) return std::nullopt;
  b.g.has_cycle = mark_cycle(b.g);
  b.g.title = b.g.has_cycle ? "The wait-for cycle when the deadlock was found"
                            : "Who waits for what when it stopped (no thread can go on)";
  if (b.g.has_cycle) b.g.cycle_text = wait_cycle_words(b.g);
  return b.g;
}

std::optional<Graph> lock_order_graph(const Timeline& t, const report::StepLog& log) {
  size_t end = t.failure_row ? t.rows[*t.failure_row].step : log.steps.size();
  Builder b;
  for (size_t i = 1; i <= end && i < log.steps.size(); ++i) {
    const Step& s = log.steps[i];
    if (!lock_like(s.op) || s.object.empty()) continue;
    const report::StepThreadState* before = find_thread(log.steps[i - 1].state, s.thread);
    if (before == nullptr) continue;
    for (const auto& held : before->holds) {
      if (held == s.object || b.g.nodes.size() + 2 > kMaxNodes) continue;
      size_t from = b.node(held, short_name(t, held), false);
      size_t to = b.node(s.object, short_name(t, s.object), false);
      b.edge(from, to, column_label(t, s.thread) + ", " + short_location(parse_location(s.at)));
    }
  }
  if (b.g.edges.empty()) return std::nullopt;
  b.g.has_cycle = mark_cycle(b.g);
  b.g.title = b.g.has_cycle ? "The lock-order cycle: each thread may hold one lock and wait for the next"
                            : "The order in which locks were taken";
  if (b.g.has_cycle) {
    // "T1 'a' takes M2 while holding M1 (exercise.cc:28); T2 'b' takes M1 while holding M2 (...)"
    for (const GraphEdge* e : cycle_in_order(b.g)) {
      std::string who = e->label.substr(0, e->label.rfind(", "));
      std::string where = e->label.substr(e->label.rfind(", ") + 2);
      b.g.cycle_text += (b.g.cycle_text.empty() ? "" : "; ") + who + " takes " + b.g.nodes[e->to].label +
                        " while holding " + b.g.nodes[e->from].label + " (" + where + ")";
    }
    b.g.cycle_text += ": run at the same time, each can hold one lock and wait for the other forever";
  }
  return b.g;
}

std::optional<Graph> deadlock_graph(const Timeline& t, const report::StepLog& log) {
  if (!t.failure) return std::nullopt;
  if (t.failure->kind == "lock-order inversion") return lock_order_graph(t, log);
  if (t.failure->kind == "deadlock" || t.ending == "deadlock") return wait_graph(t, log);
  return std::nullopt;
}

// ---- Drawing -------------------------------------------------------------------------------

std::string graph_svg(const Graph& g) {
  const size_t n = g.nodes.size();
  const double radius = n <= 1 ? 0 : std::max(110.0, 38.0 * static_cast<double>(n));
  const double width = 2 * radius + 360, height = 2 * radius + 140;
  const double cx = width / 2, cy = height / 2;
  std::vector<std::pair<double, double>> at(n);
  for (size_t i = 0; i < n; ++i) {
    double angle = -M_PI / 2 + 2 * M_PI * static_cast<double>(i) / static_cast<double>(std::max<size_t>(n, 1));
    at[i] = {cx + radius * std::cos(angle), cy + radius * std::sin(angle)};
  }
  char buf[512];
  std::string out;
  std::snprintf(buf, sizeof(buf),
                "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"graph\" viewBox=\"0 0 %.0f %.0f\" width=\"%.0f\" "
                "height=\"%.0f\" role=\"img\" aria-label=\"%s\">",
                width, height, width, height, escape(g.title).c_str());
  out += buf;
  out +=
      "<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"8\" markerHeight=\"8\" "
      "orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#555\"/></marker>"
      "<marker id=\"arrow-cycle\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"8\" markerHeight=\"8\" "
      "orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#c62828\"/></marker></defs>";
  constexpr double kNodeRadius = 34;  // how far from a node's centre an arrow stops
  for (const auto& e : g.edges) {
    const char* stroke = e.in_cycle ? "#c62828" : "#777";
    const char* marker = e.in_cycle ? "arrow-cycle" : "arrow";
    double width_px = e.in_cycle ? 2.5 : 1.4;
    auto [x1, y1] = at[e.from];
    auto [x2, y2] = at[e.to];
    double lx, ly;
    if (e.from == e.to) {
      std::snprintf(buf, sizeof(buf),
                    "<path class=\"edge%s\" d=\"M%.1f,%.1f C%.1f,%.1f %.1f,%.1f %.1f,%.1f\" fill=\"none\" "
                    "stroke=\"%s\" stroke-width=\"%.1f\" marker-end=\"url(#%s)\"/>",
                    e.in_cycle ? " cycle" : "", x1 - 20, y1 - 14, x1 - 60, y1 - 90, x1 + 60, y1 - 90, x1 + 20, y1 - 14,
                    stroke, width_px, marker);
      lx = x1;
      ly = y1 - 80;
    } else {
      double dx = x2 - x1, dy = y2 - y1, len = std::max(1.0, std::hypot(dx, dy));
      double ux = dx / len, uy = dy / len;
      std::snprintf(buf, sizeof(buf),
                    "<line class=\"edge%s\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                    "stroke-width=\"%.1f\" marker-end=\"url(#%s)\"/>",
                    e.in_cycle ? " cycle" : "", x1 + ux * kNodeRadius, y1 + uy * kNodeRadius, x2 - ux * kNodeRadius,
                    y2 - uy * kNodeRadius, stroke, width_px, marker);
      lx = (x1 + x2) / 2 - uy * 12;
      ly = (y1 + y2) / 2 + ux * 12;
    }
    out += buf;
    std::snprintf(buf, sizeof(buf), "<text class=\"edge-label\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">", lx, ly);
    out += buf + escape(e.label) + "</text>";
  }
  for (size_t i = 0; i < n; ++i) {
    const GraphNode& node = g.nodes[i];
    auto [x, y] = at[i];
    double w = 16 + 7.2 * static_cast<double>(node.label.size());
    const char* fill = node.thread ? "#e3ecfa" : "#fff3dc";
    const char* stroke = node.in_cycle ? "#c62828" : "#8a8a8a";
    if (node.thread) {
      std::snprintf(buf, sizeof(buf),
                    "<rect class=\"node thread\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"30\" rx=\"8\" "
                    "fill=\"%s\" stroke=\"%s\" stroke-width=\"%s\"/>",
                    x - w / 2, y - 15, w, fill, stroke, node.in_cycle ? "2.5" : "1.2");
    } else {
      std::snprintf(buf, sizeof(buf),
                    "<ellipse class=\"node object\" cx=\"%.1f\" cy=\"%.1f\" rx=\"%.1f\" ry=\"17\" fill=\"%s\" "
                    "stroke=\"%s\" stroke-width=\"%s\"/>",
                    x, y, w / 2 + 4, fill, stroke, node.in_cycle ? "2.5" : "1.2");
    }
    out += buf;
    std::snprintf(buf, sizeof(buf), "<text class=\"node-label\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">", x,
                  y + 5);
    out += buf + escape(node.label) + "</text>";
  }
  return out + "</svg>";
}

}  // namespace racelings::replay
