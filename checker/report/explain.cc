// checker/report/explain.cc: explanations, terminal rendering and JSON.

#include "checker/report/explain.h"

#include <array>
#include <utility>

#include "checker/report/utf8.h"

namespace racelings::report {
namespace {

constexpr std::array<std::pair<Kind, std::string_view>, 17> kExplanations = {{
    {Kind::kDataRace,
     "Two threads touched the same memory at the same time, at least one of them writing, and "
     "nothing ordered the two accesses. That is a data race: the C++ memory model gives such a "
     "program no meaning at all, so it may read torn or stale values, lose updates, or work on "
     "your machine and fail on another. Make one access happen before the other: protect the "
     "data with a Mutex and touch it only through the guard, make it a std::atomic, or hand it "
     "to the other thread through a channel or join() instead of sharing it."},
    {Kind::kLockOrderInversion,
     "Two threads take the same locks in opposite orders: one holds A and waits for B, the "
     "other holds B and waits for A. This run may have got away with it, but when both happen "
     "at once neither can go on, and the program hangs for ever. Give the locks one global "
     "order and always take them in that order (for example by account number), take both at "
     "once with std::scoped_lock, or restructure so a thread never holds one lock while "
     "taking another."},
    {Kind::kDeadlock,
     "The program stopped making progress: each blocked thread waits for something only "
     "another blocked thread can provide (a lock it holds, a message it would send, the end "
     "of a thread it would join), or a thread waits for a lock it already holds itself. "
     "Nothing will ever wake them. Look at what each thread waits for and what it holds: "
     "release locks before blocking, drop the last Sender so a receiver sees the channel "
     "close, keep one lock order, and never re-lock a mutex you already hold."},
    {Kind::kLivelock,
     "The threads kept running but the program made no progress: under the controlled "
     "scheduler they only spun (read a flag, yielded) for a hundred thousand steps, each "
     "waiting for something no thread would ever do, or the test ran past its step bound. "
     "Unlike a deadlock nobody is blocked, so nothing reports it in a normal run: it just "
     "burns the CPU for ever. Look at what each spinning thread waits for and who should "
     "provide it; wait on a Condvar or a channel instead of spinning, and make sure the "
     "thread that would set the flag is not itself waiting for the spinner."},
    {Kind::kThreadLeak,
     "A thread was started and never joined or detached. Nobody waits for it, so its result "
     "and any exception it threw are lost, and it may still be running, touching memory that "
     "is being destroyed, when the program or its owner ends. Keep the JoinHandle and call "
     "join() before its owner goes away, or use a scope (thread::scope) that joins every "
     "thread it started when it ends."},
    {Kind::kMutexMisuse,
     "A mutex was used in a way its contract forbids: unlocked by a thread that does not hold "
     "it (or unlocked twice), destroyed while still locked, locked again while held, or used "
     "after it was destroyed. The behaviour is undefined and often shows up later as a hang or "
     "corrupted data. Let a guard do the locking (MutexGuard, std::lock_guard, "
     "std::unique_lock) so every lock has exactly one unlock on the same thread, and make sure "
     "a mutex outlives every thread that uses it."},
    {Kind::kHeapUseAfterFree,
     "The program used heap memory after it had been freed (deleted). The memory may already "
     "belong to another object, so reads see garbage and writes corrupt something else. Across "
     "threads this usually means one thread freed an object another was still using. Decide who "
     "owns the object and make it outlive its users: join the threads before destroying it, "
     "share it with std::shared_ptr (Arc), or pass ownership instead of a raw pointer."},
    {Kind::kStackUseAfterScope,
     "The program used a local variable after the block it was declared in had ended, through "
     "a pointer or reference that outlived it. The stack slot is reused for other variables, so "
     "the value is garbage. Often a lambda or thread captured a local by reference. Make the "
     "variable live as long as its users (declare it in the outer scope, or join the thread "
     "inside the scope), or capture it by value / move it in."},
    {Kind::kStackUseAfterReturn,
     "The program used a local variable of a function that had already returned, through a "
     "pointer or reference that escaped the function. That stack frame is gone and reused. A "
     "classic cause is a thread or callback given a reference to a local of the function that "
     "started it. Return or pass the value itself, move it into the thread, or make sure the "
     "function waits (join) for everything that uses its locals before it returns."},
    {Kind::kDoubleFree,
     "The same memory was freed twice. The allocator's bookkeeping is now corrupt, and the "
     "program may crash here or much later, or hand out the same memory twice. Usually two "
     "owners each think they must delete the object, or two threads run the same cleanup. Give "
     "every object exactly one owner (std::unique_ptr, or std::shared_ptr when ownership is "
     "shared) and never delete by hand."},
    {Kind::kLeak,
     "Memory was allocated and never freed: when the program ended no pointer to it was left. "
     "In a long-running program leaks add up until memory runs out. Let an owner free it: "
     "std::unique_ptr, std::vector or another RAII type instead of new/delete, and make sure "
     "every thread that owns something gets to release it (a detached thread killed at exit "
     "never does)."},
    {Kind::kSignalUnsafeCall,
     "A signal handler called a function that is not async-signal-safe (malloc, printf, "
     "locking a mutex, ...). A signal can interrupt the program in the middle of that same "
     "function, and calling it again from the handler can deadlock or corrupt its state. In "
     "the handler only set a volatile std::sig_atomic_t or lock-free std::atomic flag (or write "
     "to a pipe), and do the real work in normal code that checks the flag."},
    {Kind::kTestFailure,
     "A test's assertion failed: the program ran to the end, but computed something other than "
     "what the test expects. In concurrent code a wrong total or a missing element often means "
     "lost updates (a race on a counter), work that was never waited for (a missing join), or "
     "messages that were dropped. Read the expected and actual values, then look at how the "
     "threads share and hand over that data."},
    {Kind::kTimeout,
     "The test ran past its time limit without finishing. Either the threads are stuck (a "
     "deadlock the primitives could not prove, a busy loop waiting for a flag nobody sets, a "
     "condition variable waited on without a condition) or the work is far slower than it "
     "should be. Look at what each listed thread is doing, and check every wait has something "
     "that will end it."},
    {Kind::kCrash,
     "The program stopped abnormally (a signal such as a segmentation fault or an abort) before "
     "it could finish. Common causes in concurrent code are using memory another thread freed, "
     "an exception escaping a thread's function (std::terminate), destroying a std::thread "
     "that was never joined, or an out-of-bounds access. Run it under the sanitizers for a "
     "precise report, and look at the last line of your own code that ran."},
    {Kind::kBuildError,
     "The exercise does not compile or link, so nothing could be run. Read the first error: "
     "later ones are often consequences of it. A -Wthread-safety error means the compiler "
     "proved that data guarded by a mutex is touched without holding that mutex; an "
     "\"undefined reference\" means something is declared and used but never defined."},
    {Kind::kClean,
     "No problem was found: the program built, the tests passed, and no sanitizer or "
     "racelings check reported anything in this run. Concurrency bugs can hide in runs that "
     "happen to be lucky, so passing under stress (RACELINGS_STRESS) and under both sanitizers "
     "is what counts."},
}};

constexpr std::string_view kUndefinedBehaviour =
    "The program did something the C++ standard leaves undefined (here the sanitizer names it: "
    "a signed integer overflow, a null or misaligned pointer, a shift too far, ...). "
    "UndefinedBehaviorSanitizer stops the program there, which counts as a crash. The compiler "
    "may assume undefined behaviour never happens, so such code can break in surprising ways "
    "when optimised. Fix the operation itself: use a wider or unsigned type, check before "
    "dividing or shifting, or make sure the pointer is valid.";

constexpr std::string_view kThreadSafetyBuildError =
    "Clang's thread-safety analysis (-Wthread-safety) proved at compile time that a variable "
    "marked GUARDED_BY a mutex is read or written without holding that mutex, or that a lock "
    "is taken or released where it should not be. Take the lock around the access (a "
    "MutexGuard in scope), or reach the data only through the Mutex<T>'s guard, so the "
    "compiler can see that every access is protected.";

// The exercises' tests count the threads or tasks a solution starts
// (primitives/testing.h) and assert on `<counter>.spawned`.
constexpr std::string_view kConcurrencyRemoved =
    "The test counts the threads (or tasks) the exercise starts, and found fewer than the "
    "exercise needs: the work no longer runs concurrently. Taking the threads away makes a race "
    "disappear, but it is not the fix the exercise asks for. Keep the work on its threads and "
    "make the sharing safe instead: join before reading, a Mutex, an atomic or a channel, as "
    "the exercise's README describes.";

constexpr std::string_view kTerminate =
    "std::terminate ended the program: an exception escaped a thread's function (nothing "
    "catches exceptions for a std::thread), or a joinable std::thread was destroyed without "
    "join() or detach() (\"terminate called without an active exception\"). Catch exceptions "
    "inside the thread or use a JoinHandle whose join() hands them back, and join every thread "
    "before it goes out of scope.";

// ANSI styles, empty when colour is off.
struct Paint {
  bool on;
  std::string_view operator()(std::string_view code) const { return on ? code : ""; }
};
constexpr std::string_view kBold = "\x1b[1m";
constexpr std::string_view kRed = "\x1b[1;31m";
constexpr std::string_view kCyan = "\x1b[36m";
constexpr std::string_view kDim = "\x1b[2m";
constexpr std::string_view kReset = "\x1b[0m";

// Word-wraps `text` to `width` columns, each line starting with `indent`;
// the first line starts with `first` instead (same width).
std::string wrap(std::string_view text, std::string_view first, std::string_view indent, std::size_t width) {
  std::string out(first);
  std::size_t column = first.size();
  bool line_empty = true;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && text[i] == ' ') ++i;
    std::size_t end = i;
    while (end < text.size() && text[end] != ' ') ++end;
    if (end == i) break;
    const std::string_view word = text.substr(i, end - i);
    if (!line_empty && column + 1 + word.size() > width) {
      out += '\n';
      out += indent;
      column = indent.size();
      line_empty = true;
    }
    if (!line_empty) {
      out += ' ';
      ++column;
    }
    out += word;
    column += word.size();
    line_empty = false;
    i = end;
  }
  out += '\n';
  return out;
}

