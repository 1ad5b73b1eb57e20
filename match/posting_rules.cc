#include "match/posting_rules.h"

#include <algorithm>
#include <cctype>
#include <initializer_list>

#include "text/normalize.h"

namespace credmatch::engine {
namespace {

using Words = std::initializer_list<std::string_view>;

bool one_of(std::string_view s, Words list) {
  return std::find(list.begin(), list.end(), s) != list.end();
}
bool starts_with_any(std::string_view s, Words list) {
  return std::any_of(list.begin(), list.end(),
                     [&](std::string_view p) { return s.starts_with(p); });
}
bool contains_any(std::string_view s, Words list) {
  return std::any_of(list.begin(), list.end(),
                     [&](std::string_view p) { return s.find(p) != std::string_view::npos; });
}
bool any_token(const std::vector<std::string>& tokens, Words list) {
  return std::any_of(tokens.begin(), tokens.end(),
                     [&](const std::string& t) { return one_of(t, list); });
}
bool has_digit(std::string_view s) {
  return std::any_of(s.begin(), s.end(),
                     [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
}
size_t word_count(std::string_view s) {
  size_t n = 0;
  for (size_t i = 0; i < s.size(); ++i) n += s[i] != ' ' && (i == 0 || s[i - 1] == ' ');
  return n;
}

// An amount of money: a digit next to '$', '€' or '£' (a space between allowed).
bool has_amount(std::string_view s) {
  for (std::string_view sign : {"$", "\u20ac", "\u00a3"}) {
    for (size_t at = s.find(sign); at != std::string_view::npos; at = s.find(sign, at + 1)) {
      const auto digit_at = [&](size_t i) {
        return i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]));
      };
      const size_t after = at + sign.size();
      if (digit_at(after) || (after < s.size() && s[after] == ' ' && digit_at(after + 1)) ||
          (at >= 1 && digit_at(at - 1)) || (at >= 2 && s[at - 1] == ' ' && digit_at(at - 2))) {
        return true;
      }
    }
  }
  return false;
}

}  // namespace

bool mentions_optional(const std::string& normalized) {
  return contains_any(normalized, {"nice to have", "asset", "preferred", "optional", "bonus",
                                   "desirable", "atout", "un plus", "souhaitable", "facultati"});
}

std::optional<HeadingKind> known_heading(const std::string& key) {
  if (key.empty() || word_count(key) > 6) return std::nullopt;
  if (key.starts_with("about ")) {
    return one_of(key.substr(6), {"you", "the role", "the job", "the position", "this role",
                                  "this position", "the opportunity"})
               ? HeadingKind::kRequirements
               : HeadingKind::kNoRequirements;
  }
  if (key.starts_with("a propos ")) {
    return one_of(key.substr(9), {"du poste", "de vous", "du role", "de toi", "du mandat"})
               ? HeadingKind::kRequirements
               : HeadingKind::kNoRequirements;
  }
  if (one_of(key,
             {// the employer
              "who we are", "our company", "our story", "our mission", "company overview",
              "company description", "why join us", "why work with us", "why work here",
              "qui sommes-nous", "qui nous sommes", "notre entreprise", "l'entreprise",
              "l'employeur", "notre organisation", "pourquoi nous joindre",
              "pourquoi travailler chez nous", "pourquoi se joindre a nous",
              // benefits and pay
              "what we offer", "we offer", "what's in it for you", "what we provide", "benefits",
              "our benefits", "benefits and perks", "perks and benefits", "perks", "compensation",
              "compensation and benefits", "salary", "salary range", "pay", "pay range", "wage",
              "wages", "rate of pay", "working conditions", "ce que nous offrons",
              "ce que nous t'offrons", "ce qu'on offre", "ce qu'on t'offre", "nous offrons",
              "on offre", "avantages", "avantages sociaux", "nos avantages", "conditions",
              "conditions de travail", "conditions d'emploi", "conditions salariales",
              "remuneration", "salaire", "traitement",
              // schedule, place, dates
              "schedule", "work schedule", "hours", "hours of work", "working hours", "shift",
              "job type", "job types", "employment type", "location", "work location", "start date",
              "closing date", "application deadline", "deadline", "horaire", "horaire de travail",
              "quart de travail", "statut", "statut de l'emploi", "type d'emploi", "type de poste",
              "lieu de travail", "entree en fonction", "date d'entree en fonction", "date limite",
              "date d'affichage",
              // applying
              "how to apply", "to apply", "apply", "apply now", "application process",
              "pour postuler", "comment postuler", "postuler", "postulez", "candidature",
              "pour poser votre candidature", "pour soumettre votre candidature",
              // equal opportunity
              "equal opportunity", "equal opportunity employer", "equal employment opportunity",
              "diversity", "diversity and inclusion", "diversity, equity and inclusion",
              "accessibility", "accommodation", "accommodations", "equite en matiere d'emploi",
              "acces a l'egalite en emploi", "diversite et inclusion",
              "equite, diversite et inclusion", "accessibilite", "mesures d'adaptation"})) {
    return HeadingKind::kNoRequirements;
  }
  if (one_of(key, {"requirements",
                   "qualifications",
                   "responsibilities",
                   "key responsibilities",
                   "main responsibilities",
                   "duties",
                   "main duties",
                   "tasks",
                   "what you will do",
                   "what you'll do",
                   "what you bring",
                   "what we're looking for",
                   "what we are looking for",
                   "who you are",
                   "job description",
                   "the role",
                   "nice to have",
                   "assets",
                   "asset",
                   "an asset",
                   "bonus",
                   "preferred",
                   "preferred qualifications",
                   "exigences",
                   "responsabilites",
                   "vos responsabilites",
                   "taches",
                   "principales taches",
                   "profil recherche",
                   "votre profil",
                   "qualifications requises",
                   "description du poste",
                   "le poste",
                   "votre mandat",
                   "atout",
                   "atouts",
                   "un atout",
                   "un plus"})) {
    return HeadingKind::kRequirements;
  }
  return std::nullopt;
}

