// The CSV reader of ingest (docs/formats.md): a header row naming the columns, one record per
// row, quoted fields may span lines.
#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <span>

#include "base/strings.h"
#include "store/ingest_internal.h"
#include "text/csv.h"

namespace credmatch::engine::ingest_detail {
namespace {

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
      if (fields[i].find('\0') != std::string::npos) {
        return Status::invalid_argument(located_message(where, header_[i], kNulReason));
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

}  // namespace

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

}  // namespace credmatch::engine::ingest_detail
