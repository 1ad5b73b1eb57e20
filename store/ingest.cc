#include "store/ingest.h"

#include <filesystem>

#include "store/ingest_internal.h"

namespace credmatch::engine {
namespace {

using namespace ingest_detail;

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
