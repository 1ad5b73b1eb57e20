// Wall-clock timestamps for records (a catalog's build time, a snapshot's load time).
#pragma once

#include <string>

namespace credmatch {

/// The current time in UTC as ISO 8601 to the second, "2026-12-07T17:04:18Z". Thread-safe.
std::string utc_timestamp();

}  // namespace credmatch
