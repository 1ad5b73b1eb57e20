// Turning a free-text job posting into its title and requirement statements.
//
// Both functions break text at line ends, bullets (•, ·, -, *, numbered items), semicolons and
// sentence ends, drop headings ("Requirements:", "What you'll do:") and fragments without a
// content word, and mark every statement essential unless it sits under a heading or starts
// with a phrase that says otherwise ("nice to have", "an asset", "atout", "un plus",
// "preferred", "optional", "bonus").
//
// read_posting() reads a whole posting as people write it: a title line, the employer's blurb,
// duties and requirements, benefits, pay, how to apply and equal-opportunity lines. Only the
// duties and requirements are something a credential can cover; the rest reads like statements
// too, and as requirements it would only dilute every credential's coverage. The rules
// (match/job_text.cc lists them, with English and French examples) are:
//   1. the first line is the title when it reads like one (short, no sentence punctuation, not
//      a heading, a bullet or a requirement); a clear " - Employer", " - Day shift",
//      " - City, ON" or "(m/f/x)" is cut from it; the employer and place lines under it go;
//   2. sections headed "About us", "What we offer", "Benefits", "Compensation", "How to apply",
//      "À propos de nous", "Avantages", "Rémunération", "Pour postuler" ... are dropped whole;
//   3. boilerplate sentences are dropped wherever they are: equal opportunity and
//      accommodation, "We offer ...", pay ("$28/hour"), schedule-only lines, how to apply;
//   4. the employer's own voice ("We are a ...", "Our team ...") and, in a posting with
//      headings, the introduction's prose before the first heading are dropped unless they
//      speak to the candidate ("you", "vous", "looking for", "experience").
// split_requirements() applies none of these: every statement of the text is kept.
//
// Pure functions, safe from any thread.
//
//   PostingParts p = read_posting("Data Analyst\n\nRequirements:\n- SQL\n\nWe offer a pension.");
//   // p.title == "Data Analyst", p.requirements == {"SQL"}
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "store/records.h"

namespace credmatch::engine {

/// A posting read by read_posting().
struct PostingParts {
  std::string title;                      ///< the job's title; empty when the first line is not one
  std::vector<Requirement> requirements;  ///< in the posting's order; may be empty
};

/// The title and requirement statements of a whole posting (rules in the file comment).
PostingParts read_posting(std::string_view text);

/// Every requirement statement of a text that holds only requirements (no title, no
/// boilerplate removal).
std::vector<Requirement> split_requirements(std::string_view text);

}  // namespace credmatch::engine
