#include "store/ingest.h"

#include <utf8proc.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <functional>
#include <initializer_list>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <unordered_map>
#include <utility>

#include "base/json_depth.h"
#include "base/strings.h"
#include "text/csv.h"
#include "text/line_reader.h"

namespace credmatch::engine {
namespace {

using nlohmann::json;
using Fields = std::initializer_list<std::string_view>;

std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool is_blank(std::string_view s) { return trim(s).empty(); }

std::string join(Fields names) {
  std::string out;
  for (std::string_view n : names) {
    if (!out.empty()) out += ", ";
    out += n;
  }
  return out;
}

// Byte offset of the first invalid UTF-8 sequence (overlong forms, surrogates and code points
// above U+10FFFF count as invalid), or nullopt when `s` is valid.
std::optional<size_t> invalid_utf8_offset(std::string_view s) {
  const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(s.data());
  size_t i = 0;
  while (i < s.size()) {
    if (static_cast<unsigned char>(s[i]) < 0x80) {  // ASCII fast path
      ++i;
      continue;
    }
    utf8proc_int32_t cp = 0;
    const utf8proc_ssize_t n =
        utf8proc_iterate(p + i, static_cast<utf8proc_ssize_t>(s.size() - i), &cp);
    if (n <= 0 || cp < 0) return i;
    i += static_cast<size_t>(n);
  }
  return std::nullopt;
}

// Cuts `s` to at most `max` bytes without splitting a UTF-8 sequence.
std::string utf8_prefix(std::string_view s, size_t max) {
  if (s.size() <= max) return std::string(s);
  size_t n = max;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return std::string(s.substr(0, n)) + "...";
}

std::string utf8_reason(std::string_view text, size_t offset) {
  std::string reason = "invalid UTF-8 at byte " + std::to_string(offset + 1);
  if (offset > 0) {
    std::string_view before = text.substr(offset > 24 ? offset - 24 : 0);
    before = before.substr(0, std::min<size_t>(offset, 24));
    // Drop a leading partial sequence left by cutting 24 bytes back.
    while (!before.empty() && (static_cast<unsigned char>(before.front()) & 0xC0) == 0x80) {
      before.remove_prefix(1);
    }
    reason += " (after " + json(std::string(before)).dump() + ")";
  }
  return reason;
}

// A JSON value as the user wrote it, for "got ..." in messages.
std::string describe(const json& v) {
  return utf8_prefix(v.dump(-1, ' ', false, json::error_handler_t::replace), 60);
}
std::string quote(std::string_view s) { return describe(json(std::string(s))); }

const char* json_type(const json& v) {
  if (v.is_object()) return "an object";
  if (v.is_array()) return "an array";
  if (v.is_string()) return "a string";
  if (v.is_boolean()) return "a boolean";
  if (v.is_number()) return "a number";
  return "null";
}

constexpr std::string_view kNumberReason = "must be a number >= 0";
constexpr std::string_view kKindReason = R"(must be "teaches", "assesses" or "requires")";
constexpr std::string_view kImportanceReason = R"(must be "essential" or "optional")";

// Tracks ids seen earlier in the same file, to report duplicates with both lines.
class SeenIds {
 public:
  // Returns the line the id was first seen on, or 0 (and remembers it) when new.
  int64_t first_line(const std::string& id, int64_t line) {
    auto [it, inserted] = lines_.try_emplace(id, line);
    return inserted ? 0 : it->second;
  }

 private:
  std::unordered_map<std::string, int64_t> lines_;
};

// ---------------------------------------------------------------------------------------------
// JSON objects

// Reads the fields of one JSON object; `prefix` names nested objects ("competencies[2].").
class JsonObject {
 public:
  JsonObject(const json& obj, const SourceLocation& where, std::string prefix)
      : obj_(obj), where_(where), prefix_(std::move(prefix)) {}

  Status fail(std::string_view field, std::string_view reason) const {
    return Status::invalid_argument(located_message(where_, prefix_ + std::string(field), reason));
  }
  const SourceLocation& where() const { return where_; }
  const std::string& prefix() const { return prefix_; }

  // Unknown fields are errors: they are usually typos ("hour" for "hours").
  Status check_known(Fields known) const {
    for (auto it = obj_.begin(); it != obj_.end(); ++it) {
      if (std::find(known.begin(), known.end(), it.key()) == known.end()) {
        return fail(it.key(), "unknown field (known: " + join(known) + ")");
      }
    }
    return Status::ok();
  }

