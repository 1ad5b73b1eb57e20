#include "service/request.h"

#include <algorithm>
#include <cmath>

#include "base/error.h"
#include "base/json_depth.h"
#include "match/job_input.h"
#include "match/job_text.h"
#include "store/ingest.h"
#include "text/normalize.h"

namespace credmatch::engine::api {

ApiError::ApiError(int status, std::string field, std::string message)
    : std::runtime_error(message), status_(status), field_(std::move(field)),
      message_(std::move(message)) {}

json ApiError::to_json() const {
  return {{"error", {{"status", status_}, {"field", field_}, {"message", message_}}}};
}

int http_status(StatusCode code) {
  switch (code) {
    case StatusCode::kInvalidArgument: return 400;
    case StatusCode::kNotFound: return 404;
    case StatusCode::kBusy: return 409;  // another ingest or build is writing the catalog
    default: return 500;
  }
}

[[noreturn]] void bad(const std::string& field, const std::string& reason) {
  throw ApiError(400, field, field.empty() ? reason : field + ": " + reason);
}

// Engine messages read "SOURCE: FIELD: REASON" or "FIELD: REASON"; turns one into an ApiError
// whose field is `prefix` + FIELD ("job.requirements[3].text").
[[noreturn]] void fail_status(const Status& s, const std::string& source, const std::string& prefix,
                              int status) {
  std::string msg = s.message();
  if (!source.empty() && msg.rfind(source + ": ", 0) == 0) msg = msg.substr(source.size() + 2);
  std::string field;
  const size_t colon = msg.find(": ");
  if (colon != std::string::npos && colon > 0 &&
      msg.find_first_of(" \"'", 0) > colon) {  // a field name has no spaces or quotes
    field = msg.substr(0, colon);
  }
  std::string full = field.empty() ? prefix : prefix + (prefix.empty() ? "" : ".") + field;
  if (!field.empty()) msg = msg.substr(colon + 2);
  if (full.empty()) full = source;
  throw ApiError(status ? status : http_status(s.code()), full,
                 (full.empty() ? "" : full + ": ") + msg);
}

const char* type_name(const json& v) {
  switch (v.type()) {
    case json::value_t::null: return "null";
    case json::value_t::object: return "an object";
    case json::value_t::array: return "an array";
    case json::value_t::string: return "a string";
    case json::value_t::boolean: return "a boolean";
    case json::value_t::discarded: return "nothing";
    default: return "a number";
  }
}

void check_known(const json& obj, std::initializer_list<const char*> known) {
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    if (std::none_of(known.begin(), known.end(), [&](const char* k) { return it.key() == k; })) {
      std::string list;
      for (const char* k : known) list += (list.empty() ? "" : ", ") + std::string(k);
      bad(it.key(), "unknown field (known: " + list + ")");
    }
  }
}

// Present and not null.
const json* field(const json& obj, const char* name) {
  auto it = obj.find(name);
  return it == obj.end() || it->is_null() ? nullptr : &*it;
}

std::optional<double> get_number(const json& obj, const char* name, double lo, double hi) {
  const json* v = field(obj, name);
  if (!v) return std::nullopt;
  if (!v->is_number()) bad(name, std::string("must be a number, got ") + type_name(*v));
  const double d = v->get<double>();
  if (!std::isfinite(d) || d < lo || d > hi) {
    bad(name, "must be a number in " + json(lo).dump() + ".." + json(hi).dump() + ", got " + v->dump());
  }
  return d;
}

std::optional<int> get_int(const json& obj, const char* name, int lo, int hi) {
  const json* v = field(obj, name);
  if (!v) return std::nullopt;
  if (!v->is_number_integer()) bad(name, std::string("must be an integer, got ") + v->dump());
  // An unsigned above INT64_MAX (2^64 - 1) would read as a negative int64_t.
  const bool fits = !v->is_number_unsigned() || v->get<uint64_t>() <= uint64_t(INT64_MAX);
  const int64_t i = fits ? v->get<int64_t>() : 0;
  if (!fits || i < lo || i > hi) {
    bad(name, "must be an integer in " + std::to_string(lo) + ".." + std::to_string(hi) +
                  ", got " + v->dump());
  }
  return int(i);
}

