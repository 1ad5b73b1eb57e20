// Tests of the exact lexical rankers (text/lexical.h) on tiny hand-computed examples.
#include "text/lexical.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <thread>
#include <vector>

#include "base/error.h"

namespace credmatch::engine {
namespace {

TEST(Bm25Ranker, ScoresMatchTheFormulaByHand) {
  // Lengths 2, 1, 3 (avgdl 2); "sql" is in 2 of 3 targets.
  const std::vector<std::string> targets = {"Java SQL", "code", "SQL sql code"};
  Bm25Ranker bm25(targets);
  const RankedList r = bm25.search("sql", 3);
  ASSERT_EQ(r.ids.size(), 3u);
  const double idf = std::log(1.0 + (3 - 2 + 0.5) / (2 + 0.5));
  const double d2 = idf * 2 * 2.2 / (2 + 1.2 * (0.25 + 0.75 * 3 / 2.0));
  const double d0 = idf * 1 * 2.2 / (1 + 1.2 * (0.25 + 0.75 * 2 / 2.0));
  EXPECT_EQ(r.ids[0], 2);
  EXPECT_NEAR(r.scores[0], d2, 1e-5);
  EXPECT_NEAR(r.scores[0], 0.566580, 1e-5);
  EXPECT_EQ(r.ids[1], 0);
  EXPECT_NEAR(r.scores[1], d0, 1e-5);
  EXPECT_EQ(r.ids[2], 1);  // no shared term: filled in with score 0
  EXPECT_EQ(r.scores[2], 0.0f);
}

TEST(Bm25Ranker, IgnoresStopWordsAndStemsPlurals) {
  const std::vector<std::string> targets = {"the databases", "a network"};
  Bm25Ranker bm25(targets);
  EXPECT_EQ(Bm25Ranker::terms("The databases of the network"),
            (std::vector<std::string>{"database", "network"}));
  const RankedList r = bm25.search("database", 1);
  ASSERT_EQ(r.ids.size(), 1u);
  EXPECT_EQ(r.ids[0], 0);
  EXPECT_GT(r.scores[0], 0.0f);
  EXPECT_EQ(bm25.search("the", 2).scores, (std::vector<float>{0.0f, 0.0f}));
}

TEST(Bm25Ranker, RepeatedQueryTermsCountOnce) {
  const std::vector<std::string> targets = {"sql", "java"};
  Bm25Ranker bm25(targets);
  EXPECT_EQ(bm25.search("sql", 1).scores, bm25.search("sql sql sql", 1).scores);
}

TEST(CharTfidfRanker, CutsPaddedTokensIntoCodePointNgrams) {
  const CharTfidfConfig config;  // 3-5
  auto grams = CharTfidfRanker::ngrams("AB", config);
  EXPECT_EQ(grams.size(), 3u);  // <ab ab> <ab>
  EXPECT_EQ(grams.count("<ab"), 1u);
  EXPECT_EQ(grams.count("ab>"), 1u);
  EXPECT_EQ(grams.count("<ab>"), 1u);
  // "<a>" is exactly 3 code points: one feature; a shorter padded token is kept whole.
  EXPECT_EQ(CharTfidfRanker::ngrams("a", config).size(), 1u);
  CharTfidfConfig four{4, 5};
  EXPECT_EQ(CharTfidfRanker::ngrams("a", four).count("<a>"), 1u);
  // Greek letters are two bytes each; n-grams count code points, not bytes.
  grams = CharTfidfRanker::ngrams("αβ", config);
  EXPECT_EQ(grams.size(), 3u);
  EXPECT_EQ(grams.count("<αβ"), 1u);
  // Counts add up across tokens: "sql sql" has every n-gram of <sql> twice.
  grams = CharTfidfRanker::ngrams("sql sql", config);
  EXPECT_EQ(grams["<sq"], 2);
  EXPECT_EQ(grams["<sql>"], 2);
}

TEST(CharTfidfRanker, ScoresAreCosinesOfTfidfVectors) {
  const std::vector<std::string> targets = {"ab", "cd", "ab cd"};
  CharTfidfRanker tfidf(targets);
  // An identical text has cosine 1.
  RankedList r = tfidf.search("ab", 3);
  ASSERT_EQ(r.ids.size(), 3u);
  EXPECT_EQ(r.ids[0], 0);
  EXPECT_NEAR(r.scores[0], 1.0, 1e-5);
  // By hand: the three n-grams of <ab> have df 2 (idf ln(4/3)+1), those of <cd> as well, so
  // "ab cd" is the unit vector with six equal weights and cos("ab", "ab cd") = 3/sqrt(3*6).
  EXPECT_EQ(r.ids[1], 2);
  EXPECT_NEAR(r.scores[1], 3.0 / std::sqrt(18.0), 1e-5);
  EXPECT_EQ(r.ids[2], 1);
  EXPECT_EQ(r.scores[2], 0.0f);
  // Typos still share n-grams.
  CharTfidfRanker skills(std::vector<std::string>{"postgresql", "python", "project management"});
  EXPECT_EQ(skills.search("postgres", 1).ids[0], 0);
  EXPECT_EQ(skills.search("managing projects", 1).ids[0], 2);
}

TEST(WordTfidfRanker, NgramsAreStemmedUnigramsAndBigramsWithStopWords) {
  auto grams = WordTfidfRanker::ngrams("Data analysis of the databases", WordTfidfConfig{});
  EXPECT_EQ(grams["data"], 1);
  EXPECT_EQ(grams["analysis"], 1);  // "is" ending: not a plural
  EXPECT_EQ(grams["database"], 1);
  EXPECT_EQ(grams["of the"], 1);
  EXPECT_EQ(grams["data analysis"], 1);
  EXPECT_EQ(grams["the database"], 1);
  EXPECT_EQ(grams.size(), 9u);  // 5 unigrams + 4 bigrams
  EXPECT_EQ(WordTfidfRanker::ngrams("a b", WordTfidfConfig{}).size(), 0u);  // one-letter tokens
  const WordTfidfConfig bad{2, 1};
  EXPECT_THROW(bad.validate(), credmatch::Error);
}

TEST(WordTfidfRanker, ScoresAreCosinesOfWordTfidfVectors) {
  const std::vector<std::string> targets = {"data analysis", "welding", "data analysis and welding"};
  WordTfidfRanker tfidf(targets);
  RankedList r = tfidf.search("data analysis", 3);
  EXPECT_EQ(r.ids[0], 0);
  EXPECT_NEAR(r.scores[0], 1.0, 1e-5);
  EXPECT_EQ(r.ids[1], 2);
  EXPECT_EQ(r.ids[2], 1);
  EXPECT_EQ(r.scores[2], 0.0f);
}

TEST(LexicalRanker, ScoreAllHoldsTheScoresSearchRanks) {
  std::vector<std::string> targets;
  for (int i = 0; i < 50; ++i) targets.push_back("skill number " + std::to_string(i % 7) + " sql");
  targets.push_back("unrelated");
  const CharTfidfRanker chars(targets);
  const Bm25Ranker bm25(targets);
  const WordTfidfRanker words(targets);
  for (const LexicalRanker* ranker : std::initializer_list<const LexicalRanker*>{&chars, &bm25, &words}) {
    const std::vector<float> all = ranker->score_all("number 3 sql");
    ASSERT_EQ(all.size(), targets.size()) << ranker->name();
    const RankedList r = ranker->search("number 3 sql", int(targets.size()));
    for (size_t i = 0; i < r.ids.size(); ++i) {
      EXPECT_EQ(all[size_t(r.ids[i])], r.scores[i]) << ranker->name() << " " << i;
    }
    EXPECT_EQ(all.back(), 0.0f) << ranker->name();
  }
}

TEST(LexicalRanker, ReturnsAtMostSizeResultsAndRefusesBadK) {
  const std::vector<std::string> targets = {"one", "two"};
  Bm25Ranker bm25(targets);
  CharTfidfRanker tfidf(targets);
  EXPECT_EQ(bm25.search("one", 10).ids.size(), 2u);
  EXPECT_EQ(tfidf.search("zzz", 10).ids, (std::vector<int64_t>{0, 1}));
  EXPECT_THROW(bm25.search("one", 0), credmatch::Error);
  EXPECT_THROW(tfidf.search("one", -1), credmatch::Error);
  EXPECT_THROW(Bm25Ranker(targets, Bm25Config{1.2f, 1.5f}), credmatch::Error);
  EXPECT_THROW(CharTfidfRanker(targets, CharTfidfConfig{4, 3}), credmatch::Error);
  Bm25Ranker empty(std::vector<std::string>{});
  EXPECT_TRUE(empty.search("one", 3).ids.empty());
}

TEST(LexicalRanker, SearchIsSafeFromSeveralThreads) {
  std::vector<std::string> targets;
  for (int i = 0; i < 200; ++i) targets.push_back("skill number " + std::to_string(i) + " sql");
  CharTfidfRanker tfidf(targets);
  Bm25Ranker bm25(targets);
  const RankedList want_t = tfidf.search("number 17 sql", 5);
  const RankedList want_b = bm25.search("number 17 sql", 5);
  std::vector<std::thread> threads;
  std::vector<int> ok(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      bool same = true;
      for (int i = 0; i < 20; ++i) {
        same &= tfidf.search("number 17 sql", 5).ids == want_t.ids;
        same &= bm25.search("number 17 sql", 5).ids == want_b.ids;
      }
      ok[static_cast<size_t>(t)] = same;
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok, std::vector<int>(4, 1));
  EXPECT_EQ(want_t.ids[0], 17);
}

}  // namespace
}  // namespace credmatch::engine
