// The JSON Lines reader of ingest (docs/formats.md) and the job JSON of --job and the API.
#include <nlohmann/json.hpp>

#include "base/json_depth.h"
#include "store/ingest_internal.h"
#include "text/line_reader.h"

namespace credmatch::engine {
namespace ingest_detail {
namespace {

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
    if (out->find('\0') != std::string::npos) return fail(name, kNulReason);
    return Status::ok();
  }

  // Leaves *out unchanged when the field is absent or null.
  Status optional_string(std::string_view name, std::string* out) const {
    const json* v = find(name);
    if (v == nullptr) return Status::ok();
    if (!v->is_string()) return fail(name, "must be a string, got " + describe(*v));
    if (v->get_ref<const std::string&>().find('\0') != std::string::npos) return fail(name, kNulReason);
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
      if (e.get_ref<const std::string&>().find('\0') != std::string::npos) return fail(field, kNulReason);
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

}  // namespace

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

}  // namespace ingest_detail

using namespace ingest_detail;

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

}  // namespace credmatch::engine
