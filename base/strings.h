// Small string helpers shared by every layer.
#pragma once

#include <string_view>

namespace credmatch {

/// True for the ASCII whitespace our formats separate fields with: space, tab, CR, LF.
constexpr bool is_ascii_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

/// `s` without leading and trailing ASCII whitespace (is_ascii_space); a view into `s`.
std::string_view trim(std::string_view s);

}  // namespace credmatch
