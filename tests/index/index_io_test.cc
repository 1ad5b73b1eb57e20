// make_index, save_index/load_index and the vector file: every persisted format round-trips to
// identical results, and every damaged or mismatched file is reported with the right code and
// a message naming the values.
#include <gtest/gtest.h>

#include "tests/vector_data.h"
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "base/binary_file.h"
#include "base/error.h"
#include "index/faiss_index.h"
#include "index/flat_index.h"
#include "index/index_factory.h"
#include "index/vector_file.h"

namespace credmatch::index {
namespace {

namespace fs = std::filesystem;

using testing_util::random_unit_vectors;

// A fresh directory per test, removed afterwards.
class IndexIO : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() / ("credmatch_" + std::string(info->test_suite_name()) + "_" +
                                        info->name() + "_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  static std::string read_all(const std::string& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }
  static void write_all(const std::string& p, const std::string& bytes) {
    std::ofstream(p, std::ios::binary | std::ios::trunc)
        .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }
  // Writes an index container around a hand-made payload (valid checksums).
  static void write_index_file(const std::string& p, const std::string& factory,
                               const std::string& bytes, uint64_t count, uint32_t dim = 8,
                               uint32_t version = kIndexFormatVersion) {
    ByteWriter w;
    w.str(factory);
    w.buffer().append(bytes);
    ASSERT_TRUE(write_binary_file(p, {kIndexFileKind, version, dim, "enc", count}, w.buffer()));
  }

  fs::path dir_;
};

using VectorFile = IndexIO;

constexpr int kDim = 16;

TEST_F(IndexIO, EveryKindRoundTripsToIdenticalResults) {
  const std::vector<float> base = random_unit_vectors(1000, kDim, 1);
  const std::vector<float> queries = random_unit_vectors(20, kDim, 2);
  for (const char* factory : {"Flat", "faiss:Flat", "faiss:HNSW32", "faiss:IVF16,Flat",
                              "faiss:IVF16,PQ4x4np", "faiss:PCA8,IVF16,Flat"}) {
    SCOPED_TRACE(factory);
    std::unique_ptr<VectorIndex> index = make_index(factory, kDim);
    index->add(1000, base);
    const SearchParams params{.ef_search = 20, .nprobe = 4};
    const SearchResult want = index->search(20, queries, 10, params);
    ASSERT_TRUE(save_index(path("a.index"), *index, "enc@1"));
    Result<std::unique_ptr<VectorIndex>> loaded = load_index(path("a.index"), kDim, "enc@1");
    ASSERT_TRUE(loaded) << loaded.status().to_string();
    EXPECT_EQ((*loaded)->factory_string(), factory);
    EXPECT_EQ((*loaded)->size(), 1000);
    EXPECT_EQ((*loaded)->dim(), kDim);
    const SearchResult got = (*loaded)->search(20, queries, 10, params);
    EXPECT_EQ(got.ids, want.ids);
    EXPECT_EQ(got.scores, want.scores);
  }
}

TEST_F(IndexIO, EmptyIndexesRoundTrip) {
  for (const char* factory : {"Flat", "faiss:HNSW32", "faiss:IVF16,Flat"}) {
    SCOPED_TRACE(factory);
    ASSERT_TRUE(save_index(path("e.index"), *make_index(factory, kDim), ""));
    Result<std::unique_ptr<VectorIndex>> loaded = load_index(path("e.index"), kDim, "");
    ASSERT_TRUE(loaded) << loaded.status().to_string();
    EXPECT_EQ((*loaded)->size(), 0);
  }
}

TEST_F(IndexIO, FlippedByteAnywhereIsCorruption) {
  std::unique_ptr<VectorIndex> index = make_index("Flat", kDim);
  index->add(10, random_unit_vectors(10, kDim, 3));
  ASSERT_TRUE(save_index(path("a.index"), *index, "enc"));
  const std::string good = read_all(path("a.index"));
  for (size_t at : {size_t{3}, size_t{20}, good.size() / 2, good.size() - 2}) {
    std::string bad = good;
    bad[at] = static_cast<char>(bad[at] ^ 0x10);
    write_all(path("b.index"), bad);
    Result<std::unique_ptr<VectorIndex>> r = load_index(path("b.index"), kDim, "enc");
    ASSERT_FALSE(r) << "flipped byte " << at;
    EXPECT_EQ(r.status().code(), StatusCode::kCorruption) << r.status().to_string();
  }
}

TEST_F(IndexIO, TruncatedFileIsCorruption) {
  for (const char* factory : {"Flat", "faiss:HNSW32"}) {
    SCOPED_TRACE(factory);
    std::unique_ptr<VectorIndex> index = make_index(factory, kDim);
    index->add(50, random_unit_vectors(50, kDim, 4));
    ASSERT_TRUE(save_index(path("a.index"), *index, "enc"));
    const std::string good = read_all(path("a.index"));
    for (size_t keep : {size_t{0}, size_t{5}, size_t{40}, good.size() / 2, good.size() - 1}) {
      write_all(path("t.index"), good.substr(0, keep));
      Result<std::unique_ptr<VectorIndex>> r = load_index(path("t.index"), kDim, "enc");
      ASSERT_FALSE(r) << "kept " << keep << " bytes";
      EXPECT_EQ(r.status().code(), StatusCode::kCorruption) << r.status().to_string();
    }
  }
}

TEST_F(IndexIO, WrongDimIsMismatchNamingBothDims) {
  ASSERT_TRUE(save_index(path("a.index"), *make_index("Flat", 128), "enc"));
  Result<std::unique_ptr<VectorIndex>> r = load_index(path("a.index"), 256, "enc");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.status().code(), StatusCode::kMismatch);
  EXPECT_NE(r.status().message().find("index has dim 128, encoder produces 256"), std::string::npos)
      << r.status().to_string();
  EXPECT_TRUE(load_index(path("a.index"), 0, "enc")) << "expected_dim 0 skips the check";
}

TEST_F(IndexIO, WrongEncoderIsMismatchNamingBoth) {
  ASSERT_TRUE(save_index(path("a.index"), *make_index("faiss:HNSW32", 8), "tfidf@1"));
  Result<std::unique_ptr<VectorIndex>> r = load_index(path("a.index"), 8, "minilm@2");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.status().code(), StatusCode::kMismatch);
  EXPECT_NE(r.status().message().find("'tfidf@1'"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("'minilm@2'"), std::string::npos) << r.status().message();
  EXPECT_TRUE(load_index(path("a.index"), 8, "")) << "an empty encoder id skips the check";
}

TEST_F(IndexIO, WrongFormatVersionIsMismatchNamingBoth) {
  write_index_file(path("v.index"), "Flat", FlatIndex(8).serialize(), 0, 8,
                   kIndexFormatVersion + 1);
  Result<std::unique_ptr<VectorIndex>> r = load_index(path("v.index"), 8, "");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.status().code(), StatusCode::kMismatch);
  EXPECT_NE(r.status().message().find("format version 2, this build reads 1"), std::string::npos)
      << r.status().message();
}