std::string thread_label(const ThreadInfo& t) {
  std::string out = t.id;
  if (!t.name.empty()) out += " '" + t.name + "'";
  if (!t.created_at.empty()) out += " (created at " + t.created_at + ")";
  return out;
}

bool is_creation_stack(const Stack& s) {
  return s.heading.rfind("Thread ", 0) == 0 && contains(s.heading, " created ");
}

}  // namespace

std::string_view explanation(Kind kind) {
  for (const auto& [k, text] : kExplanations) {
    if (k == kind) return text;
  }
  return kExplanations[13].second;  // crash
}

std::string_view explanation(const Finding& finding) {
  if (finding.kind == Kind::kCrash && finding.tool == "UndefinedBehaviorSanitizer") {
    return kUndefinedBehaviour;
  }
  if (finding.kind == Kind::kBuildError && contains(finding.title, "-Wthread-safety")) {
    return kThreadSafetyBuildError;
  }
  if (finding.kind == Kind::kCrash && contains(finding.title, "terminate called")) {
    return kTerminate;
  }
  if (finding.kind == Kind::kTestFailure) {
    for (const Stack& stack : finding.stacks) {
      if (contains(stack.heading, ".spawned)")) return kConcurrencyRemoved;
    }
  }
  return explanation(finding.kind);
}

