#include "checker/catalog.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

namespace racelings::checker {
namespace {

using nlohmann::json;

std::string require_string(const json& entry, const char* field, const std::string& where) {
  auto it = entry.find(field);
  if (it == entry.end() || !it->is_string() || it->get<std::string>().empty()) {
    throw CatalogError(where + ": field \"" + field + "\" is missing or not a non-empty string");
  }
  return it->get<std::string>();
}

bool valid_name(const std::string& name) {
  if (name.size() < 4 || !std::isdigit(static_cast<unsigned char>(name[0])) ||
      !std::isdigit(static_cast<unsigned char>(name[1])) || name[2] != '_') {
    return false;
  }
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '_';
  });
}

}  // namespace

std::string_view sanitizer_title(std::string_view sanitizer) {
  if (sanitizer == "tsan") return "ThreadSanitizer";
  if (sanitizer == "asan") return "AddressSanitizer";
  if (sanitizer == "ubsan") return "UndefinedBehaviorSanitizer";
  return "no sanitizer";
}

Catalog Catalog::load(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw CatalogError(path + ": cannot read the exercise catalog (is this a racelings checkout?)");
  std::stringstream text;
  text << in.rdbuf();
  return parse(text.str(), path);
}

Catalog Catalog::parse(std::string_view json_text, const std::string& origin) {
  json doc;
  try {
    doc = json::parse(json_text);
  } catch (const json::parse_error& e) {
    throw CatalogError(origin + ": not valid JSON: " + e.what());
  }
  if (!doc.is_object()) throw CatalogError(origin + ": the catalog must be a JSON object");
  Catalog catalog;
  std::map<std::string, std::string> chapter_titles;
  if (auto it = doc.find("chapters"); it != doc.end()) {
    if (!it->is_array()) throw CatalogError(origin + ": \"chapters\" must be a list");
    for (const json& c : *it) {
      std::string where = origin + ": a chapter";
      Chapter chapter{require_string(c, "id", where), require_string(c, "title", where)};
      chapter_titles[chapter.id] = chapter.title;
      catalog.chapters_.push_back(std::move(chapter));
    }
  }
  auto list = doc.find("exercises");
  if (list == doc.end() || !list->is_array()) throw CatalogError(origin + ": \"exercises\" must be a list");
  std::set<std::string> numbers;
  for (const json& entry : *list) {
    if (!entry.is_object()) throw CatalogError(origin + ": every exercise must be an object");
    Exercise ex;
    ex.name = require_string(entry, "name", origin + ": an exercise");
    std::string where = origin + ": exercise " + ex.name;
    if (!valid_name(ex.name)) {
      throw CatalogError(where + ": the name must be NN_topic (two digits, underscore, lowercase words)");
    }
    ex.number = ex.name.substr(0, 2);
    ex.topic = ex.name.substr(3);
    std::replace(ex.topic.begin(), ex.topic.end(), '_', ' ');
    if (!numbers.insert(ex.number).second) throw CatalogError(where + ": another exercise has number " + ex.number);
    ex.chapter = require_string(entry, "chapter", where);
    if (!chapter_titles.empty() && chapter_titles.count(ex.chapter) == 0) {
      throw CatalogError(where + ": chapter \"" + ex.chapter + "\" is not in the \"chapters\" list");
    }
    ex.chapter_title = chapter_titles.count(ex.chapter) ? chapter_titles[ex.chapter] : ex.chapter;
    ex.sanitizer = require_string(entry, "sanitizer", where);
    if (ex.sanitizer != "tsan" && ex.sanitizer != "asan" && ex.sanitizer != "ubsan" && ex.sanitizer != "none") {
      throw CatalogError(where + ": sanitizer must be \"tsan\", \"asan\", \"ubsan\" or \"none\", not \"" +
                         ex.sanitizer + "\"");
    }
    std::string expect = require_string(entry, "expect", where);
    auto kind = report::parse_kind(expect);
    if (!kind || *kind == report::Kind::kClean) {
      throw CatalogError(where + ": expect \"" + expect + "\" is not a finding kind (see DESIGN.md \"Findings\")");
    }
    ex.expect = *kind;
    ex.task = require_string(entry, "task", where);
    ex.rust = entry.value("rust", "");
    if (auto hints = entry.find("hints"); hints != entry.end()) {
      if (!hints->is_array()) throw CatalogError(where + ": \"hints\" must be a list of strings");
      for (const json& h : *hints) {
        if (!h.is_string()) throw CatalogError(where + ": every hint must be a string");
        ex.hints.push_back(h.get<std::string>());
      }
    }
    if (ex.hints.empty()) throw CatalogError(where + ": give at least one hint");
    if (auto env = entry.find("env"); env != entry.end()) {
      if (!env->is_object()) throw CatalogError(where + ": \"env\" must be an object of strings");
      for (auto& [key, value] : env->items()) {
        if (!value.is_string()) throw CatalogError(where + ": env " + key + " must be a string");
        ex.env[key] = value.get<std::string>();
      }
    }
    if (auto t = entry.find("timeout_s"); t != entry.end()) {
      if (!t->is_number_integer() || t->get<int>() <= 0) {
        throw CatalogError(where + ": timeout_s must be a positive whole number of seconds");
      }
      ex.timeout_s = t->get<int>();
    }
    catalog.exercises_.push_back(std::move(ex));
  }
  std::sort(catalog.exercises_.begin(), catalog.exercises_.end(),
            [](const Exercise& a, const Exercise& b) { return a.name < b.name; });
  return catalog;
}

const Exercise* Catalog::find(std::string_view query) const {
  if (query.find('/') != std::string_view::npos) {
    // The folder right below exercises/ or solutions/.
    for (std::string_view top : {"exercises/", "solutions/"}) {
      for (std::size_t at = query.find(top); at != std::string_view::npos; at = query.find(top, at + 1)) {
        if (at != 0 && query[at - 1] != '/') continue;
        std::string_view rest = query.substr(at + top.size());
        std::string name(rest.substr(0, rest.find('/')));
        for (const Exercise& ex : exercises_) {
          if (ex.name == name) return &ex;
        }
      }
    }
    return nullptr;
  }
  std::string q(query);
  for (const Exercise& ex : exercises_) {
    if (ex.name == q || ex.name.substr(3) == q) return &ex;
  }
  if (!q.empty() &&
      std::all_of(q.begin(), q.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
    int n = std::stoi(q.size() > 6 ? q.substr(0, 6) : q);
    for (const Exercise& ex : exercises_) {
      if (std::stoi(ex.number) == n) return &ex;
    }
  }
  return nullptr;
}

std::string Catalog::unknown_message(std::string_view query) const {
  std::string msg = "no exercise \"" + std::string(query) + "\".";
  if (query.find('/') != std::string_view::npos && !exercises_.empty()) {
    return msg + " A file names its exercise when it is in the exercise's folder, such as exercises/" +
           exercises_.front().name + "/exercise.cc.";
  }
  std::vector<std::string> near;
  for (const Exercise& ex : exercises_) {
    if (ex.name.find(query) != std::string::npos) near.push_back(ex.name);
  }
  if (!near.empty()) {
    msg += " Did you mean:";
    for (const auto& n : near) msg += " " + n;
    msg += "?";
  } else if (!exercises_.empty()) {
    msg += " Exercises go from " + exercises_.front().number + " to " + exercises_.back().number +
           "; `./racelings list` shows them all.";
  }
  return msg;
}

}  // namespace racelings::checker
