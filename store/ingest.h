// Ingest parsers: turn one input file (JSON Lines or CSV, optionally gzip; docs/formats.md)
// into catalog records, calling a visitor once per record so that a large file is never held
// in memory. Every error reads "FILE:LINE: FIELD: REASON", e.g.
//   creds.jsonl:12: hours: must be a number >= 0, got "ten"
//   jobs.jsonl:3: requirements[2].importance: must be "essential" or "optional", got "nice"
//
// Usage:
//   auto input = classify_input("credentials=my_courses.csv");   // or a bare file name
//   RecordCollector records;                                     // or your own RecordVisitor
//   Status s = parse_input(*input, records);
//
// Thread safety: the functions keep no shared state; parse different files on different
// threads freely. A visitor is called on the thread that called parse_input.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "store/records.h"

namespace credmatch::engine {

/// Which kind of records an input file holds (docs/formats.md).
enum class RecordKind { kCredentials, kCompetencies, kSkills, kJobs, kRequirements };

/// "credentials", "competencies", "skills", "jobs", "requirements".
std::string_view to_string(RecordKind kind);

struct InputFile {
  RecordKind kind;
  std::string path;  // .jsonl, .csv, optionally .gz
};

/// Resolves "KIND=PATH" or a bare PATH whose base name starts with the kind
/// ("credentials", "competencies", "skills", "jobs", "occupations", "requirements"; case
/// does not matter). Also checks the extension. Does not open the file.
Result<InputFile> classify_input(const std::string& arg);

enum class InputFormat { kJsonLines, kCsv };

/// The format of `path` from its extension: .jsonl / .jsonl.gz or .csv / .csv.gz (any case);
/// kInvalidArgument for anything else.
Result<InputFormat> input_format(const std::string& path);

/// Where a record came from, for error messages.
struct SourceLocation {
  std::string_view file;  // the path as given
  int64_t line = 0;       // 1-based line on which the record starts; 0 = not line-based
};

/// "FILE:LINE: FIELD: REASON"; the line is left out when 0 and the field when empty.
std::string located_message(const SourceLocation& where, std::string_view field,
                            std::string_view reason);

/// One row of a requirements file: a Requirement and the job it adds to.
struct RequirementRecord {
  std::string job_id;
  Requirement requirement;
};

/// Receives the records of one input file in file order. Only the method matching the file's
/// RecordKind is called. Returning a non-ok Status stops the parse; parse_input returns it
/// unchanged (so a visitor should put the location in it, see located_message).
class RecordVisitor {
 public:
  virtual ~RecordVisitor() = default;
  /// Competencies nested in a credential come inside it, with ids filled in (explicit or
  /// CREDENTIAL_ID#N) and credential_id set.
  virtual Status on_credential(const Credential& credential, const SourceLocation& where) = 0;
  /// One row of a competencies file. `competency.id` is empty when the row gives none; the
  /// store then assigns CREDENTIAL_ID#N (N = its position among the credential's competencies).
  virtual Status on_competency(const Competency& competency, const SourceLocation& where) = 0;
  virtual Status on_skill(const Skill& skill, const SourceLocation& where) = 0;
  /// Requirements nested in a job come inside it.
  virtual Status on_job(const Job& job, const SourceLocation& where) = 0;
  virtual Status on_requirement(const RequirementRecord& requirement,
                                const SourceLocation& where) = 0;
};

/// Parses `input` (format from its extension) and calls `visitor` once per record.
/// Checks done here, each failing with "FILE:LINE: FIELD: REASON" (kInvalidArgument):
/// invalid JSON or CSV quoting, invalid UTF-8, missing required field or column, wrong JSON
/// type, empty id / title / label / text, bad number or enum value, unknown field or column,
/// duplicate id within the file, a credential listing itself as a prerequisite.
/// Cross-file references (unknown credential or job) are the store's to check.
/// File errors: kNotFound, kIOError, kCorruption (bad gzip) from LineReader.
Status parse_input(const InputFile& input, RecordVisitor& visitor);

/// Parses one job in the JSON form of docs/formats.md (CLI --job FILE, HTTP API): a single
/// JSON object, possibly spread over several lines. `source` names it in messages. With
/// `require_id` false a missing id is allowed (left empty).
Result<Job> parse_job_json(std::string_view text, std::string_view source, bool require_id);

/// A RecordVisitor that keeps every record it is given (tests, small inputs).
class RecordCollector : public RecordVisitor {
 public:
  Status on_credential(const Credential& c, const SourceLocation&) override;
  Status on_competency(const Competency& c, const SourceLocation&) override;
  Status on_skill(const Skill& s, const SourceLocation&) override;
  Status on_job(const Job& j, const SourceLocation&) override;
  Status on_requirement(const RequirementRecord& r, const SourceLocation&) override;

  std::vector<Credential> credentials;
  std::vector<Competency> competencies;
  std::vector<Skill> skills;
  std::vector<Job> jobs;
  std::vector<RequirementRecord> requirements;
  std::vector<int64_t> lines;  // the line of every record above, in arrival order
};

}  // namespace credmatch::engine