namespace {

// The headline ("data race: title (seen 3 times)") and rustc's "-->" line.
void render_headline(const Finding& finding, const Paint& paint, std::string& out) {
  out += paint(kRed);
  out += kind_name(finding.kind);
  out += paint(kReset);
  if (!finding.title.empty()) {
    out += ": ";
    out += paint(kBold);
    out += finding.title;
    out += paint(kReset);
  }
  if (finding.count > 1) out += " (seen " + std::to_string(finding.count) + " times)";
  out += '\n';
  // Where it shows in the student's code, as rustc's "-->" line: editors'
  // problem matchers (.vscode/tasks.json) read the headline and this line.
  if (const std::optional<Frame> top = top_user_frame(finding); top && !top->file.empty()) {
    out += "  --> ";
    out += paint(kCyan);
    out += location(*top);
    out += paint(kReset);
    out += '\n';
  }
}

// The threads involved, then the finding's notes.
void render_threads_and_notes(const Finding& finding, const Paint& paint, std::string& out) {
  if (!finding.threads.empty()) {
    out += "  threads: ";
    for (std::size_t i = 0; i < finding.threads.size(); ++i) {
      if (i > 0) out += ", ";
      out += thread_label(finding.threads[i]);
    }
    out += '\n';
  }
  for (const std::string& note : finding.notes) {
    out += "  ";
    out += paint(kDim);
    out += note;
    out += paint(kReset);
    out += '\n';
  }
}

// A stack's heading, one bold line each, the first ending in ':' when alone.
void render_stack_heading(std::string_view heading, const Paint& paint, std::string& out) {
  bool first = true;
  while (!heading.empty()) {
    const std::size_t nl = heading.find('\n');
    const std::string_view line = heading.substr(0, nl);
    out += first ? "  " : "    ";
    out += paint(kBold);
    out += line;
    out += paint(kReset);
    if (first && nl == std::string_view::npos) out += ':';
    out += '\n';
    first = false;
    if (nl == std::string_view::npos) break;
    heading.remove_prefix(nl + 1);
  }
}

// A stack's frames, the runtime's and library's folded away (fold()).
void render_frames(const std::vector<Frame>& frames, const std::string& indent, const Paint& paint, std::string& out) {
  const Folded folded = fold(frames);
  for (std::size_t i = 0; i < folded.shown; ++i) {
    const Frame& frame = folded.frames[i];
    out += indent + "#" + std::to_string(frame.index);
    if (!frame.function.empty()) out += " " + frame.function;
    out += " ";
    out += paint(kCyan);
    out += location(frame);
    out += paint(kReset);
    out += '\n';
  }
  if (folded.hidden() > 0) {
    out += indent;
    out += paint(kDim);
    out += folded_label(folded.hidden());
    out += paint(kReset);
    out += '\n';
  }
}

}  // namespace