  // Absent and null both read as nullptr: null means "not given" for every optional field.
  const json* find(std::string_view name) const {
    auto it = obj_.find(name);
    return it == obj_.end() || it->is_null() ? nullptr : &*it;
  }

  Status required_string(std::string_view name, std::string* out) const {
    auto it = obj_.find(name);
    if (it == obj_.end()) return fail(name, "missing required field");
    if (!it->is_string()) return fail(name, "must be a string, got " + describe(*it));
    *out = it->get<std::string>();
    if (is_blank(*out)) return fail(name, "must not be empty");
    return Status::ok();
  }

  // Leaves *out unchanged when the field is absent or null.
  Status optional_string(std::string_view name, std::string* out) const {
    const json* v = find(name);
    if (v == nullptr) return Status::ok();
    if (!v->is_string()) return fail(name, "must be a string, got " + describe(*v));
    *out = v->get<std::string>();
    return Status::ok();
  }

  Status optional_number(std::string_view name, std::optional<double>* out) const {
    const json* v = find(name);
    if (v == nullptr) return Status::ok();
    if (!v->is_number() || !std::isfinite(v->get<double>()) || v->get<double>() < 0) {
      return fail(name, std::string(kNumberReason) + ", got " + describe(*v));
    }
    *out = v->get<double>();
    return Status::ok();
  }

  // An array of non-empty strings.
  Status string_list(std::string_view name, std::vector<std::string>* out) const {
    const json* v = find(name);
    if (v == nullptr) return Status::ok();
    if (!v->is_array()) return fail(name, "must be an array of strings, got " + describe(*v));
    out->clear();
    for (size_t i = 0; i < v->size(); ++i) {
      const json& e = (*v)[i];
      const std::string field = std::string(name) + "[" + std::to_string(i) + "]";
      if (!e.is_string()) return fail(field, "must be a string, got " + describe(e));
      if (is_blank(e.get_ref<const std::string&>())) return fail(field, "must not be empty");
      out->push_back(e.get<std::string>());
    }
    return Status::ok();
  }

  // Calls fn(element, "name[i].") for each element of an array of objects.
  Status each_object(std::string_view name,
                     const std::function<Status(const JsonObject&, size_t)>& fn) const {
    const json* v = find(name);
    if (v == nullptr) return Status::ok();
    if (!v->is_array()) return fail(name, "must be an array of objects, got " + describe(*v));
    for (size_t i = 0; i < v->size(); ++i) {
      const std::string field = std::string(name) + "[" + std::to_string(i) + "]";
      const json& e = (*v)[i];
      if (!e.is_object()) return fail(field, std::string("must be an object, got ") + json_type(e));
      CREDMATCH_RETURN_IF_ERROR(fn(JsonObject(e, where_, prefix_ + field + "."), i));
    }
    return Status::ok();
  }

  Status competency_kind(std::string_view name, CompetencyKind* out) const {
    const json* v = find(name);
    if (v == nullptr) return Status::ok();
    auto kind = v->is_string() ? parse_competency_kind(v->get<std::string>()) : std::nullopt;
    if (!kind) return fail(name, std::string(kKindReason) + ", got " + describe(*v));
    *out = *kind;
    return Status::ok();
  }

  Status importance(std::string_view name, Importance* out) const {
    const json* v = find(name);
    if (v == nullptr) return Status::ok();
    auto importance = v->is_string() ? parse_importance(v->get<std::string>()) : std::nullopt;
    if (!importance) return fail(name, std::string(kImportanceReason) + ", got " + describe(*v));
    *out = *importance;
    return Status::ok();
  }

