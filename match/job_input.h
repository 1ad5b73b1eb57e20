// Turning what a user gives into a Job: a job file (JSON, docs/formats.md), a free-text
// posting, or an occupation of the catalog. The CLI, the HTTP service and the Python module
// all resolve jobs here; each adds its own field name to the messages ("--text: ...",
// "text: ...") and its own size limits.
//
// Thread safety: the functions are safe from several threads (CatalogStore is).
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"
#include "store/catalog_store.h"
#include "store/records.h"

namespace credmatch::engine {

/// The job in the JSON file at `path`; kNotFound "PATH: cannot open", or parse_job_json()'s
/// errors naming the file.
Result<Job> job_from_file(const std::string& path);

/// A job from a posting, read by read_posting() (match/job_text.h): its title line as title
/// (empty when the posting has none), its requirement statements without the employer's
/// blurb, benefits, pay, schedule, how to apply and equal-opportunity lines, and the whole
/// text as description. kInvalidArgument "no requirement statement found in the text" when
/// none is left.
Result<Job> job_from_posting(std::string_view posting);

/// The catalog's occupation with this id or title (CatalogStore::find_job: kNotFound with
/// suggestions).
Result<Job> job_from_occupation(const CatalogStore& store, const std::string& query);

/// A job the matcher and the gap analysis can take: at least one requirement, none empty
/// once normalised. kInvalidArgument naming the job or "requirements[i].text" otherwise.
Status check_job(const Job& job);

}  // namespace credmatch::engine