std::string render(const Finding& finding, const Style& style) {
  const Paint paint{style.colour};
  std::string out;
  render_headline(finding, paint, out);
  render_threads_and_notes(finding, paint, out);
  for (const Stack& stack : finding.stacks) {
    if (is_creation_stack(stack)) continue;
    std::string indent = "  ";
    if (!stack.heading.empty() && stack.heading != finding.title) {
      render_stack_heading(stack.heading, paint, out);
      indent = "    ";
    }
    render_frames(stack.frames, indent, paint, out);
  }
  if (style.show_explanation) {
    out += wrap(explanation(finding), "  What this means: ", "  ", style.width);
  }
  return out;
}

std::string render_all(const std::vector<Finding>& findings, const Style& style) {
  if (findings.empty()) {
    Finding clean;
    clean.kind = Kind::kClean;
    return render(clean, style);
  }
  std::string out;
  for (std::size_t i = 0; i < findings.size(); ++i) {
    if (i > 0) out += '\n';
    out += render(findings[i], style);
  }
  return out;
}

nlohmann::json to_json(const Frame& frame) {
  return nlohmann::json{
      {"index", frame.index},
      {"function", valid_utf8(frame.function)},
      {"file", valid_utf8(frame.file)},
      {"line", frame.line},
      {"column", frame.column},
      {"module", valid_utf8(frame.module)},
      {"category", std::string(category_name(classify_frame(frame)))},
  };
}

nlohmann::json to_json(const Finding& finding) {
  nlohmann::json threads = nlohmann::json::array();
  for (const ThreadInfo& t : finding.threads) {
    threads.push_back(
        {{"id", valid_utf8(t.id)}, {"name", valid_utf8(t.name)}, {"created_at", valid_utf8(t.created_at)}});
  }
  nlohmann::json stacks = nlohmann::json::array();
  for (const Stack& s : finding.stacks) {
    nlohmann::json frames = nlohmann::json::array();
    for (const Frame& f : s.frames) frames.push_back(to_json(f));
    const Folded folded = fold(s.frames);
    stacks.push_back(
        {{"heading", valid_utf8(s.heading)}, {"frames", std::move(frames)}, {"library_frames", folded.hidden()}});
  }
  nlohmann::json notes = nlohmann::json::array();
  for (const std::string& n : finding.notes) notes.push_back(valid_utf8(n));
  const std::optional<Frame> top = top_user_frame(finding);
  return nlohmann::json{
      {"kind", std::string(kind_name(finding.kind))},
      {"tool", valid_utf8(finding.tool)},
      {"title", valid_utf8(finding.title)},
      {"summary", valid_utf8(finding.summary)},
      {"count", finding.count},
      {"threads", std::move(threads)},
      {"stacks", std::move(stacks)},
      {"notes", std::move(notes)},
      {"top_frame", top ? to_json(*top) : nlohmann::json(nullptr)},
      {"explanation", std::string(explanation(finding))},
      {"raw", valid_utf8(finding.raw)},
  };
}

nlohmann::json to_json(const std::vector<Finding>& findings) {
  nlohmann::json out = nlohmann::json::array();
  for (const Finding& f : findings) out.push_back(to_json(f));
  return out;
}

}  // namespace racelings::report
