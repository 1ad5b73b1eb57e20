#include "index/index_options.h"

#include <charconv>
#include <limits>

#include "base/error.h"

namespace credmatch::index {
namespace {

bool parse_int64(std::string_view text, int64_t* out) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return !text.empty() && ec == std::errc() && end == text.data() + text.size();
}

std::string quoted(std::string_view kind, const IndexOption& o) {
  return std::string(kind) + " option '" + std::string(o.text) + "'";
}

}  // namespace

int64_t IndexOption::integer(std::string_view kind, int64_t min, int64_t max) const {
  int64_t v = 0;
  if (has_value && parse_int64(value, &v) && v >= min && v <= max) return v;
  std::string range = max == std::numeric_limits<int64_t>::max()
                          ? ">= " + std::to_string(min)
                          : "in " + std::to_string(min) + " .. " + std::to_string(max);
  throw Error(quoted(kind, *this) + ": expected " + std::string(key) + "=INTEGER " + range);
}

std::vector<IndexOption> parse_index_options(std::string_view spec, std::string_view kind) {
  std::vector<IndexOption> items;
  if (spec.empty()) return items;
  size_t pos = 0;
  while (true) {
    const size_t comma = std::min(spec.find(',', pos), spec.size());
    IndexOption o;
    o.text = spec.substr(pos, comma - pos);
    if (o.text.empty()) {
      throw Error("empty " + std::string(kind) + " option in '" + std::string(spec) +
                  "': options are separated by single commas");
    }
    const size_t eq = o.text.find('=');
    o.key = o.text.substr(0, eq);
    o.has_value = eq != std::string_view::npos;
    if (o.has_value) o.value = o.text.substr(eq + 1);
    items.push_back(o);
    if (comma == spec.size()) break;
    pos = comma + 1;
  }
  return items;
}

void throw_unknown_option(const IndexOption& item, std::string_view kind, std::string_view spec,
                          std::string_view accepted) {
  throw Error("unknown " + std::string(kind) + " option '" + std::string(item.text) + "' in '" +
              std::string(spec) + "': accepted are " + std::string(accepted));
}

std::string RerankOptions::spec() const {
  if (factor == 0) return "";
  return ",rerank=" + std::to_string(factor) + (ondisk ? ",ondisk" : "");
}

std::string take_rerank_options(std::string_view spec, std::string_view kind, RerankOptions* rerank,
                                std::vector<std::string>* warnings) {
  *rerank = RerankOptions{};
  bool ondisk = false;
  std::string rest;
  for (const IndexOption& o : parse_index_options(spec, kind)) {
    if (o.key == "ondisk") {
      if (o.has_value) throw Error(quoted(kind, o) + ": ondisk is a flag, it takes no value");
      ondisk = true;
    } else if (o.key == "rerank" && o.has_value) {
      rerank->factor = static_cast<int>(o.integer(kind, 0, RerankOptions::kMaxFactor));
    } else if (o.key.starts_with("rerank")) {
      // The deprecated spellings: "rerank" (factor 4) and "rerankN".
      const std::string_view digits = o.key.substr(6);
      int64_t factor = RerankOptions::kDefaultFactor;
      CREDMATCH_CHECK(!o.has_value && (digits.empty() || parse_int64(digits, &factor)) &&
                          factor >= 1 && factor <= RerankOptions::kMaxFactor,
                      quoted(kind, o)
                          << ": expected rerank=N, 0 <= N <= " << RerankOptions::kMaxFactor
                          << " (or the deprecated rerank, rerankN with N >= 1)");
      rerank->factor = static_cast<int>(factor);
      if (warnings != nullptr) {
        warnings->push_back(quoted(kind, o) +
                            " is deprecated: write 'rerank=" + std::to_string(factor) + "'");
      }
    } else {
      if (!rest.empty()) rest += ',';
      rest += o.text;
    }
  }
  CREDMATCH_CHECK(!ondisk || rerank->factor > 0,
                  kind << " option 'ondisk' needs rerank=N with N >= 1");
  rerank->ondisk = ondisk;
  return rest;
}

}  // namespace credmatch::index
