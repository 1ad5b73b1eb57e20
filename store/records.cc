#include "store/records.h"

namespace credmatch::engine {

std::string_view to_string(CompetencyKind kind) {
  switch (kind) {
    case CompetencyKind::kTeaches: return "teaches";
    case CompetencyKind::kAssesses: return "assesses";
    case CompetencyKind::kRequires: return "requires";
  }
  return "teaches";
}

std::string_view to_string(Importance importance) {
  return importance == Importance::kEssential ? "essential" : "optional";
}

std::optional<CompetencyKind> parse_competency_kind(std::string_view s) {
  if (s == "teaches") return CompetencyKind::kTeaches;
  if (s == "assesses") return CompetencyKind::kAssesses;
  if (s == "requires") return CompetencyKind::kRequires;
  return std::nullopt;
}

std::optional<Importance> parse_importance(std::string_view s) {
  if (s == "essential") return Importance::kEssential;
  if (s == "optional") return Importance::kOptional;
  return std::nullopt;
}

}  // namespace credmatch::engine
