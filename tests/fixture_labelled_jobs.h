// Labelled jobs for the fixture catalog (tests/data/match): what the employer task and the
// catalog's relevance fit read (relevance/training.h load_labelled_jobs).
#pragma once

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "relevance/training.h"
#include "tests/test_util.h"

namespace credmatch::testing_util {

struct Labelled {
  const char* title;
  std::vector<const char*> requirements;
  std::vector<const char*> relevant;
};

// A SOC-like code whose fold (fold_of_group) is `fold`.
inline std::string soc_in_fold(int fold, int nth) {
  int seen = 0;
  for (int i = 0;; ++i) {
    const std::string soc = "99-" + std::to_string(1000 + i);
    if (engine::fold_of_group(soc, 5) == fold && seen++ == nth) return soc;
  }
}

/// Writes the fixture's 11 labelled jobs (10 with a credential of the fixture catalog, two per
/// fold; 2 relevant ids not in it) to a new temporary file and returns its path.
inline std::string write_fixture_labelled_jobs(const std::string& name) {
  const std::vector<Labelled> jobs = {
      {"Database Administrators", {"Write SQL queries", "Design database tables"}, {"t:sql"}},
      {"Python Programmers", {"Write Python scripts", "Analyse data with pandas"}, {"t:python"}},
      {"Release Engineers", {"Track changes with Git", "Merge branches"}, {"t:git"}},
      {"System Operators", {"Run commands in the Unix shell", "Write shell scripts"}, {"t:shell"}},
      {"Practical Nurses, Except Trainees", {"Administer medication", "Monitor patients"},
       {"t:nursing", "cip:not-in-catalog"}},
      {"Farm Workers", {"Operate agricultural machinery", "Tend crops"}, {"t:farm"}},
      {"Statisticians", {"Fit statistical models in R", "Test hypotheses"}, {"t:stats"}},
      {"Spreadsheet Clerks", {"Build spreadsheets", "Use formulas for data"}, {"t:excel"}},
      {"Cooks", {"Prepare dishes in a professional kitchen"}, {"t:cuisine"}},
      {"Data Analysts", {"Write SQL queries", "Plot data with Python"}, {"t:sql", "t:python"}},
      {"Unknown Job", {"Juggle"}, {"cip:not-in-catalog"}},
  };
  const std::string path = unique_temp_path(name).string();
  std::ofstream out(path);
  for (size_t i = 0; i < jobs.size(); ++i) {
    nlohmann::json j;
    j["id"] = "job:" + std::to_string(i);
    j["soc"] = soc_in_fold(int(i % 5), int(i / 5));
    j["title"] = jobs[i].title;
    j["requirements"] = jobs[i].requirements;
    j["relevant"] = jobs[i].relevant;
    out << j.dump() << "\n";
  }
  return path;
}

}  // namespace credmatch::testing_util
