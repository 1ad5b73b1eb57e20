#include "match/job_input.h"

#include <fstream>
#include <sstream>

#include "match/job_text.h"
#include "store/ingest.h"
#include "text/normalize.h"

namespace credmatch::engine {

Result<Job> job_from_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::not_found(path + ": cannot open");
  std::stringstream buf;
  buf << in.rdbuf();
  return parse_job_json(buf.str(), path, /*require_id=*/false);
}

Result<Job> job_from_posting(std::string_view posting) {
  PostingParts parts = read_posting(posting);
  Job job;
  job.title = std::move(parts.title);
  job.description = std::string(posting);
  job.requirements = std::move(parts.requirements);
  if (job.requirements.empty()) {
    return Status::invalid_argument("no requirement statement found in the text");
  }
  return job;
}

Status check_job(const Job& job) {
  if (job.requirements.empty()) {
    return Status::invalid_argument("job '" + job.title + "': requirements: must not be empty");
  }
  for (size_t r = 0; r < job.requirements.size(); ++r) {
    if (normalize(job.requirements[r].text).empty()) {
      return Status::invalid_argument("requirements[" + std::to_string(r) + "].text: is empty");
    }
  }
  return Status::ok();
}

Result<Job> job_from_occupation(const CatalogStore& store, const std::string& query) {
  return store.find_job(query);
}

}  // namespace credmatch::engine
