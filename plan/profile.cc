#include "plan/profile.h"

#include <cmath>
#include <fstream>
#include <sstream>
#include <nlohmann/json.hpp>

#include "base/json_depth.h"
#include "base/strings.h"

namespace credmatch::engine {
namespace {
using nlohmann::json;

class Reader {
 public:
  explicit Reader(std::string_view source) : source_(source) {}
  Status bad(const std::string& field, const std::string& reason) const {
    return Status::invalid_argument(std::string(source_) + ": " + (field.empty() ? "" : field + ": ") +
                                    reason);
  }
  Status strings(const json& obj, const char* key, std::vector<std::string>* out) const {
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) return Status::ok();
    if (!it->is_array()) return bad(key, "must be an array of strings");
    for (size_t i = 0; i < it->size(); ++i) {
      const json& e = (*it)[i];
      const std::string field = std::string(key) + "[" + std::to_string(i) + "]";
      if (!e.is_string()) return bad(field, "must be a non-empty string");
      std::string s(trim(e.get<std::string>()));
      if (s.empty()) return bad(field, "must be a non-empty string");
      out->push_back(std::move(s));
    }
    return Status::ok();
  }
  Status string(const json& obj, const char* key, const std::string& prefix,
                std::string* out) const {
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) return Status::ok();
    if (!it->is_string()) return bad(prefix + key, "must be a string");
    *out = trim(it->get<std::string>());
    return Status::ok();
  }
  Status number(const json& obj, const char* key, std::optional<double>* out) const {
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) return Status::ok();
    const std::string field = std::string("constraints.") + key;
    if (!it->is_number()) return bad(field, "must be a number >= 0, got " + it->dump());
    const double v = it->get<double>();
    if (!std::isfinite(v) || v < 0) return bad(field, "must be a number >= 0, got " + it->dump());
    *out = v;
    return Status::ok();
  }
  Status unknown_fields(const json& obj, std::initializer_list<const char*> known,
                        const std::string& prefix) const {
    for (const auto& [k, v] : obj.items()) {
      bool ok = false;
      for (const char* name : known) ok = ok || k == name;
      if (!ok) return bad(prefix + k, "unknown field");
    }
    return Status::ok();
  }

 private:
  std::string_view source_;
};

}  // namespace

Result<WorkerProfile> parse_profile_json(std::string_view text, std::string_view source) {
  const Reader r(source);
  if (auto deep = json_too_deep_at(text)) {
    return Status::invalid_argument(std::string(source) +
                                    ": invalid JSON: arrays and objects nest deeper than " +
                                    std::to_string(kMaxJsonDepth) + " levels (at byte " +
                                    std::to_string(*deep + 1) + ")");
  }
  json obj;
  try {
    obj = json::parse(text);
  } catch (const json::exception& e) {
    return Status::invalid_argument(std::string(source) + ": invalid JSON: " + e.what());
  }
  if (!obj.is_object()) return r.bad("", "expected a JSON object");
  CREDMATCH_RETURN_IF_ERROR(
      r.unknown_fields(obj, {"skills", "skill_ids", "completed", "language", "constraints"}, ""));
  WorkerProfile p;
  CREDMATCH_RETURN_IF_ERROR(r.strings(obj, "skills", &p.skills));
  CREDMATCH_RETURN_IF_ERROR(r.strings(obj, "skill_ids", &p.skill_ids));
  CREDMATCH_RETURN_IF_ERROR(r.strings(obj, "completed", &p.completed));
  CREDMATCH_RETURN_IF_ERROR(r.string(obj, "language", "", &p.language));
  if (auto it = obj.find("constraints"); it != obj.end() && !it->is_null()) {
    if (!it->is_object()) return r.bad("constraints", "must be an object");
    CREDMATCH_RETURN_IF_ERROR(r.unknown_fields(
        *it, {"max_hours", "max_cost", "max_credentials", "language"}, "constraints."));
    CREDMATCH_RETURN_IF_ERROR(r.number(*it, "max_hours", &p.constraints.max_hours));
    CREDMATCH_RETURN_IF_ERROR(r.number(*it, "max_cost", &p.constraints.max_cost));
    std::optional<double> n;
    CREDMATCH_RETURN_IF_ERROR(r.number(*it, "max_credentials", &n));
    if (n) {
      if (*n != std::floor(*n) || *n > 1e6) {
        return r.bad("constraints.max_credentials", "must be a whole number >= 0");
      }
      p.constraints.max_credentials = static_cast<int>(*n);
    }
    CREDMATCH_RETURN_IF_ERROR(r.string(*it, "language", "constraints.", &p.constraints.language));
  }
  return p;
}

WorkerProfile profile_from_skills_text(std::string_view text) {
  WorkerProfile p;
  size_t start = 0;
  for (size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || text[i] == ';' || text[i] == '\n') {
      std::string piece(trim(text.substr(start, i - start)));
      if (!piece.empty()) p.skills.push_back(std::move(piece));
      start = i + 1;
    }
  }
  return p;
}

Result<std::vector<HeldStatement>> resolve_skill_statements(const WorkerProfile& profile,
                                                            const CatalogStore& store) {
  std::vector<HeldStatement> out;
  for (size_t i = 0; i < profile.skills.size(); ++i) {
    out.push_back({profile.skills[i], "skills[" + std::to_string(i) + "]"});
  }
  for (size_t i = 0; i < profile.skill_ids.size(); ++i) {
    const std::string field = "skill_ids[" + std::to_string(i) + "]";
    auto skill = store.skill(profile.skill_ids[i]);
    if (!skill) {
      if (skill.status().code() == StatusCode::kNotFound) {
        return Status::not_found(field + ": unknown taxonomy skill \"" + profile.skill_ids[i] +
                                 "\"");
      }
      return skill.status().with_context(field);
    }
    out.push_back({skill->label, field + " (" + profile.skill_ids[i] + ")"});
  }
  return out;
}

Result<WorkerProfile> load_profile_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::not_found(path + ": cannot open");
  std::stringstream buf;
  buf << in.rdbuf();
  return parse_profile_json(buf.str(), path);
}

}  // namespace credmatch::engine