TEST_F(IndexIO, MissingFileIsNotFoundAndOtherKindsAreMismatch) {
  EXPECT_EQ(load_index(path("nope.index"), 8, "").status().code(), StatusCode::kNotFound);
  ASSERT_TRUE(save_vectors(path("v.bin"), 8, std::vector<float>(16, 0.f), ""));
  EXPECT_EQ(load_index(path("v.bin"), 8, "").status().code(), StatusCode::kMismatch);
  write_index_file(path("u.index"), "Annoy", "", 0);
  Result<std::unique_ptr<VectorIndex>> r = load_index(path("u.index"), 8, "");
  EXPECT_EQ(r.status().code(), StatusCode::kMismatch);
  EXPECT_NE(r.status().message().find("'Annoy'"), std::string::npos) << r.status().message();
}

TEST_F(IndexIO, InconsistentPayloadsWithValidChecksumsAreCorruption) {
  FlatIndex flat(8);
  flat.add(3, random_unit_vectors(3, 8, 5));
  const std::string bytes = flat.serialize();
  struct Case {
    const char* what;
    std::string factory, bytes;
    uint64_t count;
    uint32_t dim;
  };
  const std::vector<Case> cases = {
      {"count differs from the index", "Flat", bytes, 4, 8},
      {"dim differs from the index", "Flat", bytes, 3, 16},
      {"vectors cut short", "Flat", bytes.substr(0, bytes.size() - 4), 3, 8},
      {"extra bytes", "Flat", bytes + "xxxx", 3, 8},
      {"no Flat header", "Flat", bytes.substr(0, 6), 3, 8},
      {"zero dim", "Flat", std::string(12, '\0'), 0, 8},
      {"faiss garbage", "faiss:HNSW32", "definitely not a faiss index", 0, 8},
      {"faiss cut short", "faiss:Flat", FaissIndex(8, "Flat").serialize().substr(0, 20), 0, 8},
      {"no factory string", "", "", 0, 8},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    if (c.factory.empty()) {
      ASSERT_TRUE(write_binary_file(path("c.index"),
                                    {kIndexFileKind, kIndexFormatVersion, 8, "", 0}, "ab"));
    } else {
      write_index_file(path("c.index"), c.factory, c.bytes, c.count, c.dim);
    }
    Result<std::unique_ptr<VectorIndex>> r = load_index(path("c.index"), 0, "");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.status().code(), StatusCode::kCorruption) << r.status().to_string();
  }
}