 private:
  const json& obj_;
  const SourceLocation& where_;
  std::string prefix_;
};

Status read_json_competency(const JsonObject& o, bool in_file, Competency* c) {
  if (in_file) {
    CREDMATCH_RETURN_IF_ERROR(o.check_known({"credential_id", "text", "kind", "id", "skill_id"}));
    CREDMATCH_RETURN_IF_ERROR(o.required_string("credential_id", &c->credential_id));
  } else {
    CREDMATCH_RETURN_IF_ERROR(o.check_known({"text", "kind", "id", "skill_id"}));
  }
  CREDMATCH_RETURN_IF_ERROR(o.required_string("text", &c->text));
  CREDMATCH_RETURN_IF_ERROR(o.competency_kind("kind", &c->kind));
  if (o.find("id") != nullptr) CREDMATCH_RETURN_IF_ERROR(o.required_string("id", &c->id));
  return o.optional_string("skill_id", &c->skill_id);
}

Status read_json_requirement(const JsonObject& o, bool in_file, RequirementRecord* r) {
  if (in_file) {
    CREDMATCH_RETURN_IF_ERROR(o.check_known({"job_id", "text", "importance", "skill_id"}));
    CREDMATCH_RETURN_IF_ERROR(o.required_string("job_id", &r->job_id));
  } else {
    CREDMATCH_RETURN_IF_ERROR(o.check_known({"text", "importance", "skill_id"}));
  }
  CREDMATCH_RETURN_IF_ERROR(o.required_string("text", &r->requirement.text));
  CREDMATCH_RETURN_IF_ERROR(o.importance("importance", &r->requirement.importance));
  return o.optional_string("skill_id", &r->requirement.skill_id);
}

Status read_json_credential(const JsonObject& o, Credential* c) {
  CREDMATCH_RETURN_IF_ERROR(o.check_known({"id", "title", "provider", "kind", "description",
                                           "language", "hours", "cost", "currency", "url",
                                           "prerequisites", "source", "competencies"}));
  CREDMATCH_RETURN_IF_ERROR(o.required_string("id", &c->id));
  CREDMATCH_RETURN_IF_ERROR(o.required_string("title", &c->title));
  CREDMATCH_RETURN_IF_ERROR(o.optional_string("provider", &c->provider));
  CREDMATCH_RETURN_IF_ERROR(o.optional_string("kind", &c->kind));
  CREDMATCH_RETURN_IF_ERROR(o.optional_string("description", &c->description));
  CREDMATCH_RETURN_IF_ERROR(o.optional_string("language", &c->language));
  CREDMATCH_RETURN_IF_ERROR(o.optional_number("hours", &c->hours));
  CREDMATCH_RETURN_IF_ERROR(o.optional_number("cost", &c->cost));
  CREDMATCH_RETURN_IF_ERROR(o.optional_string("currency", &c->currency));
  CREDMATCH_RETURN_IF_ERROR(o.optional_string("url", &c->url));
  CREDMATCH_RETURN_IF_ERROR(o.string_list("prerequisites", &c->prerequisites));
  CREDMATCH_RETURN_IF_ERROR(o.optional_string("source", &c->source));
  return o.each_object("competencies", [&](const JsonObject& e, size_t) {
    Competency competency;
    CREDMATCH_RETURN_IF_ERROR(read_json_competency(e, /*in_file=*/false, &competency));
    c->competencies.push_back(std::move(competency));
    return Status::ok();
  });
}

Status read_json_skill(const JsonObject& o, Skill* s) {
  CREDMATCH_RETURN_IF_ERROR(o.check_known(
      {"id", "label", "alt_labels", "description", "type", "language", "labels_fr"}));
  CREDMATCH_RETURN_IF_ERROR(o.required_string("id", &s->id));
  CREDMATCH_RETURN_IF_ERROR(o.required_string("label", &s->label));
  CREDMATCH_RETURN_IF_ERROR(o.string_list("alt_labels", &s->alt_labels));
  CREDMATCH_RETURN_IF_ERROR(o.optional_string("description", &s->description));
  CREDMATCH_RETURN_IF_ERROR(o.optional_string("type", &s->type));
  CREDMATCH_RETURN_IF_ERROR(o.optional_string("language", &s->language));
  const json* fr = o.find("labels_fr");
  if (fr == nullptr) return Status::ok();
  if (!fr->is_object()) return o.fail("labels_fr", std::string("must be an object, got ") + json_type(*fr));
  JsonObject f(*fr, o.where(), o.prefix() + "labels_fr.");
  CREDMATCH_RETURN_IF_ERROR(f.check_known({"label", "alt_labels"}));
  CREDMATCH_RETURN_IF_ERROR(f.optional_string("label", &s->label_fr));
  return f.string_list("alt_labels", &s->alt_labels_fr);
}

Status read_json_job(const JsonObject& o, bool require_id, Job* j) {
  CREDMATCH_RETURN_IF_ERROR(o.check_known({"id", "title", "alt_titles", "title_fr",
                                           "alt_titles_fr", "code", "description", "source",
                                           "requirements"}));
  if (require_id || o.find("id") != nullptr) {
    CREDMATCH_RETURN_IF_ERROR(o.required_string("id", &j->id));
  }
  CREDMATCH_RETURN_IF_ERROR(o.required_string("title", &j->title));
  CREDMATCH_RETURN_IF_ERROR(o.string_list("alt_titles", &j->alt_titles));
  CREDMATCH_RETURN_IF_ERROR(o.optional_string("title_fr", &j->title_fr));
  CREDMATCH_RETURN_IF_ERROR(o.string_list("alt_titles_fr", &j->alt_titles_fr));
  CREDMATCH_RETURN_IF_ERROR(o.optional_string("code", &j->code));
  CREDMATCH_RETURN_IF_ERROR(o.optional_string("description", &j->description));
  CREDMATCH_RETURN_IF_ERROR(o.optional_string("source", &j->source));
  return o.each_object("requirements", [&](const JsonObject& e, size_t) {
    RequirementRecord r;
    CREDMATCH_RETURN_IF_ERROR(read_json_requirement(e, /*in_file=*/false, &r));
    j->requirements.push_back(std::move(r.requirement));
    return Status::ok();
  });
}

std::string too_deep_reason(size_t offset) {
  return "invalid JSON: arrays and objects nest deeper than " + std::to_string(kMaxJsonDepth) +
         " levels (at byte " + std::to_string(offset + 1) + ")";
}

// "[json.exception.parse_error.101] parse error at line 1, column 5: syntax error ..." reads
// as "column 5: syntax error ..." for a one-line record.
std::string json_error_text(const std::exception& e, bool one_line) {
  std::string msg = e.what();
  if (msg.rfind("[json.exception.", 0) == 0) {
    const size_t close = msg.find("] ");
    if (close != std::string::npos) msg.erase(0, close + 2);
  }
  if (one_line && msg.rfind("parse error at line 1, ", 0) == 0) {
    msg.erase(0, std::string_view("parse error at line 1, ").size());
  }
  return msg;
}

// ---------------------------------------------------------------------------------------------
// Per-file checks shared by both formats: default competency ids, duplicates, self-references.

class FileChecks {
 public:
  Status credential(Credential* c, const SourceLocation& where) {
    CREDMATCH_RETURN_IF_ERROR(id(c->id, where));
    for (size_t i = 0; i < c->prerequisites.size(); ++i) {
      if (c->prerequisites[i] == c->id) {
        return Status::invalid_argument(
            located_message(where, "prerequisites", "a credential cannot be its own prerequisite"));
      }
    }
    for (size_t i = 0; i < c->competencies.size(); ++i) {
      Competency& comp = c->competencies[i];
      comp.credential_id = c->id;
      if (comp.id.empty()) comp.id = c->id + "#" + std::to_string(i + 1);
      const std::string field = "competencies[" + std::to_string(i) + "].id";
      CREDMATCH_RETURN_IF_ERROR(competency_id(comp.id, where, field));
    }
    return Status::ok();
  }
  Status id(const std::string& id, const SourceLocation& where) {
    if (int64_t first = ids_.first_line(id, where.line)) {
      return Status::invalid_argument(located_message(
          where, "id", "duplicate id " + quote(id) + " (first on line " + std::to_string(first) + ")"));
    }
    return Status::ok();
  }
  Status competency_id(const std::string& id, const SourceLocation& where, std::string_view field) {
    if (int64_t first = competency_ids_.first_line(id, where.line)) {
      return Status::invalid_argument(
          located_message(where, field,
                          "duplicate competency id " + quote(id) + " (first on line " +
                              std::to_string(first) + ")"));
    }
    return Status::ok();
  }

