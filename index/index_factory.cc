#include "index/index_factory.h"

#include <optional>

#include "base/binary_file.h"
#include "base/error.h"
#include "index/faiss_index.h"
#include "index/flat_index.h"
#include "index/hnswlib_index.h"
#include "index/index_options.h"
#include "index/ivf_index.h"
#include "index/quantized_flat_index.h"
#include "index/rerank_index.h"
#include "index/vector_file.h"

namespace credmatch::index {
namespace {

constexpr std::string_view kFaissPrefix = "faiss:";

bool is_faiss(const std::string& factory) {
  return factory.size() > kFaissPrefix.size() && factory.starts_with(kFaissPrefix);
}

// A factory string of an index that takes options ("Flat:OPTS", "hnsw:OPTS", "ivf:OPTS"),
// split into the index's own options and the re-ranking ones.
struct WithOptions {
  enum Kind { kQuantizedFlat, kHnsw, kIvf } kind;
  std::string base_spec;  // the options after the prefix, less the re-ranking ones
  RerankOptions rerank;
};

// nullopt when `factory` names no index with options; throws credmatch::Error for bad options.
std::optional<WithOptions> split_options(const std::string& factory,
                                         std::vector<std::string>* warnings) {
  WithOptions w{};
  std::string_view kind;
  std::string_view prefix;
  if (factory.size() > QuantizedFlatIndex::kPrefix.size() &&
      factory.starts_with(QuantizedFlatIndex::kPrefix)) {
    w.kind = WithOptions::kQuantizedFlat;
    kind = "Flat";
    prefix = QuantizedFlatIndex::kPrefix;
  } else if (factory.starts_with(HnswlibIndex::kPrefix)) {
    w.kind = WithOptions::kHnsw;
    kind = "hnsw";
    prefix = HnswlibIndex::kPrefix;
  } else if (factory.starts_with(IvfIndex::kPrefix)) {
    w.kind = WithOptions::kIvf;
    kind = "ivf";
    prefix = IvfIndex::kPrefix;
  } else {
    return std::nullopt;
  }
  w.base_spec = take_rerank_options(std::string_view(factory).substr(prefix.size()), kind,
                                    &w.rerank, warnings);
  if (w.kind == WithOptions::kHnsw && w.rerank.factor > 0) {
    CREDMATCH_CHECK(HnswConfig::parse(w.base_spec).int8,
                    "hnsw rerank needs int8 storage: fp32 graph scores are already exact");
  }
  return w;
}

std::unique_ptr<VectorIndex> make_base(const WithOptions& w, int dim) {
  switch (w.kind) {
    case WithOptions::kQuantizedFlat:
      return std::make_unique<QuantizedFlatIndex>(dim, w.base_spec);
    case WithOptions::kHnsw:
      return std::make_unique<HnswlibIndex>(dim, w.base_spec);
    case WithOptions::kIvf:
      return std::make_unique<IvfIndex>(dim, w.base_spec);
  }
  throw Error("unreachable index kind");
}

// Rebuilds an index that takes options from the bytes at `offset` in `payload`. IvfIndex takes
// the payload over and scans its codes in place; the others copy what they need.
Result<std::unique_ptr<VectorIndex>> deserialize_base(const WithOptions& w, std::string&& payload,
                                                      size_t offset) {
  auto widen = [](auto result) -> Result<std::unique_ptr<VectorIndex>> {
    if (!result) return result.status();
    return std::unique_ptr<VectorIndex>(std::move(result).value());
  };
  if (w.kind == WithOptions::kIvf) {
    return widen(IvfIndex::deserialize(w.base_spec, std::move(payload), offset));
  }
  const std::string_view bytes = std::string_view(payload).substr(offset);
  if (w.kind == WithOptions::kQuantizedFlat) {
    return widen(QuantizedFlatIndex::deserialize(w.base_spec, bytes));
  }
  return widen(HnswlibIndex::deserialize(w.base_spec, bytes));
}

// Rebuilds the index a payload's factory string names from the bytes at `offset` in `payload`;
// `dim` and `count` are the file header's (a re-ranking index's fp32 rows end the payload).
Result<std::unique_ptr<VectorIndex>> deserialize(const std::string& factory, std::string&& payload,
                                                 size_t offset, uint32_t dim, uint64_t count) {
  if (factory == "Flat") {
    Result<std::unique_ptr<FlatIndex>> flat =
        FlatIndex::deserialize(std::string_view(payload).substr(offset));
    if (!flat) return flat.status();
    return std::unique_ptr<VectorIndex>(std::move(flat).value());
  }
  if (is_faiss(factory)) {
    Result<std::unique_ptr<FaissIndex>> faiss = FaissIndex::deserialize(
        factory.substr(kFaissPrefix.size()), std::string_view(payload).substr(offset));
    if (!faiss) return faiss.status();
    return std::unique_ptr<VectorIndex>(std::move(faiss).value());
  }
  std::optional<WithOptions> w;
  try {
    w = split_options(factory, nullptr);
  } catch (const Error& e) {
    return Status::mismatch("unknown index spec '" + factory + "': " + e.what());
  }
  if (!w) {
    return Status::mismatch("unknown index factory string '" + factory +
                            "' (written by a newer version?)");
  }
  if (w->rerank.factor == 0) return deserialize_base(*w, std::move(payload), offset);
  Result<std::vector<float>> rows = RerankIndex::take_rows(payload, offset, w->rerank, dim, count);
  if (!rows) return rows.status();
  Result<std::unique_ptr<VectorIndex>> base = deserialize_base(*w, std::move(payload), offset);
  if (!base) return base.status();
  Result<std::unique_ptr<RerankIndex>> rerank =
      RerankIndex::from_parts(std::move(base).value(), w->rerank, std::move(rows).value());
  if (!rerank) return rerank.status();
  return std::unique_ptr<VectorIndex>(std::move(rerank).value());
}

}  // namespace

std::unique_ptr<VectorIndex> make_index(const std::string& factory, int dim,
                                        std::vector<std::string>* warnings) {
  CREDMATCH_CHECK(dim > 0, "dim=" << dim);
  if (factory == "Flat") return std::make_unique<FlatIndex>(dim);
  if (is_faiss(factory)) {
    return std::make_unique<FaissIndex>(dim, factory.substr(kFaissPrefix.size()));
  }
  std::vector<std::string> found;
  const std::optional<WithOptions> w = split_options(factory, &found);
  if (!w) {
    throw Error("unknown index factory string '" + factory +
                "': accepted are \"Flat\" (exact search), \"Flat:fp16\" / \"Flat:int8\" "
                "(quantized scan), \"hnsw:M=32,efc=200\" (hnswlib graph, options M, efc, ef, "
                "int8), \"ivf:nlist=1024,pca=256,int8\" (inverted lists, options nlist, nprobe, "
                "pca, train, int8), each also with \",rerank=N\" (exact re-ranking, \",ondisk\" "
                "to read the vectors from a file), and \"faiss:SPEC\" with a Faiss "
                "index_factory spec, e.g. \"faiss:HNSW32\", \"faiss:IVF256,Flat\", \"faiss:Flat\"");
  }
  std::unique_ptr<VectorIndex> base = make_base(*w, dim);
  if (warnings != nullptr) warnings->insert(warnings->end(), found.begin(), found.end());
  if (w->rerank.factor == 0) return base;
  return std::make_unique<RerankIndex>(std::move(base), w->rerank);
}

std::vector<std::string> factory_warnings(const std::string& factory) {
  std::vector<std::string> warnings;
  try {
    (void)split_options(factory, &warnings);
  } catch (const Error&) {
    return {};
  }
  return warnings;
}

Status save_index(const std::string& path, const VectorIndex& index,
                  const std::string& encoder_id) {
  FileHeader header;
  header.kind = kIndexFileKind;
  header.format_version = kIndexFormatVersion;
  header.dim = static_cast<uint32_t>(index.dim());
  header.encoder_id = encoder_id;
  header.count = static_cast<uint64_t>(index.size());
  ByteWriter factory;
  factory.str(index.factory_string());
  const std::string bytes = index.serialize();
  return write_binary_file(path, header, {factory.buffer(), bytes});
}

Result<std::unique_ptr<VectorIndex>> load_index(const std::string& path, int expected_dim,
                                                const std::string& expected_encoder_id) {
  Result<BinaryFile> file = read_binary_file(path, kIndexFileKind);
  if (!file) return file.status();
  const FileHeader& h = file->header;
  CREDMATCH_RETURN_IF_ERROR(check_vector_header(path, h, kIndexFormatVersion, "index", expected_dim,
                                                expected_encoder_id));
  ByteReader reader(file->payload);
  std::string factory;
  if (!reader.str(&factory)) {
    return Status::corruption(path + ": payload too short for the factory string");
  }
  const size_t offset = file->payload.size() - reader.remaining();
  Result<std::unique_ptr<VectorIndex>> index =
      deserialize(factory, std::move(file->payload), offset, h.dim, h.count);
  if (!index) return index.status().with_context(path);
  if (static_cast<uint32_t>((*index)->dim()) != h.dim) {
    return Status::corruption(path + ": header says dim " + std::to_string(h.dim) + ", the " +
                              factory + " index has dim " + std::to_string((*index)->dim()));
  }
  if (static_cast<uint64_t>((*index)->size()) != h.count) {
    return Status::corruption(path + ": header says " + std::to_string(h.count) + " vectors, the " +
                              factory + " index holds " + std::to_string((*index)->size()));
  }
  return index;
}

Status attach_vectors_file(VectorIndex& index, const std::string& vectors_path,
                           const std::string& expected_encoder_id) {
  auto* reader = dynamic_cast<ReadsVectorsFile*>(&index);
  if (reader == nullptr || !reader->reads_vectors_file()) return Status::ok();
  Result<std::unique_ptr<VectorRows>> rows =
      VectorRows::open(vectors_path, index.dim(), expected_encoder_id);
  if (!rows) return rows.status();
  if ((*rows)->size() != index.size()) {
    return Status::mismatch(vectors_path + ": " + std::to_string((*rows)->size()) +
                            " vectors, the index holds " + std::to_string(index.size()));
  }
  reader->attach_vectors(std::move(rows).value());
  return Status::ok();
}

}  // namespace credmatch::index