bool schedule_only(std::string_view text) {
  size_t words = 0;
  for (const std::string& t : tokenize(normalize(text))) {
    if (t.size() < 2 || is_stop_word(t) || has_digit(t)) continue;
    ++words;
    if (!one_of(t,
                {"full",        "part",        "time",     "fulltime",   "parttime",    "permanent",
                 "temporary",   "temp",        "contract", "casual",     "seasonal",    "day",
                 "days",        "night",       "nights",   "evening",    "evenings",    "weekend",
                 "weekends",    "shift",       "shifts",   "rotating",   "position",    "job",
                 "hours",       "hour",        "hrs",      "week",       "weekly",      "am",
                 "pm",          "monday",      "tuesday",  "wednesday",  "thursday",    "friday",
                 "saturday",    "sunday",      "remote",   "hybrid",     "onsite",      "site",
                 "temps",       "plein",       "partiel",  "temporaire", "contractuel", "contrat",
                 "occasionnel", "saisonnier",  "jour",     "jours",      "nuit",        "nuits",
                 "soir",        "soirs",       "fin",      "semaine",    "quart",       "quarts",
                 "rotation",    "poste",       "emploi",   "heures",     "heure",       "lundi",
                 "mardi",       "mercredi",    "jeudi",    "vendredi",   "samedi",      "dimanche",
                 "hybride",     "teletravail", "mode",     "distance",   "place"})) {
      return false;
    }
  }
  return words > 0;
}

bool is_pay(std::string_view raw, const std::string& norm) {
  const std::vector<std::string> tokens = tokenize(norm);
  const bool pay_word = any_token(tokens, {"salary", "salaire", "wage", "wages", "pay",
                                           "remuneration", "compensation", "rate", "taux"});
  if (pay_word && any_token(tokens, {"competitive", "commensurate", "negotiable", "range",
                                     "concurrentiel", "competitif", "negociable", "echelle"})) {
    return true;
  }
  // An amount per unit of time; "a $2M annual budget" is a duty, not pay.
  return has_amount(raw) &&
         (pay_word ||
          contains_any(
              norm, {"/hour",       "/hr",      "/h",        "per hour", "an hour",   "hourly",
                     "/year",       "/yr",      "per year",  "a year",   "per annum", "annually",
                     "/week",       "per week", "a week",    "/month",   "per month", "a month",
                     "/heure",      "l'heure",  "par heure", "/an",      "par an",    "par annee",
                     "par semaine", "/sem",     "par mois",  "/mois"}));
}