 private:
  SeenIds ids_;
  SeenIds competency_ids_;
};

Status visit_json(const InputFile& input, const json& obj, const SourceLocation& where,
                  FileChecks& checks, RecordVisitor& visitor) {
  const JsonObject o(obj, where, "");
  switch (input.kind) {
    case RecordKind::kCredentials: {
      Credential c;
      CREDMATCH_RETURN_IF_ERROR(read_json_credential(o, &c));
      CREDMATCH_RETURN_IF_ERROR(checks.credential(&c, where));
      return visitor.on_credential(c, where);
    }
    case RecordKind::kCompetencies: {
      Competency c;
      CREDMATCH_RETURN_IF_ERROR(read_json_competency(o, /*in_file=*/true, &c));
      if (!c.id.empty()) CREDMATCH_RETURN_IF_ERROR(checks.competency_id(c.id, where, "id"));
      return visitor.on_competency(c, where);
    }
    case RecordKind::kSkills: {
      Skill s;
      CREDMATCH_RETURN_IF_ERROR(read_json_skill(o, &s));
      CREDMATCH_RETURN_IF_ERROR(checks.id(s.id, where));
      return visitor.on_skill(s, where);
    }
    case RecordKind::kJobs: {
      Job j;
      CREDMATCH_RETURN_IF_ERROR(read_json_job(o, /*require_id=*/true, &j));
      CREDMATCH_RETURN_IF_ERROR(checks.id(j.id, where));
      return visitor.on_job(j, where);
    }
    case RecordKind::kRequirements: {
      RequirementRecord r;
      CREDMATCH_RETURN_IF_ERROR(read_json_requirement(o, /*in_file=*/true, &r));
      return visitor.on_requirement(r, where);
    }
  }
  return Status::internal("unknown record kind");
}

Status parse_json_lines(const InputFile& input, RecordVisitor& visitor) {
  auto reader = LineReader::open(input.path);
  if (!reader) return reader.status();
  FileChecks checks;
  std::string line;
  while ((*reader)->next(&line)) {
    if (is_blank(line)) continue;
    const SourceLocation where{input.path, (*reader)->line_number()};
    if (auto bad = invalid_utf8_offset(line)) {
      return Status::invalid_argument(located_message(where, "", utf8_reason(line, *bad)));
    }
    if (auto deep = json_too_deep_at(line)) {
      return Status::invalid_argument(located_message(where, "", too_deep_reason(*deep)));
    }
    json obj;
    try {
      obj = json::parse(line);
    } catch (const json::exception& e) {
      return Status::invalid_argument(
          located_message(where, "", "invalid JSON: " + json_error_text(e, true)));
    }
    if (!obj.is_object()) {
      return Status::invalid_argument(
          located_message(where, "", std::string("expected a JSON object, got ") + json_type(obj)));
    }
    CREDMATCH_RETURN_IF_ERROR(visit_json(input, obj, where, checks, visitor));
  }
  return (*reader)->status();
}

// ---------------------------------------------------------------------------------------------
// CSV

struct Column {
  std::string_view name;
  bool required;
};

// The columns of one CSV file, bound to the header: cell(row, "hours") is "" when the file
// has no such column.
class CsvRow {
 public:
  static Result<CsvRow> bind(const CsvReader& csv, std::span<const Column> columns) {
    CsvRow row;
    const SourceLocation header_at{csv.path(), csv.record_line()};
    std::string known;
    for (const Column& c : columns) known += (known.empty() ? "" : ", ") + std::string(c.name);
    const auto& header = csv.header();
    for (size_t i = 0; i < header.size(); ++i) {
      auto it = std::find_if(columns.begin(), columns.end(),
                             [&](const Column& c) { return c.name == header[i]; });
      if (it == columns.end()) {
        return Status::invalid_argument(located_message(
            header_at, "header", "unknown column " + quote(header[i]) + " (known: " + known + ")"));
      }
      if (row.index_.count(it->name) != 0) {
        return Status::invalid_argument(
            located_message(header_at, "header", "duplicate column " + quote(header[i])));
      }
      row.index_[it->name] = i;
    }
    for (const Column& c : columns) {
      if (c.required && row.index_.count(c.name) == 0) {
        return Status::invalid_argument(located_message(
            header_at, "header", "missing required column '" + std::string(c.name) + "'"));
      }
    }
    row.header_ = header;
    return row;
  }

