// The one options syntax of factory strings (index/index_options.h): items, integers, the
// re-ranking items in their current and deprecated spellings with the deprecation messages,
// and make_index() making the same index (same factory string, bytes and results) from either
// spelling.
#include "index/index_options.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "base/error.h"
#include "index/index_factory.h"
#include "tests/vector_data.h"

namespace credmatch::index {
namespace {

std::string what(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(IndexOptions, SplitsItemsIntoKeysValuesAndFlags) {
  const std::vector<IndexOption> items = parse_index_options("M=32,int8,efc=200", "hnsw");
  ASSERT_EQ(items.size(), 3u);
  EXPECT_EQ(items[0].key, "M");
  EXPECT_EQ(items[0].value, "32");
  EXPECT_TRUE(items[0].has_value);
  EXPECT_TRUE(items[1].is_flag("int8"));
  EXPECT_FALSE(items[1].has_value);
  EXPECT_FALSE(items[2].is_flag("efc"));
  EXPECT_EQ(items[2].text, "efc=200");
  EXPECT_TRUE(parse_index_options("", "ivf").empty());
  for (const char* bad : {"M=16,,efc=3", "int8,", ",int8", ","}) {
    SCOPED_TRACE(bad);
    EXPECT_NE(what([&] { (void)parse_index_options(bad, "hnsw"); }).find("empty hnsw option"),
              std::string::npos);
  }
}

TEST(IndexOptions, IntegersAreCheckedAgainstTheirRange) {
  auto one = [](const char* spec) { return parse_index_options(spec, "ivf").at(0); };
  EXPECT_EQ(one("nlist=64").integer("ivf", 0, 100), 64);
  EXPECT_EQ(one("train=-5").integer("ivf", -10, 10), -5);
  for (const char* bad : {"nlist=x", "nlist", "nlist=101", "nlist=", "nlist=5x", "nlist=-1"}) {
    SCOPED_TRACE(bad);
    const std::string message = what([&] { (void)one(bad).integer("ivf", 0, 100); });
    EXPECT_NE(message.find("ivf option '" + std::string(bad) + "'"), std::string::npos) << message;
    EXPECT_NE(message.find("nlist=INTEGER in 0 .. 100"), std::string::npos) << message;
  }
  try {
    throw_unknown_option(one("colour=red"), "ivf", "colour=red,int8", "nlist=N, int8");
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              "unknown ivf option 'colour=red' in 'colour=red,int8': accepted are nlist=N, int8");
  }
}

TEST(IndexOptions, RerankItemsAreTakenOutInBothSpellings) {
  struct Case {
    const char* spec;
    const char* rest;
    int factor;
    bool ondisk;
    std::vector<std::string> warnings;
  };
  const std::vector<Case> cases = {
      {"int8,rerank=4", "int8", 4, false, {}},
      {"rerank=8,int8", "int8", 8, false, {}},
      {"nlist=8,pca=8,int8,rerank=3,ondisk", "nlist=8,pca=8,int8", 3, true, {}},
      {"M=32,rerank=0", "M=32", 0, false, {}},
      {"rerank=2,rerank=6", "", 6, false, {}},
      {"int8,rerank", "int8", 4, false, {"Flat option 'rerank' is deprecated: write 'rerank=4'"}},
      {"rerank8,int8", "int8", 8, false, {"Flat option 'rerank8' is deprecated: write 'rerank=8'"}},
      {"rerank1024,ondisk",
       "",
       1024,
       true,
       {"Flat option 'rerank1024' is deprecated: write 'rerank=1024'"}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.spec);
    RerankOptions rerank{.factor = 99, .ondisk = true};
    std::vector<std::string> warnings;
    EXPECT_EQ(take_rerank_options(c.spec, "Flat", &rerank, &warnings), c.rest);
    EXPECT_EQ(rerank.factor, c.factor);
    EXPECT_EQ(rerank.ondisk, c.ondisk);
    EXPECT_EQ(warnings, c.warnings);
    EXPECT_EQ(take_rerank_options(c.spec, "Flat", &rerank, nullptr), c.rest);  // no list: fine
  }
  for (const char* bad :
       {"rerank=-1", "rerank=1025", "rerank=x", "rerank=", "rerank0", "rerankx", "rerank1025",
        "rerank8=2", "ondisk", "rerank=0,ondisk", "ondisk=1,rerank=2", "int8,,rerank=4"}) {
    SCOPED_TRACE(bad);
    RerankOptions rerank;
    EXPECT_THROW((void)take_rerank_options(bad, "ivf", &rerank, nullptr), Error);
  }
  EXPECT_EQ((RerankOptions{.factor = 4}.spec()), ",rerank=4");
  EXPECT_EQ((RerankOptions{.factor = 3, .ondisk = true}.spec()), ",rerank=3,ondisk");
  EXPECT_EQ(RerankOptions{}.spec(), "");
}

// The former spellings ("rerank", "rerankN") and the current one ("rerank=N") make the same
// index: the same factory string, the same bytes once built, the same results; only the former
// come with a deprecation message.
TEST(IndexFactory, DeprecatedRerankSpellingsWarnAndMakeTheSameIndex) {
  constexpr int kDim = 16;
  constexpr int64_t kBase = 120;  // under 128: hnswlib inserts on one thread, so builds agree
  const std::vector<float> base = testing_util::clustered_unit_vectors(kBase, kDim, 10, 1, 7);
  const std::vector<float> queries = testing_util::clustered_unit_vectors(10, kDim, 10, 2, 7);
  const struct {
    const char* old_spelling;
    const char* new_spelling;
    const char* normalised;
  } pairs[] = {
      {"Flat:int8,rerank", "Flat:int8,rerank=4", "Flat:int8,rerank=4"},
      {"Flat:fp16,rerank8", "Flat:fp16,rerank=8", "Flat:fp16,rerank=8"},
      {"hnsw:M=8,efc=40,int8,rerank", "hnsw:M=8,efc=40,int8,rerank=4",
       "hnsw:M=8,efc=40,ef=64,int8,rerank=4"},
      {"hnsw:rerank3,int8,M=8", "hnsw:M=8,int8,rerank=3", "hnsw:M=8,efc=200,ef=64,int8,rerank=3"},
      {"ivf:nlist=8,pca=8,int8,rerank5", "ivf:nlist=8,pca=8,int8,rerank=5",
       "ivf:nlist=8,nprobe=16,pca=8,int8,rerank=5"},
      {"ivf:nlist=8,pca=8,int8,rerank5,ondisk", "ivf:nlist=8,pca=8,int8,rerank=5,ondisk",
       "ivf:nlist=8,nprobe=16,pca=8,int8,rerank=5,ondisk"},
  };
  for (const auto& p : pairs) {
    SCOPED_TRACE(p.old_spelling);
    std::vector<std::string> old_warnings, new_warnings;
    std::unique_ptr<VectorIndex> a = make_index(p.old_spelling, kDim, &old_warnings);
    std::unique_ptr<VectorIndex> b = make_index(p.new_spelling, kDim, &new_warnings);
    ASSERT_EQ(old_warnings.size(), 1u);
    EXPECT_NE(old_warnings[0].find("is deprecated: write 'rerank="), std::string::npos)
        << old_warnings[0];
    EXPECT_TRUE(new_warnings.empty());
    EXPECT_EQ(factory_warnings(p.old_spelling), old_warnings);
    EXPECT_TRUE(factory_warnings(p.new_spelling).empty());
    EXPECT_EQ(a->factory_string(), p.normalised);
    EXPECT_EQ(b->factory_string(), p.normalised);
    a->add(kBase, base);
    b->add(kBase, base);
    EXPECT_EQ(a->serialize(), b->serialize());
    if (std::string(p.normalised).ends_with("ondisk")) continue;  // searching needs the file
    const SearchResult ra = a->search(10, queries, 5, {});
    const SearchResult rb = b->search(10, queries, 5, {});
    EXPECT_EQ(ra.ids, rb.ids);
    EXPECT_EQ(ra.scores, rb.scores);
  }
  // Strings make_index() rejects have no warnings to give.
  EXPECT_TRUE(factory_warnings("hnsw:rerank").empty());  // rerank on an fp32 graph
  EXPECT_TRUE(factory_warnings("Annoy").empty());
  EXPECT_TRUE(factory_warnings("Flat").empty());
  EXPECT_TRUE(factory_warnings("faiss:IVF16,Flat").empty());
}

TEST(IndexFactory, UnknownIndexKindsListTheOptionSyntax) {
  const std::string message = what([] { (void)make_index("annoy:trees=8", 8); });
  EXPECT_NE(message.find("\",rerank=N\""), std::string::npos) << message;
  EXPECT_NE(message.find("\"ivf:"), std::string::npos) << message;
}

}  // namespace
}  // namespace credmatch::index
