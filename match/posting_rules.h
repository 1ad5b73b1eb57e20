// The words read_posting() (match/job_text.h) judges a posting's headings and sentences by:
// English and French lists behind the rules that match/job_text.cc lists and explains.
// Every function takes text normalised by normalize() (text/normalize.h: case and accents
// folded, "Équité" → "equite") where its argument is named `norm`; `raw` is the text as
// written, for the signs normalisation keeps anyway ("$", "€").
//
// Pure functions, safe from any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace credmatch::engine {

/// Says a statement or heading is optional: "nice to have", "asset", "preferred", "bonus",
/// "atout", "un plus", "souhaitable" ...
bool mentions_optional(const std::string& norm);

/// What a known heading heads.
enum class HeadingKind {
  kRequirements,    ///< "Requirements", "What you'll do", "Exigences", "Atouts" ...
  kNoRequirements,  ///< the employer, benefits, pay, schedule, applying, equal opportunity
};

/// The kind of a known heading, given its normalised label without ':' ("about us",
/// "ce que nous offrons"); nothing for a label the lists do not know.
std::optional<HeadingKind> known_heading(const std::string& norm);

/// Every word says when or where one works: "Full-time, permanent", "Day Shift",
/// "Monday to Friday, 8 a.m. to 4 p.m.", "Temps plein, quart de jour", "Remote".
bool schedule_only(std::string_view raw);

/// Pay: an amount per unit of time ("$28/hour", "55 000 $ par an"), an amount with a pay word
/// ("Salary $60,000"), or a qualified pay word ("competitive salary", "salaire concurrentiel").
bool is_pay(std::string_view raw, const std::string& norm);

/// A sentence that is no requirement wherever it stands: equal opportunity and accommodation,
/// offers and benefits, pay, schedule, how to apply, thanks to applicants.
bool is_boilerplate(std::string_view raw, const std::string& norm);

/// The employer speaking of itself: "We are a ...", "Our team ...", "Join our ...",
/// "Nous sommes une ...", "Notre équipe ...".
bool is_employer_voice(const std::string& norm);

/// A sentence about the candidate or the role: "you", "vous", "looking for", "recherchons",
/// "experience", "required", "the position" ...
bool addresses_candidate(const std::string& norm);

/// Names a company: Inc., Ltd., Ltée, LLC, Corp., Group, Groupe, Bank, Caisse, Credit Union ...
bool names_company(const std::string& norm);

/// Opens like a requirement, not a job title: "Experience ...", "Knowledge ...",
/// "Connaissance ...", or has "2 years" / "3 ans".
bool opens_like_requirement(const std::string& norm);

}  // namespace credmatch::engine