TEST(IndexFactory, MakesEachKindFromItsFactoryString) {
  for (const char* factory : {"Flat", "faiss:Flat", "faiss:HNSW32", "faiss:IVF16,Flat"}) {
    std::unique_ptr<VectorIndex> index = make_index(factory, 8);
    EXPECT_EQ(index->factory_string(), factory);
    EXPECT_EQ(index->dim(), 8);
    EXPECT_EQ(index->size(), 0);
  }
  EXPECT_NE(dynamic_cast<FlatIndex*>(make_index("Flat", 8).get()), nullptr);
  EXPECT_NE(dynamic_cast<FaissIndex*>(make_index("faiss:Flat", 8).get()), nullptr);
}

// VectorIndex::exact_vectors(): only an index whose search is an exact scan of fp32 vectors it
// holds (Flat) gives them; a re-ranking index keeps exact copies but searches approximately.
TEST(IndexFactory, OnlyTheExactFlatIndexGivesItsVectors) {
  const std::vector<float> base = random_unit_vectors(40, 8, 7);
  std::unique_ptr<VectorIndex> flat = make_index("Flat", 8);
  ASSERT_TRUE(flat->exact_vectors());
  EXPECT_TRUE(flat->exact_vectors()->empty());  // empty, but it holds them
  flat->add(40, base);
  ASSERT_TRUE(flat->exact_vectors());
  EXPECT_EQ(std::vector<float>(flat->exact_vectors()->begin(), flat->exact_vectors()->end()),
            base);
  for (const char* factory : {"Flat:int8", "Flat:fp16,rerank=4", "hnsw:M=8", "hnsw:int8,rerank=2",
                              "ivf:nlist=4,rerank=2", "faiss:Flat"}) {
    SCOPED_TRACE(factory);
    std::unique_ptr<VectorIndex> index = make_index(factory, 8);
    index->add(40, base);
    EXPECT_FALSE(index->exact_vectors());
  }
}

TEST(IndexFactory, RejectsUnknownStringsListingTheAcceptedForms) {
  for (const char* factory : {"", "flat", "HNSW32", "faiss:", "faiss"}) {
    SCOPED_TRACE(factory);
    try {
      (void)make_index(factory, 8);
      FAIL() << "expected credmatch::Error";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("\"faiss:SPEC\""), std::string::npos) << e.what();
    }
  }
  EXPECT_THROW((void)make_index("faiss:NoSuchIndex", 8), Error);
  EXPECT_THROW((void)make_index("Flat", 0), Error);
}

TEST_F(VectorFile, RoundTripsExactly) {
  const std::vector<float> data = random_unit_vectors(37, 12, 6);
  ASSERT_TRUE(save_vectors(path("v.bin"), 12, data, "enc@1"));
  Result<VectorMatrix> m = load_vectors(path("v.bin"), 12, "enc@1");
  ASSERT_TRUE(m) << m.status().to_string();
  EXPECT_EQ(m->dim, 12);
  EXPECT_EQ(m->n, 37);
  EXPECT_EQ(m->data, data);
  EXPECT_EQ(m->row(2)[3], data[2 * 12 + 3]);

  ASSERT_TRUE(save_vectors(path("empty.bin"), 12, {}, "enc@1"));
  Result<VectorMatrix> empty = load_vectors(path("empty.bin"), 0, "");
  ASSERT_TRUE(empty) << empty.status().to_string();
  EXPECT_EQ(empty->n, 0);
  EXPECT_EQ(empty->dim, 12);
}

TEST_F(VectorFile, ReportsDamagedAndMismatchedFiles) {
  ASSERT_TRUE(save_vectors(path("v.bin"), 4, std::vector<float>(40, 0.25f), "enc@1"));
  Result<VectorMatrix> dim = load_vectors(path("v.bin"), 8, "");
  EXPECT_EQ(dim.status().code(), StatusCode::kMismatch);
  EXPECT_NE(dim.status().message().find("dim 4, encoder produces 8"), std::string::npos)
      << dim.status().message();
  Result<VectorMatrix> enc = load_vectors(path("v.bin"), 4, "enc@2");
  EXPECT_EQ(enc.status().code(), StatusCode::kMismatch);
  EXPECT_NE(enc.status().message().find("'enc@1'"), std::string::npos);
  EXPECT_NE(enc.status().message().find("'enc@2'"), std::string::npos);

  const std::string good = read_all(path("v.bin"));
  write_all(path("t.bin"), good.substr(0, good.size() - 3));
  EXPECT_EQ(load_vectors(path("t.bin"), 4, "").status().code(), StatusCode::kCorruption);
  std::string flipped = good;
  flipped[good.size() - 10] ^= 1;
  write_all(path("f.bin"), flipped);
  EXPECT_EQ(load_vectors(path("f.bin"), 4, "").status().code(), StatusCode::kCorruption);

  const std::string payload(4 * 4 * 3 - 1, '\0');  // 3 vectors of dim 4, one byte short
  ASSERT_TRUE(
      write_binary_file(path("s.bin"), {kVectorFileKind, kVectorFormatVersion, 4, "", 3}, payload));
  EXPECT_EQ(load_vectors(path("s.bin"), 4, "").status().code(), StatusCode::kCorruption);
  ASSERT_TRUE(write_binary_file(path("w.bin"), {kVectorFileKind, 7, 4, "", 0}, ""));
  Result<VectorMatrix> version = load_vectors(path("w.bin"), 4, "");
  EXPECT_EQ(version.status().code(), StatusCode::kMismatch);
  EXPECT_NE(version.status().message().find("version 7, this build reads 1"), std::string::npos);

  ASSERT_TRUE(save_index(path("i.index"), *make_index("Flat", 4), ""));
  EXPECT_EQ(load_vectors(path("i.index"), 4, "").status().code(), StatusCode::kMismatch);
  EXPECT_EQ(load_vectors(path("missing.bin"), 4, "").status().code(), StatusCode::kNotFound);
}

