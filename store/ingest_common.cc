#include "store/ingest_internal.h"

#include <utf8proc.h>

#include <algorithm>

#include "base/strings.h"

namespace credmatch::engine::ingest_detail {

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

}  // namespace credmatch::engine::ingest_detail