  // Takes the next record; checks its width and its UTF-8.
  Status load(std::vector<std::string> fields, const SourceLocation& where) {
    where_ = where;
    if (fields.size() != header_.size()) {
      return Status::invalid_argument(located_message(
          where, "", "expected " + std::to_string(header_.size()) + " fields as in the header, got " +
                         std::to_string(fields.size())));
    }
    for (size_t i = 0; i < fields.size(); ++i) {
      if (auto bad = invalid_utf8_offset(fields[i])) {
        return Status::invalid_argument(located_message(where, header_[i], utf8_reason(fields[i], *bad)));
      }
    }
    fields_ = std::move(fields);
    return Status::ok();
  }

  const std::string& cell(std::string_view name) const {
    static const std::string kEmpty;
    auto it = index_.find(name);
    return it == index_.end() ? kEmpty : fields_[it->second];
  }

  Status fail(std::string_view field, std::string_view reason) const {
    return Status::invalid_argument(located_message(where_, field, reason));
  }

  Status required(std::string_view name, std::string* out) const {
    *out = cell(name);
    if (is_blank(*out)) return fail(name, "must not be empty");
    return Status::ok();
  }
  // An empty cell leaves *out unchanged (the default).
  void optional(std::string_view name, std::string* out) const {
    if (!cell(name).empty()) *out = cell(name);
  }
  Status number(std::string_view name, std::optional<double>* out) const {
    const std::string_view text = trim(cell(name));
    if (text.empty()) return Status::ok();
    double v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(v) || v < 0) {
      return fail(name, std::string(kNumberReason) + ", got " + quote(cell(name)));
    }
    *out = v;
    return Status::ok();
  }
  std::vector<std::string> list(std::string_view name, char separator) const {
    std::vector<std::string> out;
    std::string_view rest = cell(name);
    while (!rest.empty()) {
      const size_t end = rest.find(separator);
      const std::string_view item = trim(rest.substr(0, end));
      if (!item.empty()) out.emplace_back(item);
      if (end == std::string_view::npos) break;
      rest.remove_prefix(end + 1);
    }
    return out;
  }
  Status competency_kind(std::string_view name, CompetencyKind* out) const {
    if (cell(name).empty()) return Status::ok();
    auto kind = parse_competency_kind(cell(name));
    if (!kind) return fail(name, std::string(kKindReason) + ", got " + quote(cell(name)));
    *out = *kind;
    return Status::ok();
  }
  Status importance(std::string_view name, Importance* out) const {
    if (cell(name).empty()) return Status::ok();
    auto importance = parse_importance(cell(name));
    if (!importance) return fail(name, std::string(kImportanceReason) + ", got " + quote(cell(name)));
    *out = *importance;
    return Status::ok();
  }