std::optional<std::string> get_string(const json& obj, const char* name, size_t max_bytes,
                                      bool allow_empty) {
  const json* v = field(obj, name);
  if (!v) return std::nullopt;
  if (!v->is_string()) bad(name, std::string("must be a string, got ") + type_name(*v));
  std::string s = v->get<std::string>();
  if (!allow_empty && s.find_first_not_of(" \t\r\n") == std::string::npos) {
    bad(name, "must be a non-empty string");
  }
  if (s.size() > max_bytes) {
    bad(name, "longer than the limit of " + std::to_string(max_bytes) + " bytes (" +
                  std::to_string(s.size()) + ")");
  }
  return s;
}

std::optional<bool> get_bool(const json& obj, const char* name) {
  const json* v = field(obj, name);
  if (!v) return std::nullopt;
  if (!v->is_boolean()) bad(name, std::string("must be true or false, got ") + v->dump());
  return v->get<bool>();
}

void Limits::validate() const {
  auto positive = [](const char* name, double v) {
    if (!(v > 0)) throw Error(std::string("Limits.") + name + " must be > 0, got " + std::to_string(v));
  };
  positive("max_body_bytes", double(max_body_bytes));
  positive("max_ingest_bytes", double(max_ingest_bytes));
  positive("max_requirements", max_requirements);
  positive("max_text_bytes", double(max_text_bytes));
  positive("max_posting_bytes", double(max_posting_bytes));
  positive("max_profile_items", max_profile_items);
  positive("max_top", max_top);
  positive("max_neighbours", max_neighbours);
  positive("max_search_k", max_search_k);
  positive("max_query_bytes", double(max_query_bytes));
  positive("search_threads", search_threads);
}

json parse_body(std::string_view body, size_t max_bytes) {
  if (body.size() > max_bytes) {
    throw ApiError(413, "", "request body of " + std::to_string(body.size()) +
                                " bytes exceeds the limit of " + std::to_string(max_bytes));
  }
  if (!is_valid_utf8(body)) throw ApiError(400, "", "request body is not valid UTF-8");
  if (auto deep = json_too_deep_at(body)) {
    throw ApiError(400, "", "request body is not valid JSON: arrays and objects nest deeper than " +
                                std::to_string(kMaxJsonDepth) + " levels (at byte " +
                                std::to_string(*deep + 1) + ")");
  }
  json out = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (out.is_discarded()) {
    // Parse again with exceptions for the position and reason.
    try {
      const json again = json::parse(body);
      (void)again;
    } catch (const json::exception& e) {
      throw ApiError(400, "", std::string("request body is not valid JSON: ") + e.what());
    }
    throw ApiError(400, "", "request body is not valid JSON");
  }
  if (!out.is_object()) {
    throw ApiError(400, "", std::string("request body must be a JSON object, got ") + type_name(out));
  }
  return out;
}

Job request_job(const json& req, const CatalogStore& store, const Limits& limits) {
  const json* job = field(req, "job");
  const json* text = field(req, "text");
  const json* occ = field(req, "occupation");
  if (int(job != nullptr) + int(text != nullptr) + int(occ != nullptr) != 1) {
    bad("job", "give exactly one of \"job\" (object), \"text\" (job posting) or \"occupation\"");
  }
  Job out;
  if (job) {
    if (!job->is_object()) bad("job", std::string("must be an object, got ") + type_name(*job));
    if (auto it = job->find("requirements");
        it != job->end() && it->is_array() && int(it->size()) > limits.max_requirements) {
      bad("job.requirements", "more than the limit of " + std::to_string(limits.max_requirements) +
                                  " requirements (" + std::to_string(it->size()) + ")");
    }
    auto parsed = parse_job_json(job->dump(), "job", /*require_id=*/false);
    if (!parsed) fail_status(parsed.status(), "job", "job", 400);
    out = std::move(*parsed);
    for (size_t i = 0; i < out.requirements.size(); ++i) {
      if (out.requirements[i].text.size() > limits.max_text_bytes) {
        bad("job.requirements[" + std::to_string(i) + "].text",
            "longer than the limit of " + std::to_string(limits.max_text_bytes) + " bytes");
      }
    }
    if (out.requirements.empty()) bad("job.requirements", "must not be empty");
  } else if (text) {
    const std::string t = *get_string(req, "text", limits.max_posting_bytes);
    auto posting = job_from_posting(t);
    if (!posting) bad("text", posting.status().message());
    out = std::move(*posting);
    if (int(out.requirements.size()) > limits.max_requirements) {
      bad("text", "more than the limit of " + std::to_string(limits.max_requirements) +
                      " requirements (" + std::to_string(out.requirements.size()) + ")");
    }
    for (size_t i = 0; i < out.requirements.size(); ++i) {
      if (out.requirements[i].text.size() > limits.max_text_bytes) {
        bad("text", "requirement " + std::to_string(i + 1) + " is longer than the limit of " +
                        std::to_string(limits.max_text_bytes) + " bytes");
      }
    }
  } else {
    const std::string q = *get_string(req, "occupation", limits.max_query_bytes);
    Result<Job> found = job_from_occupation(store, q);
    if (!found) {
      throw ApiError(http_status(found.status().code()), "occupation",
                     "occupation: " + found.status().message());
    }
    out = std::move(*found);
    if (out.requirements.empty()) {
      bad("occupation", "occupation \"" + out.title + "\" has no requirements in the catalog");
    }
    if (int(out.requirements.size()) > limits.max_requirements) {
      bad("occupation", "more than the limit of " + std::to_string(limits.max_requirements) +
                            " requirements");
    }
  }
  return out;
}

