#include "relevance/credential_profiles.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "base/binary_file.h"
#include "base/error.h"
#include "base/thread_pool.h"

namespace credmatch::engine {
namespace {

constexpr size_t kBatch = 256;

// Incremental 64-bit FNV-1a (store/splits.h hashes one string at once).
struct Fnv {
  uint64_t h = 14695981039346656037ull;
  void add(std::string_view s) {
    for (char c : s) {
      h ^= static_cast<unsigned char>(c);
      h *= 1099511628211ull;
    }
  }
  void sep(char c) { add(std::string_view(&c, 1)); }
};

void normalise_rows(std::vector<float>& m, size_t dim) {
  for (size_t start = 0; start < m.size(); start += dim) {
    double n2 = 0.0;
    for (size_t k = 0; k < dim; ++k) n2 += double(m[start + k]) * m[start + k];
    if (n2 <= 0.0) continue;
    const float inv = static_cast<float>(1.0 / std::sqrt(n2));
    for (size_t k = 0; k < dim; ++k) m[start + k] *= inv;
  }
}

}  // namespace

std::string credential_whole_text(const CredentialText& c) {
  std::string out = c.title;
  out.append(" ").append(c.description);
  for (const std::string& t : c.competencies) out.append(" ").append(t);
  return out;
}

uint64_t credential_texts_fingerprint(std::span<const CredentialText> credentials) {
  Fnv f;
  for (const CredentialText& c : credentials) {
    f.add(c.title);
    f.sep('\x1f');
    f.add(c.description);
    for (const std::string& t : c.competencies) {
      f.sep('\x1e');
      f.add(t);
    }
    f.sep('\x1d');
  }
  return f.h;
}

std::vector<float> encode_in_batches(const Encoder& encoder, std::span<const std::string> texts) {
  const size_t dim = static_cast<size_t>(encoder.dim());
  std::vector<float> out(texts.size() * dim, 0.0f);
  const int64_t batches = static_cast<int64_t>((texts.size() + kBatch - 1) / kBatch);
  run_parallel(batches, [&](int64_t b) {
    const size_t start = static_cast<size_t>(b) * kBatch;
    const size_t n = std::min(kBatch, texts.size() - start);
    encoder.encode(texts.subspan(start, n), std::span<float>(out).subspan(start * dim, n * dim));
  });
  return out;
}

const WordTfidfRanker& CredentialProfiles::whole_word() const {
  std::call_once(whole_word_->once, [this] {
    whole_word_->ranker = std::make_shared<const WordTfidfRanker>(whole_texts_);
  });
  return *whole_word_->ranker;
}

void CredentialProfiles::build_lexical() {
  whole_texts_.clear();
  whole_texts_.reserve(credentials_.size());
  std::vector<std::string> titles;
  titles.reserve(credentials_.size());
  for (const CredentialText& c : credentials_) {
    whole_texts_.push_back(credential_whole_text(c));
    titles.push_back(c.title);
  }
  whole_char_ = std::make_shared<const CharTfidfRanker>(whole_texts_);
  title_char_ = std::make_shared<const CharTfidfRanker>(titles);
  whole_word_ = std::make_shared<LazyWordRanker>();
  title_terms_.clear();
  for (const TitleTermStyle& style : kTitleStyles) {
    title_terms_.push_back(std::make_shared<const TitleTermIndex>(titles, style));
  }
}

void CredentialProfiles::build_parts(const Encoder& encoder) {
  std::vector<std::string> parts;
  part_offsets_.assign(1, 0);
  for (const CredentialText& c : credentials_) {
    for (std::string& p : title_parts(c.title)) parts.push_back(std::move(p));
    part_offsets_.push_back(int64_t(parts.size()));
  }
  part_vectors_ = encode_in_batches(encoder, parts);
}

const TitleTermIndex& CredentialProfiles::title_term_index(size_t style) const {
  CREDMATCH_CHECK(style < title_terms_.size(), "style=" << style);
  return *title_terms_[style];
}

CredentialProfiles CredentialProfiles::build(std::vector<CredentialText> credentials,
                                             const Encoder& encoder,
                                             std::span<const float> competency_vectors) {
  CredentialProfiles p;
  p.credentials_ = std::move(credentials);
  p.dim_ = encoder.dim();
  p.encoder_id_ = encoder.id();
  const size_t dim = static_cast<size_t>(p.dim_);
  const size_t n = p.credentials_.size();
  size_t total = 0;
  for (const CredentialText& c : p.credentials_) total += c.competencies.size();
  CREDMATCH_CHECK(competency_vectors.empty() || competency_vectors.size() == total * dim,
                  "competency_vectors.size()=" << competency_vectors.size() << ", expected "
                                               << total << " competencies x dim " << dim);
  p.build_lexical();
  p.build_parts(encoder);

  std::vector<std::string> texts;
  texts.reserve(2 * n);
  for (const CredentialText& c : p.credentials_) texts.push_back(c.title);
  for (const CredentialText& c : p.credentials_) texts.push_back(c.description);
  std::vector<float> encoded = encode_in_batches(encoder, texts);
  p.title_.assign(encoded.begin(), encoded.begin() + static_cast<std::ptrdiff_t>(n * dim));
  p.description_.assign(encoded.begin() + static_cast<std::ptrdiff_t>(n * dim), encoded.end());
  p.whole_ = encode_in_batches(encoder, p.whole_texts_);

  std::vector<float> own;
  if (competency_vectors.empty()) {
    std::vector<std::string> comps;
    comps.reserve(total);
    for (const CredentialText& c : p.credentials_) {
      comps.insert(comps.end(), c.competencies.begin(), c.competencies.end());
    }
    own = encode_in_batches(encoder, comps);
    competency_vectors = own;
  }
  p.centroid_.assign(n * dim, 0.0f);
  size_t row = 0;
  for (size_t c = 0; c < n; ++c) {
    std::vector<double> sum(dim, 0.0);
    for (size_t m = 0; m < p.credentials_[c].competencies.size(); ++m, ++row) {
      const float* v = competency_vectors.data() + row * dim;
      for (size_t k = 0; k < dim; ++k) sum[k] += v[k];
    }
    for (size_t k = 0; k < dim; ++k) p.centroid_[c * dim + k] = static_cast<float>(sum[k]);
  }
  normalise_rows(p.centroid_, dim);
  return p;
}

Status CredentialProfiles::save(const std::string& path) const {
  FileHeader h;
  h.kind = kProfilesFileKind;
  h.format_version = kProfilesFormatVersion;
  h.dim = static_cast<uint32_t>(dim_);
  h.encoder_id = encoder_id_;
  h.count = static_cast<uint64_t>(size());
  ByteWriter head;
  head.u64(credential_texts_fingerprint(credentials_));
  auto bytes = [](const std::vector<float>& v) {
    return std::string_view(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(float));
  };
  return write_binary_file(path, h,
                           {std::string_view(head.buffer()), bytes(title_), bytes(description_),
                            bytes(whole_), bytes(centroid_)});
}

Result<CredentialProfiles> CredentialProfiles::load(const std::string& path,
                                                    std::vector<CredentialText> credentials,
                                                    const Encoder& encoder) {
  auto file = read_binary_file(path, kProfilesFileKind);
  if (!file) return file.status();
  const FileHeader& h = file->header;
  if (h.format_version != kProfilesFormatVersion) {
    return Status::mismatch(path + ": profiles format version " +
                            std::to_string(h.format_version) + ", expected " +
                            std::to_string(kProfilesFormatVersion));
  }
  if (h.encoder_id != encoder.id() || int(h.dim) != encoder.dim()) {
    return Status::mismatch(path + ": profiles made with encoder '" + h.encoder_id +
                            "' (dim " + std::to_string(h.dim) + "), not '" + encoder.id() + "'");
  }
  if (h.count != credentials.size()) {
    return Status::mismatch(path + ": profiles of " + std::to_string(h.count) +
                            " credentials, given " + std::to_string(credentials.size()));
  }
  ByteReader in(file->payload);
  uint64_t fingerprint = 0;
  in.u64(&fingerprint);
  if (!in.failed() && fingerprint != credential_texts_fingerprint(credentials)) {
    return Status::mismatch(path + ": profiles made from other credential texts");
  }
  const size_t block = static_cast<size_t>(h.count) * h.dim;
  if (in.failed() || in.remaining() != 4 * block * sizeof(float)) {
    return Status::corruption(path + ": payload of " + std::to_string(file->payload.size()) +
                              " bytes does not hold 4 x " + std::to_string(h.count) + " x " +
                              std::to_string(h.dim) + " floats");
  }
  CredentialProfiles p;
  p.credentials_ = std::move(credentials);
  p.dim_ = int(h.dim);
  p.encoder_id_ = h.encoder_id;
  for (std::vector<float>* m : {&p.title_, &p.description_, &p.whole_, &p.centroid_}) {
    m->resize(block);
    in.raw(m->data(), block * sizeof(float));
  }
  p.build_lexical();
  p.build_parts(encoder);
  return p;
}

}  // namespace credmatch::engine