 private:
  std::vector<std::string> header_;
  std::unordered_map<std::string_view, size_t> index_;  // views into the static column names
  std::vector<std::string> fields_;
  SourceLocation where_;
};

std::span<const Column> csv_columns(RecordKind kind) {
  static constexpr Column kCredentials[] = {
      {"id", true},        {"title", true},     {"provider", false}, {"kind", false},
      {"description", false}, {"language", false}, {"hours", false},    {"cost", false},
      {"currency", false},    {"url", false},      {"prerequisites", false}, {"source", false}};
  static constexpr Column kCompetencies[] = {
      {"credential_id", true}, {"text", true}, {"kind", false}, {"id", false}, {"skill_id", false}};
  static constexpr Column kSkills[] = {
      {"id", true},    {"label", true},     {"alt_labels", false}, {"description", false},
      {"type", false}, {"language", false}, {"label_fr", false},   {"alt_labels_fr", false}};
  static constexpr Column kJobs[] = {
      {"id", true},          {"title", true},   {"description", false}, {"code", false},
      {"alt_titles", false}, {"source", false}, {"title_fr", false},    {"alt_titles_fr", false}};
  static constexpr Column kRequirements[] = {
      {"job_id", true}, {"text", true}, {"importance", false}, {"skill_id", false}};
  switch (kind) {
    case RecordKind::kCredentials: return kCredentials;
    case RecordKind::kCompetencies: return kCompetencies;
    case RecordKind::kSkills: return kSkills;
    case RecordKind::kJobs: return kJobs;
    case RecordKind::kRequirements: return kRequirements;
  }
  return kCredentials;
}

Status visit_csv(const InputFile& input, const CsvRow& row, const SourceLocation& where,
                 FileChecks& checks, RecordVisitor& visitor) {
  switch (input.kind) {
    case RecordKind::kCredentials: {
      Credential c;
      CREDMATCH_RETURN_IF_ERROR(row.required("id", &c.id));
      CREDMATCH_RETURN_IF_ERROR(row.required("title", &c.title));
      row.optional("provider", &c.provider);
      row.optional("kind", &c.kind);
      row.optional("description", &c.description);
      row.optional("language", &c.language);
      CREDMATCH_RETURN_IF_ERROR(row.number("hours", &c.hours));
      CREDMATCH_RETURN_IF_ERROR(row.number("cost", &c.cost));
      row.optional("currency", &c.currency);
      row.optional("url", &c.url);
      c.prerequisites = row.list("prerequisites", ';');
      row.optional("source", &c.source);
      CREDMATCH_RETURN_IF_ERROR(checks.credential(&c, where));
      return visitor.on_credential(c, where);
    }
    case RecordKind::kCompetencies: {
      Competency c;
      CREDMATCH_RETURN_IF_ERROR(row.required("credential_id", &c.credential_id));
      CREDMATCH_RETURN_IF_ERROR(row.required("text", &c.text));
      CREDMATCH_RETURN_IF_ERROR(row.competency_kind("kind", &c.kind));
      row.optional("id", &c.id);
      if (!c.id.empty()) {
        CREDMATCH_RETURN_IF_ERROR(row.required("id", &c.id));  // rejects whitespace-only
        CREDMATCH_RETURN_IF_ERROR(checks.competency_id(c.id, where, "id"));
      }
      row.optional("skill_id", &c.skill_id);
      return visitor.on_competency(c, where);
    }
    case RecordKind::kSkills: {
      Skill s;
      CREDMATCH_RETURN_IF_ERROR(row.required("id", &s.id));
      CREDMATCH_RETURN_IF_ERROR(row.required("label", &s.label));
      s.alt_labels = row.list("alt_labels", '|');
      row.optional("description", &s.description);
      row.optional("type", &s.type);
      row.optional("language", &s.language);
      row.optional("label_fr", &s.label_fr);
      s.alt_labels_fr = row.list("alt_labels_fr", '|');
      CREDMATCH_RETURN_IF_ERROR(checks.id(s.id, where));
      return visitor.on_skill(s, where);
    }
    case RecordKind::kJobs: {
      Job j;
      CREDMATCH_RETURN_IF_ERROR(row.required("id", &j.id));
      CREDMATCH_RETURN_IF_ERROR(row.required("title", &j.title));
      row.optional("description", &j.description);
      row.optional("code", &j.code);
      j.alt_titles = row.list("alt_titles", '|');
      row.optional("source", &j.source);
      row.optional("title_fr", &j.title_fr);
      j.alt_titles_fr = row.list("alt_titles_fr", '|');
      CREDMATCH_RETURN_IF_ERROR(checks.id(j.id, where));
      return visitor.on_job(j, where);
    }
    case RecordKind::kRequirements: {
      RequirementRecord r;
      CREDMATCH_RETURN_IF_ERROR(row.required("job_id", &r.job_id));
      CREDMATCH_RETURN_IF_ERROR(row.required("text", &r.requirement.text));
      CREDMATCH_RETURN_IF_ERROR(row.importance("importance", &r.requirement.importance));
      row.optional("skill_id", &r.requirement.skill_id);
      return visitor.on_requirement(r, where);
    }
  }
  return Status::internal("unknown record kind");
}

Status parse_csv(const InputFile& input, RecordVisitor& visitor) {
  auto csv = CsvReader::open(input.path);
  if (!csv) return csv.status();
  auto row = CsvRow::bind(**csv, csv_columns(input.kind));
  if (!row) return row.status();
  FileChecks checks;
  std::vector<std::string> fields;
  while ((*csv)->next(&fields)) {
    const SourceLocation where{input.path, (*csv)->record_line()};
    CREDMATCH_RETURN_IF_ERROR(row->load(std::move(fields), where));
    CREDMATCH_RETURN_IF_ERROR(visit_csv(input, *row, where, checks, visitor));
    fields = {};
  }
  return (*csv)->status();
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

std::string_view to_string(RecordKind kind) {
  switch (kind) {
    case RecordKind::kCredentials: return "credentials";
    case RecordKind::kCompetencies: return "competencies";
    case RecordKind::kSkills: return "skills";
    case RecordKind::kJobs: return "jobs";
    case RecordKind::kRequirements: return "requirements";
  }
  return "credentials";
}

std::string located_message(const SourceLocation& where, std::string_view field,
                            std::string_view reason) {
  std::string out(where.file);
  if (where.line > 0) out += ":" + std::to_string(where.line);
  out += ": ";
  if (!field.empty()) {
    out += field;
    out += ": ";
  }
  out += reason;
  return out;
}

Result<InputFormat> input_format(const std::string& path) {
  std::string name = ascii_lower(std::filesystem::path(path).filename().string());
  if (ends_with(name, ".gz")) name.resize(name.size() - 3);
  if (ends_with(name, ".jsonl")) return InputFormat::kJsonLines;
  if (ends_with(name, ".csv")) return InputFormat::kCsv;
  return Status::invalid_argument(path + ": unsupported format: expected .jsonl or .csv, " +
                                  "optionally gzip-compressed (.jsonl.gz, .csv.gz)");
}

Result<InputFile> classify_input(const std::string& arg) {
  static constexpr std::array<std::pair<std::string_view, RecordKind>, 6> kKinds = {{
      {"credentials", RecordKind::kCredentials},
      {"competencies", RecordKind::kCompetencies},
      {"skills", RecordKind::kSkills},
      {"jobs", RecordKind::kJobs},
      {"occupations", RecordKind::kJobs},
      {"requirements", RecordKind::kRequirements},
  }};
  constexpr std::string_view kKindList =
      "credentials, competencies, skills, jobs, occupations or requirements";
  InputFile input{RecordKind::kCredentials, arg};
  bool found = false;
  // "KIND=PATH" when the part before '=' is a plain word; otherwise '=' belongs to the path.
  const size_t eq = arg.find('=');
  const std::string prefix = eq == std::string::npos ? "" : arg.substr(0, eq);
  const bool is_word = !prefix.empty() && std::all_of(prefix.begin(), prefix.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  });
  if (is_word) {
    for (const auto& [name, kind] : kKinds) {
      if (ascii_lower(prefix) == name) {
        input = {kind, arg.substr(eq + 1)};
        found = true;
      }
    }
    if (!found) {
      return Status::invalid_argument(arg + ": unknown kind '" + prefix + "' (expected " +
                                      std::string(kKindList) + ")");
    }
    if (input.path.empty()) return Status::invalid_argument(arg + ": missing path after '='");
  } else {
    const std::string base = ascii_lower(std::filesystem::path(arg).filename().string());
    for (const auto& [name, kind] : kKinds) {
      if (base.rfind(name, 0) == 0) {
        input.kind = kind;
        found = true;
      }
    }
    if (!found) {
      return Status::invalid_argument(
          arg + ": cannot tell the kind of records from the file name: it should start with " +
          std::string(kKindList) + ", or write KIND=PATH (e.g. credentials=" + arg + ")");
    }
  }
  auto format = input_format(input.path);
  if (!format) return format.status();
  return input;
}

Status parse_input(const InputFile& input, RecordVisitor& visitor) {
  auto format = input_format(input.path);
  if (!format) return format.status();
  return *format == InputFormat::kJsonLines ? parse_json_lines(input, visitor)
                                            : parse_csv(input, visitor);
}

Result<Job> parse_job_json(std::string_view text, std::string_view source, bool require_id) {
  const SourceLocation where{source, 0};
  if (auto bad = invalid_utf8_offset(text)) {
    return Status::invalid_argument(located_message(where, "", utf8_reason(text, *bad)));
  }
  if (auto deep = json_too_deep_at(text)) {
    return Status::invalid_argument(located_message(where, "", too_deep_reason(*deep)));
  }
  json obj;
  try {
    obj = json::parse(text);
  } catch (const json::exception& e) {
    return Status::invalid_argument(
        located_message(where, "", "invalid JSON: " + json_error_text(e, false)));
  }
  if (!obj.is_object()) {
    return Status::invalid_argument(
        located_message(where, "", std::string("expected a JSON object, got ") + json_type(obj)));
  }
  Job job;
  CREDMATCH_RETURN_IF_ERROR(read_json_job(JsonObject(obj, where, ""), require_id, &job));
  return job;
}

Status RecordCollector::on_credential(const Credential& c, const SourceLocation& where) {
  credentials.push_back(c);
  lines.push_back(where.line);
  return Status::ok();
}
Status RecordCollector::on_competency(const Competency& c, const SourceLocation& where) {
  competencies.push_back(c);
  lines.push_back(where.line);
  return Status::ok();
}
Status RecordCollector::on_skill(const Skill& s, const SourceLocation& where) {
  skills.push_back(s);
  lines.push_back(where.line);
  return Status::ok();
}
Status RecordCollector::on_job(const Job& j, const SourceLocation& where) {
  jobs.push_back(j);
  lines.push_back(where.line);
  return Status::ok();
}
Status RecordCollector::on_requirement(const RequirementRecord& r, const SourceLocation& where) {
  requirements.push_back(r);
  lines.push_back(where.line);
  return Status::ok();
}

}  // namespace credmatch::engine
