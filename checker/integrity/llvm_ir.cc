#include "checker/integrity/llvm_ir.h"

#include <cctype>
#include <charconv>

namespace racelings::checker {
namespace {

bool name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '$' || c == '-';
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The name after '@' at `at` (plain, or quoted with \XX escapes); `end` is
// set past it. Empty when there is none.
std::string symbol_name(std::string_view line, size_t at, size_t& end) {
  std::string name;
  size_t i = at + 1;
  if (i < line.size() && line[i] == '"') {
    for (++i; i < line.size() && line[i] != '"'; ++i) {
      if (line[i] == '\\' && i + 2 < line.size() && hex_value(line[i + 1]) >= 0 && hex_value(line[i + 2]) >= 0) {
        name += static_cast<char>(hex_value(line[i + 1]) * 16 + hex_value(line[i + 2]));
        i += 2;
      } else {
        name += line[i];
      }
    }
    end = i + 1;
    // "\01" marks a name given by an assembler label: the symbol is the rest.
    if (!name.empty() && name.front() == '\x01') name.erase(0, 1);
    return name;
  }
  for (; i < line.size() && name_char(line[i]); ++i) name += line[i];
  end = i;
  return name;
}

// The line with every quoted string ("...", c"...") blanked out.
std::string without_strings(std::string_view line) {
  std::string out(line);
  bool quoted = false;
  for (char& c : out) {
    if (c == '"') {
      quoted = !quoted;
      c = ' ';
    } else if (quoted) {
      c = ' ';
    }
  }
  return out;
}

// The number after `key` ("!dbg !", "line: ", ...) in `text`, or -1.
int number_after(std::string_view text, std::string_view key) {
  size_t at = text.find(key);
  if (at == std::string_view::npos) return -1;
  int value = -1;
  const char* begin = text.data() + at + key.size();
  auto [ptr, ec] = std::from_chars(begin, text.data() + text.size(), value);
  return ec == std::errc() && ptr != begin ? value : -1;
}

std::vector<std::string> words(std::string_view text) {
  std::vector<std::string> out;
  std::string word;
  for (char c : text) {
    if (std::isspace(static_cast<unsigned char>(c)) || c == ',' || c == '{' || c == '}') {
      if (!word.empty()) out.push_back(std::move(word));
      word.clear();
    } else {
      word += c;
    }
  }
  if (!word.empty()) out.push_back(std::move(word));
  return out;
}

// The index just past the parenthesis that closes the one at `open`.
size_t past_closing_paren(std::string_view line, size_t open) {
  int depth = 0;
  for (size_t i = open; i < line.size(); ++i) {
    if (line[i] == '(') ++depth;
    if (line[i] == ')' && --depth == 0) return i + 1;
  }
  return line.size();
}

}  // namespace

IrModule IrModule::parse(std::string_view text) {
  IrModule module;
  std::map<int, std::set<std::string>> groups;
  std::vector<std::pair<size_t, int>> function_groups;  // symbol index, attribute group
  std::map<size_t, int> definition_debug;               // symbol index, !dbg id
  bool in_body = false;
  std::vector<std::string> pending;  // names used by an instruction whose !dbg is still to come
  for (size_t start = 0; start < text.size();) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    if (in_body) {
      if (line == "}") {
        in_body = false;
        continue;
      }
      // Every @name a body mentions, with the debug location of its
      // instruction (an invoke's `!dbg` is on its second line, "to label").
      for (size_t at = line.find('@'); at != std::string_view::npos; at = line.find('@', at + 1)) {
        size_t after = 0;
        std::string name = symbol_name(line, at, after);
        if (!name.empty()) pending.push_back(std::move(name));
      }
      int debug = number_after(line, "!dbg !");
      std::string_view next = start < text.size() ? text.substr(start, text.find('\n', start) - start) : "";
      bool continued = next.find("to label") != std::string_view::npos;
      if (debug >= 0 || !continued) {
        for (std::string& name : pending) {
          if (debug >= 0) module.first_use_.emplace(std::move(name), debug);
        }
        pending.clear();
      }
      continue;
    }
    bool define = line.rfind("define ", 0) == 0;
    if (define || line.rfind("declare ", 0) == 0) {
      size_t at = line.find('@');
      if (at == std::string_view::npos) continue;
      size_t after = 0;
      IrSymbol symbol;
      symbol.name = symbol_name(line, at, after);
      symbol.defined = define;
      symbol.function = true;
      std::string_view rest = line.substr(std::min(line.size(), past_closing_paren(line, after)));
      int group = number_after(rest, "#");
      if (group >= 0) function_groups.push_back({module.symbols_.size(), group});
      if (int debug = number_after(rest, "!dbg !"); define && debug >= 0) {
        definition_debug[module.symbols_.size()] = debug;
      }
      module.symbols_.push_back(std::move(symbol));
      in_body = define && !line.empty() && line.back() == '{';
    } else if (line.rfind("@", 0) == 0 && line.find(" = ") != std::string_view::npos) {
      size_t after = 0;
      IrSymbol symbol;
      symbol.name = symbol_name(line, 0, after);
      std::string plain = without_strings(line.substr(after));
      for (std::string& w : words(plain)) symbol.attributes.insert(std::move(w));
      symbol.defined = symbol.attributes.count("external") == 0 && symbol.attributes.count("extern_weak") == 0;
      if (int debug = number_after(plain, "!dbg !"); debug >= 0) definition_debug[module.symbols_.size()] = debug;
      module.symbols_.push_back(std::move(symbol));
    } else if (line.rfind("attributes #", 0) == 0) {
      int group = number_after(line, "#");
      size_t open = line.find('{');
      if (group < 0 || open == std::string_view::npos) continue;
      for (std::string& w : words(line.substr(open))) groups[group].insert(std::move(w));
    } else if (line.rfind("!", 0) == 0 && line.find(" = ") != std::string_view::npos) {
      module.parse_debug_line(line);
    }
  }
  for (const auto& [index, group] : function_groups) module.symbols_[index].attributes = groups[group];
  for (const auto& [index, debug] : definition_debug) module.symbols_[index].location = module.resolve(debug);
  return module;
}