bool is_boilerplate(std::string_view raw, const std::string& norm) {
  // Equal opportunity, employment equity and accommodation.
  if (contains_any(norm, {"equal opportunit",         "equal employment",
                          "employment equity",        "equite en matiere d'emploi",
                          "egalite en emploi",        "acces a l'egalite",
                          "mesures d'adaptation",     "accommodement",
                          "welcome applications",     "welcomes applications",
                          "encourage applications",   "encourages applications",
                          "all qualified applicants", "all qualified individuals",
                          "all qualified candidates", "without regard to",
                          "regardless of race",       "diverse and inclusive",
                          "committed to diversity",   "committed to inclusion",
                          "invitons les femmes",      "toutes les personnes qualifiees"})) {
    return true;
  }
  if (norm.find("accommodat") != std::string::npos &&
      contains_any(norm, {"request", "available", "disab", "selection", "recruit", "hiring",
                          "interview", "assessment", "applicant", "candidate"})) {
    return true;
  }
  // Offers and benefits.
  if (starts_with_any(
          norm, {"we offer", "we also offer", "we provide", "we're offering", "benefits include",
                 "our benefits", "perks include", "you will enjoy", "you'll enjoy", "nous offrons",
                 "nous vous offrons", "on offre", "on t'offre", "vous beneficierez",
                 "tu beneficieras", "vous profiterez"})) {
    return true;
  }
  if (is_pay(raw, norm) || schedule_only(raw)) return true;
  // Applying, and the thanks to applicants.
  if (starts_with_any(norm, {"to apply",
                             "how to apply",
                             "apply now",
                             "apply online",
                             "apply today",
                             "please apply",
                             "please send",
                             "please submit",
                             "interested candidates",
                             "interested applicants",
                             "if you are interested",
                             "if interested",
                             "pour postuler",
                             "postulez",
                             "faites-nous parvenir",
                             "faites parvenir",
                             "envoyez votre",
                             "si ce poste vous interesse",
                             "les personnes interessees",
                             "les candidats interesses"})) {
    return true;
  }
  return contains_any(norm, {"send your resume",
                             "send your cv",
                             "submit your resume",
                             "submit your cv",
                             "submit your application",
                             "email your resume",
                             "apply via",
                             "apply through",
                             "apply online",
                             "apply now",
                             "thank all applicants",
                             "thank you for your interest",
                             "only those selected",
                             "only candidates selected",
                             "only selected candidates",
                             "only shortlisted",
                             "nous remercions",
                             "seules les personnes",
                             "seuls les candidats",
                             "seules les candidatures"});
}

bool is_employer_voice(const std::string& norm) {
  return starts_with_any(
      norm,
      {"we are a ",        "we are an ",     "we're a ",       "we're an ",     "we believe",
       "we have been",     "we pride",       "our mission",    "our team",      "our company",
       "our values",       "join our",       "join us",        "join a team",   "nous sommes un",
       "nous sommes une",  "nous sommes le", "nous sommes la", "notre mission", "notre equipe",
       "notre entreprise", "nos valeurs",    "joignez-vous",   "rejoignez",     "joins-toi"});
}

bool addresses_candidate(const std::string& norm) {
  return any_token(tokenize(norm),
                   {"you",         "your",    "vous",       "votre",        "vos",
                    "tu",          "ton",     "candidate",  "candidates",   "candidat",
                    "candidats",   "must",    "required",   "requis",       "requise",
                    "exige",       "exigee",  "experience", "knowledge",    "skills",
                    "skill",       "ability", "degree",     "diploma",      "certification",
                    "certificate", "licence", "license",    "connaissance", "connaissances",
                    "competences", "diplome", "permis",     "capacite"}) ||
         contains_any(
             norm, {"looking for", "seeking", "recherch", "the role", "this role", "the position",
                    "this position", "ce poste", "le poste", "responsible for", "responsable de"});
}

bool names_company(const std::string& norm) {
  return norm.find("credit union") != std::string::npos ||
         any_token(tokenize(norm),
                   {"inc", "ltd", "ltee", "llc", "corp", "corporation", "company", "group",
                    "groupe", "plc", "gmbh", "limited", "limitee", "bank", "banque", "caisse"});
}

bool opens_like_requirement(const std::string& norm) {
  const std::vector<std::string> tokens = tokenize(norm);
  if (!tokens.empty() &&
      one_of(tokens[0],
             {"experience",    "knowledge",   "ability",  "able",          "proficiency",
              "proficient",    "familiarity", "familiar", "understanding", "strong",
              "excellent",     "good",        "must",     "minimum",       "connaissance",
              "connaissances", "capacite",    "maitrise", "bonne",         "excellente",
              "aptitude",      "habilete"})) {
    return true;
  }
  for (size_t i = 1; i < tokens.size(); ++i) {  // "2 years", "3 ans"
    if (one_of(tokens[i], {"year", "years", "an", "ans"}) &&
        std::all_of(tokens[i - 1].begin(), tokens[i - 1].end(),
                    [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
      return true;
    }
  }
  return false;
}

}  // namespace credmatch::engine