RequestProfile request_profile(const json& req, const Limits& limits) {
  const json* profile = field(req, "profile");
  const json* skills = field(req, "skills");
  if (int(profile != nullptr) + int(skills != nullptr) != 1) {
    bad("profile", "give exactly one of \"profile\" (object) or \"skills\" (string or array)");
  }
  RequestProfile out;
  if (profile) {
    if (!profile->is_object()) {
      bad("profile", std::string("must be an object, got ") + type_name(*profile));
    }
    for (const char* list : {"skills", "skill_ids", "completed"}) {
      if (auto it = profile->find(list); it != profile->end() && it->is_array() &&
                                          int(it->size()) > limits.max_profile_items) {
        bad(std::string("profile.") + list,
            "more than the limit of " + std::to_string(limits.max_profile_items) + " items");
      }
    }
    auto parsed = parse_profile_json(profile->dump(), "profile");
    if (!parsed) fail_status(parsed.status(), "profile", "profile", 400);
    out.profile = std::move(*parsed);
    out.prefix = "profile";
    for (size_t i = 0; i < out.profile.skills.size(); ++i) {
      if (out.profile.skills[i].size() > limits.max_text_bytes) {
        bad("profile.skills[" + std::to_string(i) + "]",
            "longer than the limit of " + std::to_string(limits.max_text_bytes) + " bytes");
      }
    }
  } else if (skills->is_string()) {
    const std::string s = *get_string(req, "skills", limits.max_posting_bytes, /*allow_empty=*/true);
    out.profile = profile_from_skills_text(s);
    out.prefix = "skills";
  } else if (skills->is_array()) {
    if (int(skills->size()) > limits.max_profile_items) {
      bad("skills", "more than the limit of " + std::to_string(limits.max_profile_items) + " items");
    }
    for (size_t i = 0; i < skills->size(); ++i) {
      const json& s = (*skills)[i];
      const std::string f = "skills[" + std::to_string(i) + "]";
      if (!s.is_string() || s.get<std::string>().find_first_not_of(" \t\r\n") == std::string::npos) {
        bad(f, "must be a non-empty string");
      }
      if (s.get<std::string>().size() > limits.max_text_bytes) {
        bad(f, "longer than the limit of " + std::to_string(limits.max_text_bytes) + " bytes");
      }
      out.profile.skills.push_back(s.get<std::string>());
    }
    out.prefix = "skills";
  } else {
    bad("skills", std::string("must be a string or an array of strings, got ") + type_name(*skills));
  }
  if (int(out.profile.skills.size() + out.profile.skill_ids.size() + out.profile.completed.size()) >
      limits.max_profile_items) {
    bad(out.prefix, "more than the limit of " + std::to_string(limits.max_profile_items) + " items");
  }
  return out;
}

GapConfig request_gap_config(const json& req, const GapThresholds& catalog_thresholds,
                             GapThresholds* source) {
  GapConfig config;
  *source = catalog_thresholds;
  config.covered_threshold = source->covered;
  config.partial_threshold = source->partial;
  const auto covered = get_number(req, "covered_threshold", 0.0, 1.0);
  const auto partial = get_number(req, "partial_threshold", -1.0, 1.0);
  if (covered) config.covered_threshold = float(*covered);
  if (partial) config.partial_threshold = float(*partial);
  if (covered || partial) {
    source->calibrated = false;
    source->note = "set in the request (otherwise: " + source->note + ")";
  }
  if (config.partial_threshold > config.covered_threshold) {
    bad("partial_threshold", "must not exceed covered_threshold (" +
                                 json(config.covered_threshold).dump() + ")");
  }
  return config;
}

}  // namespace credmatch::engine::api
