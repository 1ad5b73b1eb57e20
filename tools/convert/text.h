// Text clean-up shared by the converters: trimming, label lists, leftover Markdown, and a
// sentence splitter that knows abbreviations and parentheses. All functions take and return
// UTF-8 and are pure (safe from any thread).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace credmatch::convert {

/// Removes leading and trailing ASCII whitespace and no-break spaces (U+00A0).
std::string trim_with_nbsp(std::string_view s);

/// Trims and replaces every run of whitespace (ASCII or U+00A0) inside by one space.
std::string collapse_spaces(std::string_view s);

/// Splits a newline-separated label list (ESCO altLabels), trims each label and collapses
/// its inner whitespace ("theater  techniques"), drops empty ones, duplicates (first kept)
/// and any equal to `exclude` (the preferred label).
std::vector<std::string> split_labels(std::string_view list, std::string_view exclude);

/// Removes leftover Markdown and HTML from extracted text: [text](url), [text][ref] and
/// [Text] [ref-name] links keep their text; `code` loses its backticks; *x*, **x**, _x_,
/// __x__ lose their markers (only around words, so "scale_*" or "(*)" stay); <br> becomes a
/// space; inline tags such as <kbd> are dropped; backslash escapes (\*, \_, \+) are undone.
/// Whitespace is collapsed. Brackets that are not links ("cp [old] [new]") stay.
std::string strip_markdown(std::string_view s);

/// Splits prose into sentences at '.', '?' or '!' followed by whitespace and a character that
/// is not a lower-case ASCII letter (or by the end). Never splits inside parentheses, after
/// an abbreviation (e.g., i.e., vs., U.S.), between spaced initials ("U. S.") or inside a
/// token such as "cmd.exe". Sentences keep their final punctuation and are trimmed; empty ones are
/// dropped.
std::vector<std::string> split_sentences(std::string_view s);

}  // namespace credmatch::convert