bool IrModule::parse_debug_line(std::string_view line) {
  int id = number_after(line, "!");
  size_t kind_at = line.find("!DI");
  if (id < 0 || kind_at == std::string_view::npos) return false;
  size_t paren = line.find('(', kind_at);
  if (paren == std::string_view::npos) return false;
  Debug d;
  d.kind = std::string(line.substr(kind_at + 1, paren - kind_at - 1));
  if (d.kind != "DISubprogram" && d.kind != "DIFile" && d.kind != "DILocation" && d.kind != "DILexicalBlock" &&
      d.kind != "DILexicalBlockFile" && d.kind != "DIGlobalVariableExpression" && d.kind != "DIGlobalVariable") {
    return false;
  }
  std::string_view fields = line.substr(paren);
  d.line = std::max(number_after(fields, "(line: "), number_after(fields, ", line: "));
  d.file = number_after(fields, "file: !");
  d.scope = number_after(fields, "scope: !");
  d.var = number_after(fields, "var: !");
  if (size_t f = fields.find("filename: \""); f != std::string_view::npos) {
    size_t close = fields.find('"', f + 11);
    d.filename = std::string(fields.substr(f + 11, close == std::string_view::npos ? 0 : close - f - 11));
  }
  debug_[id] = std::move(d);
  return true;
}

std::optional<IrLocation> IrModule::resolve(int id) const {
  // Follow scopes (and a global's expression to its variable) to a file.
  std::optional<int> line;
  for (int hops = 0; hops < 64 && id >= 0; ++hops) {
    auto it = debug_.find(id);
    if (it == debug_.end()) return std::nullopt;
    const Debug& d = it->second;
    if (d.kind == "DIGlobalVariableExpression") {
      id = d.var;
      continue;
    }
    if (!line && d.line > 0) line = d.line;
    if (d.kind == "DIFile") return IrLocation{d.filename, line.value_or(0)};
    id = d.file >= 0 ? d.file : d.scope;
  }
  return std::nullopt;
}

std::optional<IrLocation> IrModule::first_use(const std::string& name) const {
  auto it = first_use_.find(name);
  if (it == first_use_.end()) return std::nullopt;
  return resolve(it->second);
}

}  // namespace racelings::checker
