// Text normalisation and tokenisation for English and French competency statements.
//
// normalize(): Unicode NFKC, case folding, accents stripped (é → e), typographic apostrophes
// and dashes mapped to ASCII, whitespace collapsed. tokenize(): words of letters and digits,
// French elisions removed (l'analyse → analyse, qu'il → il), "c++", "c#" and "f#" kept whole.
//
// All functions are pure and safe to call from several threads.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace credmatch::engine {

/// Normalises UTF-8 text for matching (see file comment). Invalid UTF-8 bytes become spaces.
std::string normalize(std::string_view text);

/// The key occupation titles are stored and looked up by (CatalogStore::find_job): NFKC,
/// case-folded, accents stripped, typographic quotes and dashes lumped to ASCII (utf8proc's
/// LUMP), default-ignorable code points dropped, runs of whitespace collapsed to one space,
/// trimmed. Unlike normalize(), a title is never tokenised: it must match whole. Invalid UTF-8
/// folds ASCII letters only.
std::string fold_title(std::string_view title);

/// Splits normalised text into word tokens (see file comment). Input should come from
/// normalize(); other input is tokenised as bytes.
std::vector<std::string> tokenize(std::string_view normalized);

/// True for common English and French function words ("the", "and", "de", "les", ...),
/// which carry no competency meaning.
bool is_stop_word(std::string_view token);

/// Light stemmer: strips English plural and a few inflection endings ("databases" →
/// "database", "managing" stays) so that singular and plural forms share a feature. Words of
/// four letters or fewer are returned unchanged.
std::string light_stem(std::string_view token);

/// Normalised, stemmed content words of a statement (no stop words, no one-character
/// tokens), in order, repeats kept: what the matcher's evidence compares ("shared terms").
std::vector<std::string> content_words(std::string_view text);

/// True if `text` is valid UTF-8.
bool is_valid_utf8(std::string_view text);

}  // namespace credmatch::engine
