#include "core/idle_pool.h"

#include <atomic>

#include <gtest/gtest.h>

namespace almanac {
namespace {

struct Counted {
  static inline std::atomic<int> alive{0};
  Counted() { ++alive; }
  ~Counted() { --alive; }
  Counted(const Counted&) = delete;
  Counted& operator=(const Counted&) = delete;
  int uses = 0;
};

TEST(IdlePool, LendsTheSameObjectAgainOnceGivenBack) {
  IdlePool<Counted> pool;
  Counted* first = nullptr;
  {
    IdlePool<Counted>::Loan loan = pool.Borrow();
    first = &*loan;
    ++loan->uses;
  }
  IdlePool<Counted>::Loan again = pool.Borrow();
  EXPECT_EQ(&*again, first);
  EXPECT_EQ(again->uses, 1);
}

TEST(IdlePool, TwoLoansAtOnceAreTwoObjects) {
  IdlePool<Counted> pool;
  IdlePool<Counted>::Loan a = pool.Borrow();
  IdlePool<Counted>::Loan b = pool.Borrow();
  EXPECT_NE(&*a, &*b);
}

TEST(IdlePool, DropIdleDestroysOnlyWhatNobodyHolds) {
  int before = Counted::alive.load();
  {
    IdlePool<Counted> pool;
    { IdlePool<Counted>::Loan given_back = pool.Borrow(); }
    IdlePool<Counted>::Loan held = pool.Borrow();  // the one given back
    { IdlePool<Counted>::Loan second = pool.Borrow(); }
    EXPECT_EQ(Counted::alive.load(), before + 2);
    EXPECT_EQ(pool.idle_count(), 1u);
    pool.DropIdle();
    EXPECT_EQ(Counted::alive.load(), before + 1);
    EXPECT_EQ(pool.idle_count(), 0u);
    held->uses = 7;  // still usable
  }
  EXPECT_EQ(Counted::alive.load(), before);
}

}  // namespace
}  // namespace almanac
