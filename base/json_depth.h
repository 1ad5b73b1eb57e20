// A nesting limit for JSON text from outside the process.
//
// nlohmann's parser is iterative, but dumping, comparing and walking a parsed value recurse once
// per level: a 120 KB body of 60,000 nested arrays exhausts a thread's stack. Every parser of
// outside JSON (HTTP bodies, job and profile files, JSON Lines ingest) refuses such text before
// parsing it.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace credmatch {

/// Deeper than any document we read (a job or a credential record nests 3-4 levels).
inline constexpr int kMaxJsonDepth = 64;

/// The byte offset of the bracket that opens the (max_depth + 1)-th nested array or object of
/// `text`, counting only brackets outside strings; nullopt when the nesting stays within
/// `max_depth`. Does not validate the JSON (the parser does that); linear, no allocation.
std::optional<size_t> json_too_deep_at(std::string_view text, int max_depth = kMaxJsonDepth);

}  // namespace credmatch
