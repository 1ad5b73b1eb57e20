// Internal to store/: the checks and message helpers the JSON Lines reader
// (store/ingest_json.cc) and the CSV reader (store/ingest_csv.cc) share, and their entry
// points for parse_input() (store/ingest.cc).
#pragma once

#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "store/ingest.h"

namespace credmatch::engine::ingest_detail {

using nlohmann::json;
using Fields = std::initializer_list<std::string_view>;

std::string ascii_lower(std::string_view s);
bool is_blank(std::string_view s);
/// "a, b, c".
std::string join(Fields names);
/// Byte offset of the first invalid UTF-8 sequence (overlong forms, surrogates and code
/// points above U+10FFFF count as invalid), or nullopt when `s` is valid.
std::optional<size_t> invalid_utf8_offset(std::string_view s);
/// Cuts `s` to at most `max` bytes without splitting a UTF-8 sequence.
std::string utf8_prefix(std::string_view s, size_t max);
/// "invalid UTF-8 at byte N (after \"...\")".
std::string utf8_reason(std::string_view text, size_t offset);
/// A JSON value as the user wrote it, for "got ..." in messages.
std::string describe(const json& v);
std::string quote(std::string_view s);
/// "an object", "an array", "a string", "a boolean", "a number" or "null".
const char* json_type(const json& v);

inline constexpr std::string_view kNumberReason = "must be a number >= 0";
/// A NUL byte would cut the text short wherever it is read as a C string.
inline constexpr std::string_view kNulReason = "contains a NUL byte, which text cannot hold";
inline constexpr std::string_view kKindReason = R"(must be "teaches", "assesses" or "requires")";
inline constexpr std::string_view kImportanceReason = R"(must be "essential" or "optional")";

/// Ids seen earlier in the same file, to report duplicates with both lines.
class SeenIds {
 public:
  /// The line the id was first seen on, or 0 (and remembers it) when new.
  int64_t first_line(const std::string& id, int64_t line) {
    auto [it, inserted] = lines_.try_emplace(id, line);
    return inserted ? 0 : it->second;
  }

 private:
  std::unordered_map<std::string, int64_t> lines_;
};

/// Per-file checks shared by both formats: default competency ids, duplicates,
/// self-references.
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

/// Reads a JSON Lines file of `input.kind` records (store/ingest_json.cc).
Status parse_json_lines(const InputFile& input, RecordVisitor& visitor);
/// Reads a CSV file of `input.kind` records (store/ingest_csv.cc).
Status parse_csv(const InputFile& input, RecordVisitor& visitor);

}  // namespace credmatch::engine::ingest_detail
