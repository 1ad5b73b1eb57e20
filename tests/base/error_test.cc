// CREDMATCH_CHECK (base/error.h): a failed check names the condition and the values, keeps
// the source location apart, and is still a credmatch::Error for callers that catch those.
#include "base/error.h"

#include <gtest/gtest.h>

#include <string>

namespace credmatch {
namespace {

void check_positive(int k) { CREDMATCH_CHECK(k > 0, "k=" << k); }

TEST(CheckFailed, NamesTheConditionWithoutASourcePath) {
  try {
    check_positive(-3);
    FAIL() << "no throw";
  } catch (const CheckFailed& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("k > 0"), std::string::npos) << what;
    EXPECT_NE(what.find("k=-3"), std::string::npos) << what;
    EXPECT_EQ(what.find(".cc"), std::string::npos) << what;  // no path in what()
    EXPECT_NE(e.where().find("error_test.cc:"), std::string::npos) << e.where();
  }
  EXPECT_THROW(check_positive(0), Error);
  EXPECT_NO_THROW(check_positive(1));
}

}  // namespace
}  // namespace credmatch
