#include "index/index_factory.h"

#include "base/binary_file.h"
#include "base/error.h"
#include "index/faiss_index.h"
#include "index/flat_index.h"
#include "index/hnswlib_index.h"
#include "index/ivf_index.h"
#include "index/quantized_flat_index.h"
#include "index/vector_file.h"

namespace credmatch::index {
namespace {

constexpr std::string_view kFaissPrefix = "faiss:";

bool is_faiss(const std::string& factory) {
  return factory.size() > kFaissPrefix.size() && factory.starts_with(kFaissPrefix);
}

bool is_hnsw(const std::string& factory) {
  return factory.size() >= HnswlibIndex::kPrefix.size() &&
         factory.starts_with(HnswlibIndex::kPrefix);
}

bool is_ivf(const std::string& factory) {
  return factory.size() >= IvfIndex::kPrefix.size() && factory.starts_with(IvfIndex::kPrefix);
}

bool is_quantized_flat(const std::string& factory) {
  return factory.size() > QuantizedFlatIndex::kPrefix.size() &&
         factory.starts_with(QuantizedFlatIndex::kPrefix);
}

// Rebuilds the index a payload's factory string names from the bytes at `offset` in `payload`.
// IvfIndex takes the payload over and scans its codes in place; the others copy what they need.
Result<std::unique_ptr<VectorIndex>> deserialize(const std::string& factory,
                                                 std::string&& payload, size_t offset) {
  if (is_ivf(factory)) {
    Result<std::unique_ptr<IvfIndex>> ivf = IvfIndex::deserialize(
        factory.substr(IvfIndex::kPrefix.size()), std::move(payload), offset);
    if (!ivf) return ivf.status();
    return std::unique_ptr<VectorIndex>(std::move(ivf).value());
  }
  const std::string_view bytes = std::string_view(payload).substr(offset);
  if (factory == "Flat") {
    Result<std::unique_ptr<FlatIndex>> flat = FlatIndex::deserialize(bytes);
    if (!flat) return flat.status();
    return std::unique_ptr<VectorIndex>(std::move(flat).value());
  }
  if (is_quantized_flat(factory)) {
    Result<std::unique_ptr<QuantizedFlatIndex>> quantized =
        QuantizedFlatIndex::deserialize(factory.substr(QuantizedFlatIndex::kPrefix.size()), bytes);
    if (!quantized) return quantized.status();
    return std::unique_ptr<VectorIndex>(std::move(quantized).value());
  }
  if (is_hnsw(factory)) {
    Result<std::unique_ptr<HnswlibIndex>> hnsw =
        HnswlibIndex::deserialize(factory.substr(HnswlibIndex::kPrefix.size()), bytes);
    if (!hnsw) return hnsw.status();
    return std::unique_ptr<VectorIndex>(std::move(hnsw).value());
  }
  if (is_faiss(factory)) {
    Result<std::unique_ptr<FaissIndex>> faiss =
        FaissIndex::deserialize(factory.substr(kFaissPrefix.size()), bytes);
    if (!faiss) return faiss.status();
    return std::unique_ptr<VectorIndex>(std::move(faiss).value());
  }
  return Status::mismatch("unknown index factory string '" + factory +
                          "' (written by a newer version?)");
}

}  // namespace

std::unique_ptr<VectorIndex> make_index(const std::string& factory, int dim) {
  CREDMATCH_CHECK(dim > 0, "dim=" << dim);
  if (factory == "Flat") return std::make_unique<FlatIndex>(dim);
  if (is_quantized_flat(factory)) {
    return std::make_unique<QuantizedFlatIndex>(dim,
                                                factory.substr(QuantizedFlatIndex::kPrefix.size()));
  }
  if (is_hnsw(factory)) {
    return std::make_unique<HnswlibIndex>(dim, factory.substr(HnswlibIndex::kPrefix.size()));
  }
  if (is_ivf(factory)) {
    return std::make_unique<IvfIndex>(dim, factory.substr(IvfIndex::kPrefix.size()));
  }
  if (is_faiss(factory)) {
    return std::make_unique<FaissIndex>(dim, factory.substr(kFaissPrefix.size()));
  }
  throw Error("unknown index factory string '" + factory +
              "': accepted are \"Flat\" (exact search), \"Flat:fp16\" / \"Flat:int8\" "
              "(quantized scan, optionally \",rerank\"), \"hnsw:M=32,efc=200\" (hnswlib graph, "
              "options M, efc, ef, int8, rerank) and \"faiss:SPEC\" with a Faiss "
              "index_factory spec, e.g. \"faiss:HNSW32\", \"faiss:IVF256,Flat\", \"faiss:Flat\"");
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
      deserialize(factory, std::move(file->payload), offset);
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
  auto* ivf = dynamic_cast<IvfIndex*>(&index);
  if (ivf == nullptr || !ivf->config().ondisk) return Status::ok();
  Result<std::unique_ptr<VectorRows>> rows =
      VectorRows::open(vectors_path, ivf->dim(), expected_encoder_id);
  if (!rows) return rows.status();
  if ((*rows)->size() != ivf->size()) {
    return Status::mismatch(vectors_path + ": " + std::to_string((*rows)->size()) +
                            " vectors, the index holds " + std::to_string(ivf->size()));
  }
  ivf->attach_vectors(std::move(rows).value());
  return Status::ok();
}

}  // namespace credmatch::index
