// Tests for result.h: Result<T, E> and Result<void, E>.

#include "primitives/result.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>

#include "primitives/test_util.h"

namespace racelings {
namespace {

using testing_util::Counted;

struct MyError {
  int code = 0;
  const char* what() const { return "my error"; }
};
struct Plain {
  int code = 0;
};

TEST(Result, AValueIsOkAndUnwrapsToIt) {
  Result<int, MyError> r = 5;
  EXPECT_TRUE(r.is_ok());
  EXPECT_FALSE(r.is_err());
  EXPECT_TRUE(static_cast<bool>(r));
  EXPECT_EQ(r.unwrap(), 5);
  EXPECT_EQ(r.expect("needed a number"), 5);
  EXPECT_EQ(*r, 5);
}

TEST(Result, UnwrapOfAnErrorThrowsNamingTheError) {
  Result<int, MyError> r(Err, MyError{7});
  EXPECT_TRUE(r.is_err());
  EXPECT_FALSE(static_cast<bool>(r));
  try {
    r.unwrap();
    FAIL() << "unwrap() of an error should throw";
  } catch (const BadResultAccess& e) {
    EXPECT_STREQ(e.what(), "called unwrap() on an error: my error");
  }
  EXPECT_EQ(r.error().code, 7);
}

TEST(Result, ExpectPutsTheCallersMessageFirst) {
  Result<int, MyError> r(Err, MyError{});
  try {
    r.expect("the config must load");
    FAIL();
  } catch (const BadResultAccess& e) {
    EXPECT_STREQ(e.what(), "the config must load: my error");
  }
}

TEST(Result, AnErrorWithoutWhatIsCalledAnError) {
  Result<int, Plain> r(Err, Plain{1});
  try {
    r.unwrap();
    FAIL();
  } catch (const BadResultAccess& e) {
    EXPECT_STREQ(e.what(), "called unwrap() on an error: an error");
  }
}

TEST(Result, ErrorOfAValueThrows) {
  Result<int, MyError> r = 1;
  EXPECT_THROW(r.error(), BadResultAccess);
  Result<void, MyError> v;
  EXPECT_THROW(v.error(), BadResultAccess);
}

TEST(Result, ValueOrGivesTheFallbackOnAnError) {
  EXPECT_EQ((Result<int, MyError>(3)).value_or(9), 3);
  EXPECT_EQ((Result<int, MyError>(Err, MyError{})).value_or(9), 9);
}

TEST(Result, ArrowReachesTheValuesMembers) {
  Result<std::string, MyError> r = std::string("abc");
  EXPECT_EQ(r->size(), 3u);
  Result<std::string, MyError> e(Err);
  EXPECT_THROW((void)e->size(), BadResultAccess);
}

TEST(Result, AMoveOnlyValueComesOutOfAnRvalueResult) {
  Result<std::unique_ptr<int>, MyError> r = std::make_unique<int>(4);
  std::unique_ptr<int> p = std::move(r).unwrap();
  EXPECT_EQ(*p, 4);
}

TEST(Result, VoidResultIsOkByDefaultAndUnwrapsOrThrows) {
  Result<void, MyError> ok;
  EXPECT_TRUE(ok.is_ok());
  EXPECT_NO_THROW(ok.unwrap());
  Result<void, MyError> bad(Err, MyError{3});
  EXPECT_TRUE(bad.is_err());
  EXPECT_THROW(bad.unwrap(), BadResultAccess);
  try {
    bad.expect("must send");
  } catch (const BadResultAccess& e) {
    EXPECT_STREQ(e.what(), "must send: my error");
  }
  EXPECT_EQ(std::move(bad).error().code, 3);
}

TEST(Result, ValuesAndErrorsAreNeitherLeakedNorDestroyedTwice) {
  Counted::reset();
  {
    Result<Counted, Counted> ok = Counted(1);
    Result<Counted, Counted> err(Err, Counted(2));
    Counted a = std::move(ok).unwrap();
    Counted b = std::move(err).error();
    EXPECT_EQ(a.value() + b.value(), 3);
    using R = Result<Counted, Counted>;
    EXPECT_EQ(R(Counted(5)).value_or(Counted(6)).value(), 5);
    Result<void, Counted> v(Err, Counted(7));
    EXPECT_EQ(v.error().value(), 7);
  }
  EXPECT_EQ(Counted::alive(), 0);
  EXPECT_EQ(Counted::double_destroyed(), 0);
}

}  // namespace
}  // namespace racelings
