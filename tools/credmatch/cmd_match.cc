// `credmatch match`: rank credentials for a job (JSON file, free text or an occupation) with
// per-requirement evidence.
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <iostream>

#include "service/api.h"
#include "catalog/loaded_catalog.h"
#include "match/job_input.h"
#include "match/matcher.h"
#include "tools/credmatch/cli.h"
#include "tools/credmatch/worker_job_args.h"

namespace credmatch::cli {
namespace {

struct MatchArgs {
  std::string job_file;
  std::string text;
  std::string occupation;
  int top = 10;
  float threshold = engine::MatchConfig{}.threshold;
  int neighbours = engine::MatchConfig{}.neighbours;
  std::string evidence = "all";
};

Result<engine::Job> load_job(const engine::CatalogStore& store, const MatchArgs& a) {
  if (!a.job_file.empty()) return engine::job_from_file(a.job_file);
  if (!a.text.empty()) {
    auto job = engine::job_from_posting(a.text);
    if (!job) return job.status().with_context("--text");
    return job;
  }
  return engine::job_from_occupation(store, a.occupation);
}

// A posting without a title line gives a job with an empty title.
std::string job_name(const engine::Job& job) {
  return job.title.empty() ? "(posting without a title line)" : job.title;
}

std::string shorten(const std::string& s, size_t n) {
  if (s.size() <= n) return s;
  size_t cut = n;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;  // UTF-8 safe
  return s.substr(0, cut) + "…";
}

std::string money(const engine::Credential& c) {
  if (!c.cost) return "cost unknown";
  char buf[48];
  std::snprintf(buf, sizeof buf, "%s %.0f", c.currency.c_str(), *c.cost);
  return buf;
}

std::string hours(const engine::Credential& c) {
  if (!c.hours) return "hours unknown";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f h", *c.hours);
  return buf;
}

void print_text(const engine::LoadedCatalog& cat, const engine::Job& job,
                const engine::MatchConfig& config, const engine::MatchResult& r, double ms,
                const std::string& evidence_mode) {
  int essential = 0;
  for (const auto& q : job.requirements) essential += q.importance == engine::Importance::kEssential;
  std::printf("Job: %s (%zu requirements: %d essential, %zu optional)\n", job_name(job).c_str(),
              job.requirements.size(), essential, job.requirements.size() - size_t(essential));
  std::printf("Matched against %zu credentials, %zu competencies in %.1f ms (%s; threshold %.2f)\n\n",
              cat.credentials().size(), cat.competencies().size(), ms,
              r.ranking == engine::Ranking::kRelevance ? "ranked by relevance to the job"
                                                       : "ranked by requirement coverage",
              double(config.threshold));
  if (const std::string note = engine::match_note(r); !note.empty()) {
    std::printf("%s\n\n", note.c_str());
  }
  if (r.credentials.empty()) {
    std::printf("No credential covers any requirement at threshold %.2f.\n", double(config.threshold));
  }
  int rank = 0;
  for (const auto& m : r.credentials) {
    const auto& c = cat.credentials()[size_t(m.credential)];
    std::printf("%2d. %s\n", ++rank, c.title.c_str());
    std::string line;
    for (const std::string& part : {c.provider, c.kind, hours(c), money(c), "id " + c.id}) {
      if (part.empty()) continue;
      line += (line.empty() ? "" : " · ") + part;
    }
    std::printf("    %s\n", line.c_str());
    if (m.relevance >= 0) {
      std::printf("    %s (relevance %.2f)\n", engine::match_headline(m).c_str(), m.relevance);
    } else {
      std::printf("    %s (score %.3f)\n", engine::match_headline(m).c_str(), m.score);
    }
    if (evidence_mode == "none") continue;
    for (const auto& e : m.evidence) {
      const auto& q = job.requirements[size_t(e.requirement)];
      if (!e.covered && evidence_mode == "covered") continue;
      const char* tag = q.importance == engine::Importance::kEssential ? "E" : "o";
      if (e.covered) {
        std::printf("      + [%s] %s\n          <- \"%s\" (%.2f%s%s)\n", tag,
                    shorten(q.text, 70).c_str(), shorten(e.competency_text, 90).c_str(),
                    double(e.score), e.shared_terms.empty() ? "" : "; shared: ",
                    [&] {
                      std::string s;
                      for (size_t i = 0; i < e.shared_terms.size(); ++i) s += (i ? ", " : "") + e.shared_terms[i];
                      return s;
                    }().c_str());
      } else {
        std::printf("      - [%s] %s: no match (best %.2f)\n", tag, shorten(q.text, 70).c_str(),
                    double(e.score));
      }
    }
    std::printf("\n");
  }
  std::vector<std::string> uncovered;
  for (size_t i = 0; i < job.requirements.size(); ++i) {
    if (!r.requirements[i].covered_by_catalog) uncovered.push_back(job.requirements[i].text);
  }
  if (!uncovered.empty()) {
    std::printf("No credential in the catalog covers %zu of %zu requirements:\n", uncovered.size(),
                job.requirements.size());
    for (const auto& u : uncovered) std::printf("  - %s\n", shorten(u, 90).c_str());
  }
}

int run_match(const GlobalOptions& g, const MatchArgs& a) {
  const int sources = !a.job_file.empty() + !a.text.empty() + !a.occupation.empty();
  if (sources != 1) return fail("give exactly one of --job FILE, --text \"...\", --occupation NAME");
  auto cat = engine::LoadedCatalog::open(catalog_dir(g));
  if (!cat) return fail(cat.status());
  auto job = load_job((*cat)->store(), a);
  if (!job) return fail(job.status());
  engine::MatchConfig config;
  config.top = a.top;
  config.threshold = a.threshold;
  config.neighbours = a.neighbours;
  engine::Matcher matcher(**cat, config);
  const auto t0 = std::chrono::steady_clock::now();
  auto result = matcher.match(*job);
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  if (!result) return fail(result.status());
  spdlog::debug("match: {} requirements, {} candidates rescored, {:.2f} ms",
                job->requirements.size(), result->candidates_rescored, ms);
  if (g.json) {
    std::cout << engine::api::match_to_json(**cat, *job, config, *result, ms).dump(2) << "\n";
  } else {
    print_text(**cat, *job, config, *result, ms, a.evidence);
  }
  return 0;
}

}  // namespace

void add_match_command(CLI::App& app, GlobalOptions& g) {
  auto args = std::make_shared<MatchArgs>();
  CLI::App* cmd = app.add_subcommand("match", "Rank credentials for a job, with evidence per requirement");
  cmd->add_option("--job", args->job_file, "Job JSON file (docs/formats.md)")->type_name("FILE");
  cmd->add_option("--text", args->text, "Job posting as free text; split into requirement statements");
  cmd->add_option("--occupation", args->occupation,
                  "Occupation in the catalog: id/URI, or title (English or French)")
      ->type_name("NAME");
  cmd->add_option("--top", args->top, "Number of credentials")->check(CLI::Range(1, 1000000))->capture_default_str();
  cmd->add_option("--threshold", args->threshold,
                  "Similarity below which a requirement counts as not covered")
      ->check(CLI::Range(-1.0, 1.0))
      ->capture_default_str();
  cmd->add_option("--neighbours", args->neighbours, "Competencies retrieved per requirement")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  cmd->add_option("--evidence", args->evidence, "Text output: all requirements, covered only, or none")
      ->check(CLI::IsMember({"all", "covered", "none"}))
      ->capture_default_str();
  cmd->callback([&g, args] { g_exit_code = run_match(g, *args); });
}

}  // namespace credmatch::cli
