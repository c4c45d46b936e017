// IdlePool<T>: reusable objects that are costly to build (parsed templates, compressors) lent
// to one user at a time, from any thread. Unlike a thread_local, what nobody has borrowed can
// be dropped by another thread: an idle server gives that memory back (DropIdle) and builds
// the objects again when requests come (docs/performance.md, "Per-worker footprint").
#pragma once

#include <memory>
#include <mutex>
#include <utility>
#include <vector>

namespace almanac {

template <class T>
class IdlePool {
 public:
  // One borrowed object; it goes back to the pool when the loan ends.
  class Loan {
   public:
    Loan(IdlePool& pool, std::unique_ptr<T> object) : pool_(&pool), object_(std::move(object)) {}
    ~Loan() {
      if (object_) pool_->GiveBack(std::move(object_));
    }
    Loan(Loan&& other) noexcept = default;
    Loan& operator=(Loan&&) = delete;
    Loan(const Loan&) = delete;
    Loan& operator=(const Loan&) = delete;
    T& operator*() const { return *object_; }
    T* operator->() const { return object_.get(); }

   private:
    IdlePool* pool_;
    std::unique_ptr<T> object_;
  };

  // An object nobody else holds: one given back earlier (most recently first, as it is the
  // warmest), or a new default-constructed one.
  Loan Borrow() {
    {
      std::lock_guard lock(mutex_);
      if (!idle_.empty()) {
        std::unique_ptr<T> object = std::move(idle_.back());
        idle_.pop_back();
        return Loan(*this, std::move(object));
      }
    }
    return Loan(*this, std::make_unique<T>());
  }

  // Destroys the objects not lent out; loans in progress are not affected.
  void DropIdle() {
    std::vector<std::unique_ptr<T>> dropped;
    {
      std::lock_guard lock(mutex_);
      dropped.swap(idle_);
    }
  }

  size_t idle_count() {
    std::lock_guard lock(mutex_);
    return idle_.size();
  }

 private:
  void GiveBack(std::unique_ptr<T> object) {
    std::lock_guard lock(mutex_);
    idle_.push_back(std::move(object));
  }

  std::mutex mutex_;
  std::vector<std::unique_ptr<T>> idle_;
};

}  // namespace almanac
