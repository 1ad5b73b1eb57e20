// Turning a free-text job posting into requirement statements.
//
// split_requirements() breaks text at line ends, bullets (•, ·, -, *, numbered items),
// semicolons and sentence ends, drops headings ("Requirements:", "What you'll do:") and
// fragments without a content word, and marks every statement essential unless it sits under
// a heading or starts with a phrase that says otherwise ("nice to have", "an asset",
// "atout", "un plus", "preferred", "optional", "bonus").
//
// Pure functions, safe from any thread.
#pragma once

#include <string_view>
#include <vector>

#include "store/records.h"

namespace credmatch::engine {

std::vector<Requirement> split_requirements(std::string_view text);

}  // namespace credmatch::engine
