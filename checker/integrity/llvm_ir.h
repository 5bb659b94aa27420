// checker/integrity/llvm_ir.h
// -----------------------------------------------------------------------------
//
// What the integrity check needs from a textual LLVM IR module (`.ll`): the
// functions and globals it defines or uses, with their attributes, and where
// in the source each is defined or first used (from the debug information
// that `-g` puts in). The module is the front end's output before any LLVM
// pass (`-Xclang -disable-llvm-passes`): every function the file defines is
// there, inline functions from headers included, and every call the source
// makes, before any is inlined away.
//
// Only the few line shapes below are read; the rest of the module is skipped:
//
//   define <...> @name(<params>) <...> #<group> <...> !dbg !<id> {
//   declare <...> @name(<params>) <...>
//   @name = <...> global|constant <...>, no_sanitize_address, <...> !dbg !<id>
//   attributes #<group> = { <attribute> ... }
//   !<id> = [distinct] !DISubprogram|DIFile|DILocation|...(<field>: <value>, ...)

#ifndef RACELINGS_CHECKER_INTEGRITY_LLVM_IR_H_
#define RACELINGS_CHECKER_INTEGRITY_LLVM_IR_H_

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace racelings::checker {

struct IrLocation {
  std::string file;  // as the compiler named it (relative for the project's files)
  int line = 0;
};

struct IrSymbol {
  std::string name;                  // the symbol name, unescaped
  bool defined = false;              // a definition, not a declaration
  bool function = false;
  std::set<std::string> attributes;  // function: its attribute group; global: its own keywords
  std::optional<IrLocation> location;  // where it is defined, when the debug information says
};

class IrModule {
 public:
  static IrModule parse(std::string_view text);

  const std::vector<IrSymbol>& symbols() const { return symbols_; }
  // Where `name` is first used in a function body (a call, or taking its
  // address), when the debug information says.
  std::optional<IrLocation> first_use(const std::string& name) const;

 private:
  struct Debug {
    std::string kind;  // "DISubprogram", "DIFile", ...
    int line = 0;
    int file = -1;
    int scope = -1;
    int var = -1;
    std::string filename;
  };
  std::optional<IrLocation> resolve(int id) const;
  // A metadata line `!N = !DI...(...)` of a kind that locations need.
  bool parse_debug_line(std::string_view line);

  std::vector<IrSymbol> symbols_;
  std::map<std::string, int> first_use_;  // name -> !dbg id of its first use
  std::map<int, Debug> debug_;
};

}  // namespace racelings::checker

#endif  // RACELINGS_CHECKER_INTEGRITY_LLVM_IR_H_
