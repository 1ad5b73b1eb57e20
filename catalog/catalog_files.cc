#include "catalog/catalog_files.h"

#include <filesystem>

namespace credmatch::engine {

void restore_interrupted_swap(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path target = fs::absolute(fs::path(dir), ec).lexically_normal();
  if (!target.has_filename()) target = target.parent_path();  // "cat/" names "cat"
  const fs::path old = target.string() + ".old";
  if (!fs::exists(target, ec) && fs::is_directory(old, ec)) fs::rename(old, target, ec);
}

}  // namespace credmatch::engine
