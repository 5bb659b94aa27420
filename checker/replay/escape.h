// checker/replay/escape.h: text made safe for HTML and SVG.

#ifndef RACELINGS_CHECKER_REPLAY_ESCAPE_H_
#define RACELINGS_CHECKER_REPLAY_ESCAPE_H_

#include <string>
#include <string_view>

namespace racelings::replay {

// Escapes text for element content and quoted attribute values.
inline std::string escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace racelings::replay

#endif  // RACELINGS_CHECKER_REPLAY_ESCAPE_H_