TEST_F(VectorFile, StreamedWriteEqualsSaveAndRowsReadOnDemand) {
  const std::vector<float> data = random_unit_vectors(50, 12, 9);
  {
    auto w = VectorFileWriter::create(path("s.vec"), 12, 50, "enc@1");
    ASSERT_TRUE(w) << w.status().to_string();
    ASSERT_TRUE((*w)->append(std::span(data).first(12 * 20)));
    ASSERT_TRUE((*w)->append(std::span(data).subspan(12 * 20)));
    ASSERT_TRUE((*w)->finish());
  }
  ASSERT_TRUE(save_vectors(path("whole.vec"), 12, data, "enc@1"));
  EXPECT_EQ(read_all(path("s.vec")), read_all(path("whole.vec")));

  auto rows = VectorRows::open(path("s.vec"), 12, "enc@1");
  ASSERT_TRUE(rows) << rows.status().to_string();
  EXPECT_EQ((*rows)->size(), 50);
  std::vector<float> row(12);
  for (int64_t i : {0, 17, 49}) {
    (*rows)->read(i, row.data());
    EXPECT_EQ(row, std::vector<float>(data.begin() + i * 12, data.begin() + (i + 1) * 12));
  }
  EXPECT_THROW((*rows)->read(50, row.data()), Error);
  EXPECT_EQ(VectorRows::open(path("s.vec"), 8, "").status().code(), StatusCode::kMismatch);
  EXPECT_EQ(VectorRows::open(path("s.vec"), 12, "enc@2").status().code(), StatusCode::kMismatch);
  const std::string good = read_all(path("s.vec"));
  write_all(path("t.vec"), good.substr(0, good.size() - 5));
  EXPECT_EQ(VectorRows::open(path("t.vec"), 12, "").status().code(), StatusCode::kCorruption);
  EXPECT_EQ(VectorRows::open(path("missing.vec"), 12, "").status().code(),
            StatusCode::kNotFound);
}

TEST_F(VectorFile, StreamedWriteFailuresNeverLeaveAFile) {
  const std::vector<float> data(12 * 3, 0.5f);
  {
    auto w = VectorFileWriter::create(path("short.vec"), 12, 4, "");
    ASSERT_TRUE(w);
    ASSERT_TRUE((*w)->append(data));
    const Status s = (*w)->finish();  // 3 of 4 rows
    EXPECT_EQ(s.code(), StatusCode::kIOError);
    EXPECT_NE(s.message().find("declared"), std::string::npos) << s.to_string();
    EXPECT_EQ((*w)->append(std::vector<float>(24, 0.0f)).code(), StatusCode::kIOError);  // past 4
  }
  EXPECT_FALSE(fs::exists(path("short.vec")));
  EXPECT_FALSE(fs::exists(path("short.vec") + ".tmp"));
  // A good file stays as it was when its replacement fails.
  ASSERT_TRUE(save_vectors(path("keep.vec"), 12, data, ""));
  const std::string before = read_all(path("keep.vec"));
  {
    auto w = VectorFileWriter::create(path("keep.vec"), 12, 9, "");
    ASSERT_TRUE(w);
    ASSERT_TRUE((*w)->append(data));
  }  // dropped unfinished
  EXPECT_EQ(read_all(path("keep.vec")), before);
  EXPECT_THROW((void)VectorFileWriter::create(path("x.vec"), 0, 1, ""), Error);
}

TEST(VectorFileArgs, ThrowsOnCallerMistakes) {
  EXPECT_THROW((void)save_vectors("unused.bin", 0, {}, ""), Error);
  EXPECT_THROW((void)save_vectors("unused.bin", 3, std::vector<float>(4), ""), Error);
}

}  // namespace
}  // namespace credmatch::index
