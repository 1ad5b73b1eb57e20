#include "match/job_text.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "match/job_input.h"
#include "text/normalize.h"

namespace credmatch::engine {
namespace {

std::vector<std::string> texts(const std::vector<Requirement>& reqs) {
  std::vector<std::string> out;
  for (const Requirement& r : reqs) out.push_back(r.text);
  return out;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  for (size_t end; (end = text.find('\n', start)) != std::string::npos; start = end + 1) {
    lines.push_back(text.substr(start, end - start));
  }
  lines.push_back(text.substr(start));
  return lines;
}

TEST(SplitRequirements, SplitsBulletsSentencesAndSemicolons) {
  const auto reqs = split_requirements(
      "Requirements:\n"
      "- Write SQL queries; build dashboards.\n"
      "• Experience with Python. Knowledge of statistics\n"
      "\n"
      "Nice to have:\n"
      "1. French language skills\n"
      "Familiarity with Docker is an asset.\n");
  ASSERT_EQ(reqs.size(), 6u);
  EXPECT_EQ(reqs[0].text, "Write SQL queries");
  EXPECT_EQ(reqs[1].text, "build dashboards");
  EXPECT_EQ(reqs[2].text, "Experience with Python");
  EXPECT_EQ(reqs[3].text, "Knowledge of statistics");
  EXPECT_EQ(reqs[4].text, "French language skills");
  for (int i = 0; i < 4; ++i) EXPECT_EQ(reqs[size_t(i)].importance, Importance::kEssential) << i;
  EXPECT_EQ(reqs[4].importance, Importance::kOptional);
  EXPECT_EQ(reqs[5].importance, Importance::kOptional);
}

TEST(SplitRequirements, HandlesFrenchPostingsAndDropsEmptyFragments) {
  const auto reqs =
      split_requirements("Gérer une base de données ; rédiger des rapports.  ...\n- \n");
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[0].text, "Gérer une base de données");
  EXPECT_EQ(reqs[1].text, "rédiger des rapports");
}

TEST(ReadPosting, TakesTheTitleLineAsTitleNotAsARequirement) {
  const PostingParts p = read_posting(
      "Cybersecurity Analyst - Regional Credit Union\n"
      "Prairie Valley Credit Union - Regina, SK\n"
      "\n"
      "Qualifications:\n"
      "- 2+ years in IT security\n"
      "- Knowledge of TCP/IP\n");
  EXPECT_EQ(p.title, "Cybersecurity Analyst");
  EXPECT_EQ(texts(p.requirements),
            (std::vector<std::string>{"2+ years in IT security", "Knowledge of TCP/IP"}));

  const PostingParts bare = read_posting("Data Analyst\n\nWrite SQL queries.\nBuild dashboards.\n");
  EXPECT_EQ(bare.title, "Data Analyst");
  EXPECT_EQ(texts(bare.requirements),
            (std::vector<std::string>{"Write SQL queries", "Build dashboards"}));

  const PostingParts labelled = read_posting("Job title: Welder (m/f/x)\n\n- Weld steel\n");
  EXPECT_EQ(labelled.title, "Welder");
  EXPECT_EQ(texts(labelled.requirements), (std::vector<std::string>{"Weld steel"}));
}

TEST(ReadPosting, CutsEmployerScheduleAndPlaceFromTheTitleOnlyWhereClear) {
  const std::map<std::string, std::string> titles = {
      {"Welder / Fabricator - Day Shift", "Welder / Fabricator"},
      {"Soudeur-assembleur / Soudeuse-assembleuse - quart de jour",
       "Soudeur-assembleur / Soudeuse-assembleuse"},
      {"Data Analyst | Northwind Retail Group", "Data Analyst"},
      {"Data Analyst \u2013 Toronto, ON", "Data Analyst"},
      {"Analyste de donn\u00e9es - Northwind",
       "Analyste de donn\u00e9es"},  // the header line's name
      {"Technicien (H/F) - Acme inc.", "Technicien"},
      {"Mechanic - Remote - Acme Ltd.", "Mechanic"},
      {"Licensed Practical Nurse (LPN) - Long-Term Care",
       "Licensed Practical Nurse (LPN) - Long-Term Care"},
      {"Technicien(ne) en soutien informatique - niveau 1",
       "Technicien(ne) en soutien informatique - niveau 1"},
      {"Infirmier(\u00e8re) auxiliaire - CHSLD", "Infirmier(\u00e8re) auxiliaire - CHSLD"},
      {"Front-End Developer", "Front-End Developer"},
  };
  for (const auto& [line, title] : titles) {
    const PostingParts p = read_posting(line + "\nNorthwind Market - Toronto, ON\n\n- Write SQL\n");
    EXPECT_EQ(p.title, title) << line;
    EXPECT_EQ(texts(p.requirements), (std::vector<std::string>{"Write SQL"})) << line;
  }
}

TEST(ReadPosting, KeepsTheFirstRequirementWhenThereIsNoTitleLine) {
  const std::vector<std::string> postings = {
      "Write SQL queries\nBuild dashboards\n",                 // consecutive requirement lines
      "- Write SQL queries\n- Build dashboards\n",             // a list
      "Write SQL queries.\n\nBuild dashboards.\n",             // a sentence
      "Write SQL queries; build dashboards\n",                 // one line
      "Experience with SQL\n\nBuild dashboards\n",             // a requirement word
      "Requirements:\nWrite SQL queries\nBuild dashboards\n",  // a heading
      "write SQL queries\n\nbuild dashboards\n",               // lower case
  };
  for (const std::string& text : postings) {
    const PostingParts p = read_posting(text);
    EXPECT_EQ(p.title, "") << text;
    ASSERT_EQ(p.requirements.size(), 2u) << text;
    EXPECT_EQ(normalize(p.requirements[0].text), normalize(split_requirements(text)[0].text))
        << text;
  }
  EXPECT_EQ(read_posting("Data Analyst").title, "");  // a single line is what the job asks
  EXPECT_EQ(texts(read_posting("Data Analyst").requirements),
            (std::vector<std::string>{"Data Analyst"}));
}

// The boilerplate sentences sit in a kept section (after "Nice to have"), so the sentence
// rules drop them; the headed sections after them are dropped whole.
TEST(ReadPosting, DropsBlurbBenefitsPayEqualOpportunityAndHowToApplyInEnglish) {
  const PostingParts p = read_posting(
      "Warehouse Associate\n"
      "Acme Logistics Inc. - Calgary, AB\n"
      "$22.50/hour, full-time\n"
      "\n"
      "Acme moves freight for 300 retailers across the Prairies. We believe in safety first.\n"
      "\n"
      "About us\n"
      "Acme was founded in 1982 and now runs 12 warehouses.\n"
      "\n"
      "What you'll do:\n"
      "- Pick and pack orders with an RF scanner\n"
      "- Operate a counterbalance forklift\n"
      "\n"
      "Requirements:\n"
      "- Forklift certification\n"
      "- Able to lift 50 lb\n"
      "\n"
      "Nice to have: WHMIS training\n"
      "\n"
      "Full-time, permanent\n"
      "Monday to Friday, 7 a.m. to 3:30 p.m.\n"
      "Starting wage $22.50/hour.\n"
      "We offer a pension plan and paid vacation.\n"
      "We are a family-owned company with 40 years of history.\n"
      "Send your resume to jobs@acme.example by May 1.\n"
      "Acme is an equal opportunity employer. Accommodations are available upon request.\n"
      "We thank all applicants; only those selected for an interview will be contacted.\n"
      "\n"
      "Perks\n"
      "- Dental plan\n"
      "- Free parking\n"
      "Schedule: rotating weekends\n"
      "Salary: $45,000 per year\n"
      "How to apply\n"
      "Email careers@acme.example with the job number.\n");
  EXPECT_EQ(p.title, "Warehouse Associate");
  EXPECT_EQ(texts(p.requirements),
            (std::vector<std::string>{"Pick and pack orders with an RF scanner",
                                      "Operate a counterbalance forklift", "Forklift certification",
                                      "Able to lift 50 lb", "WHMIS training"}));
  EXPECT_EQ(p.requirements[3].importance, Importance::kEssential);
  EXPECT_EQ(p.requirements[4].importance, Importance::kOptional);
}

TEST(ReadPosting, DropsBlurbBenefitsPayEqualOpportunityAndHowToApplyInFrench) {
  const PostingParts p = read_posting(
      "Pr\u00e9pos\u00e9(e) \u00e0 l'entrep\u00f4t\n"
      "Logistique Acme lt\u00e9e - Laval (QC)\n"
      "\n"
      "Qui sommes-nous ?\n"
      "Acme d\u00e9place la marchandise de 300 d\u00e9taillants depuis 1982.\n"
      "\n"
      "Responsabilit\u00e9s :\n"
      "- Pr\u00e9parer les commandes avec un lecteur optique\n"
      "- Conduire un chariot \u00e9l\u00e9vateur\n"
      "\n"
      "Exigences :\n"
      "- Formation de cariste\n"
      "\n"
      "Atouts :\n"
      "- Formation SIMDUT\n"
      "Temps plein, permanent\n"
      "Taux horaire de 24 $ selon l'exp\u00e9rience.\n"
      "Nous offrons un salaire concurrentiel et quatre semaines de vacances.\n"
      "Notre \u00e9quipe compte 80 personnes passionn\u00e9es.\n"
      "Pour postuler, faites parvenir votre CV \u00e0 emplois@acme.example.\n"
      "Nous souscrivons au principe d'\u00e9quit\u00e9 en mati\u00e8re d'emploi. Des mesures "
      "d'adaptation sont offertes sur demande.\n"
      "Nous remercions toutes les personnes candidates; seules les personnes retenues seront "
      "contact\u00e9es.\n"
      "\n"
      "Ce que nous offrons :\n"
      "- Assurances collectives\n"
      "- R\u00e9gime de retraite\n"
      "R\u00e9mun\u00e9ration : 24 $ de l'heure\n"
      "Horaire : du lundi au vendredi, de 7 h \u00e0 15 h 30\n"
      "\u00c0 propos de nous\n"
      "Une entreprise familiale fond\u00e9e en 1982.\n");
  EXPECT_EQ(p.title, "Pr\u00e9pos\u00e9(e) \u00e0 l'entrep\u00f4t");
  EXPECT_EQ(texts(p.requirements),
            (std::vector<std::string>{"Pr\u00e9parer les commandes avec un lecteur optique",
                                      "Conduire un chariot \u00e9l\u00e9vateur",
                                      "Formation de cariste", "Formation SIMDUT"}));
  EXPECT_EQ(p.requirements[2].importance, Importance::kEssential);
  EXPECT_EQ(p.requirements[3].importance, Importance::kOptional);
}

TEST(ReadPosting, KeepsRequirementsThatOnlyMentionPayBenefitsOrApplying) {
  const std::vector<std::string> kept = {
      "Process bi-weekly payroll and salary adjustments",
      "Administer the group benefits plan and pension remittances",
      "Experience in the accommodation and food services sector",
      "Apply safety procedures on the shop floor",
      "Ability to apply accounting standards",
      "Manage a $2M annual budget",
      "Pr\u00e9parer la paie aux deux semaines",
      "Available for rotating night shifts and weekends",
      "Our clients' data must be handled with care",
  };
  std::string text = "Payroll Administrator\n\nRequirements:\n";
  for (const std::string& k : kept) text += "- " + k + "\n";
  const PostingParts p = read_posting(text);
  EXPECT_EQ(p.title, "Payroll Administrator");
  EXPECT_EQ(texts(p.requirements), kept);
}

TEST(ReadPosting, ReadsRequirementHeadingsAsSplitRequirementsDoes) {
  const std::string text =
      "Requirements:\n"
      "- Write SQL queries; build dashboards.\n"
      "\u2022 Experience with Python. Knowledge of statistics\n"
      "\n"
      "Nice to have:\n"
      "1. French language skills\n"
      "Familiarity with Docker is an asset.\n"
      "\n"
      "Exigences :\n"
      "- Conna\u00eetre Excel\n"
      "Atouts :\n"
      "- Anglais\n";
  const PostingParts p = read_posting(text);
  const std::vector<Requirement> split = split_requirements(text);
  EXPECT_EQ(p.title, "");
  ASSERT_EQ(p.requirements.size(), split.size());
  for (size_t i = 0; i < split.size(); ++i) {
    EXPECT_EQ(p.requirements[i].text, split[i].text) << i;
    EXPECT_EQ(p.requirements[i].importance, split[i].importance) << i;
  }
  EXPECT_EQ(p.requirements.back().importance, Importance::kOptional);
  EXPECT_EQ(p.requirements[p.requirements.size() - 2].importance, Importance::kEssential);
}

// tests/data/postings/postings.jsonl: the title a person would give each job, and its
// requirements, which are exactly the posting's bulleted duties and requirements plus its
// "Nice to have: / Bonus: / An asset: / Atout :" line (the rest is blurb, benefits, equal
// opportunity and thanks).
TEST(ReadPosting, ReadsEveryFixturePostingAsAPersonWould) {
  const std::map<std::string, std::pair<std::string, size_t>> expected = {
      {"lpn-en", {"Licensed Practical Nurse (LPN) - Long-Term Care", 10}},
      {"lpn-fr", {"Infirmier(\u00e8re) auxiliaire - CHSLD", 10}},
      {"welder-en", {"Welder / Fabricator", 10}},
      {"welder-fr", {"Soudeur-assembleur / Soudeuse-assembleuse", 10}},
      {"bookkeeper-en", {"Accounting Technician / Bookkeeper", 10}},
      {"bookkeeper-fr", {"Technicien(ne) en comptabilit\u00e9", 11}},
      {"helpdesk-en", {"IT Help Desk Technician (Tier 1)", 9}},
      {"helpdesk-fr", {"Technicien(ne) en soutien informatique - niveau 1", 9}},
      {"cyber-en", {"Cybersecurity Analyst", 10}},
      {"cyber-fr", {"Analyste en cybers\u00e9curit\u00e9", 10}},
      {"data-analyst-en", {"Data Analyst", 11}},
      {"data-analyst-fr", {"Analyste de donn\u00e9es", 11}},
      {"electrician-en",
       {"Construction Electrician (Journeyperson or 3rd/4th year Apprentice)", 9}},
      {"electrician-fr", {"\u00c9lectricien(ne) en construction", 9}},
  };
  std::ifstream in(std::string(CREDMATCH_TEST_DATA_DIR) + "/postings/postings.jsonl");
  ASSERT_TRUE(in) << "cannot open postings.jsonl";
  size_t n = 0;
  for (std::string row; std::getline(in, row);) {
    if (row.empty()) continue;
    const nlohmann::json posting = nlohmann::json::parse(row);
    const std::string id = posting.at("id");
    const std::string text = posting.at("text");
    ASSERT_TRUE(expected.contains(id)) << id;
    ++n;

    // What a reader takes for requirements: bullets (split at ';') and the optional line.
    std::vector<std::string> wanted;
    std::vector<bool> wanted_optional;
    for (const std::string& line : lines_of(text)) {
      const bool bullet = line.starts_with("- ");
      const size_t colon = line.find(':');
      const std::string label = colon == std::string::npos ? "" : line.substr(0, colon);
      const bool optional_line = !bullet && (label == "Nice to have" || label == "Bonus" ||
                                             label == "An asset" || label == "Atout ");
      if (!bullet && !optional_line) continue;
      std::string body = bullet ? line.substr(2) : line.substr(colon + 2);
      if (body.ends_with('.')) body.pop_back();
      for (size_t cut; (cut = body.find("; ")) != std::string::npos; body = body.substr(cut + 2)) {
        wanted.push_back(body.substr(0, cut));
        wanted_optional.push_back(optional_line);
      }
      wanted.push_back(body);
      wanted_optional.push_back(optional_line);
    }
    ASSERT_EQ(wanted.size(), expected.at(id).second) << id << ": the test's own reading";

    const PostingParts p = read_posting(text);
    EXPECT_EQ(p.title, expected.at(id).first) << id;
    EXPECT_EQ(texts(p.requirements), wanted) << id;
    for (size_t i = 0; i < p.requirements.size() && i < wanted.size(); ++i) {
      if (wanted_optional[i])
        EXPECT_EQ(p.requirements[i].importance, Importance::kOptional) << id << " " << i;
    }
  }
  EXPECT_EQ(n, expected.size());
}

TEST(JobFromPosting, TitlesTheJobWithItsTitleLineAndLeavesTheBoilerplateOut) {
  auto job = job_from_posting(
      "Data Analyst\nNorthwind - Toronto, ON\n\nRequirements:\n- SQL\n\nWe offer a pension "
      "plan.\n");
  ASSERT_TRUE(job.is_ok()) << job.status().message();
  EXPECT_EQ(job->title, "Data Analyst");
  EXPECT_EQ(texts(job->requirements), (std::vector<std::string>{"SQL"}));

  auto untitled = job_from_posting("Requirements:\n- SQL\n- Python\n");
  ASSERT_TRUE(untitled.is_ok()) << untitled.status().message();
  EXPECT_EQ(untitled->title, "");
  EXPECT_EQ(untitled->requirements.size(), 2u);

  auto only_boilerplate = job_from_posting("Data Analyst\n\nWe offer a pension plan.\n");
  EXPECT_FALSE(only_boilerplate.is_ok());
}

}  // namespace
}  // namespace credmatch::engine
