// ByName<T>: objects of an instance kept by a name (a database's change log, its links
// index), owned here, found by the name without copying it.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

namespace almanac {

template <typename T>
class ByName {
 public:
  void Add(std::string name, std::unique_ptr<T> item) { items_[std::move(name)] = std::move(item); }
  // nullptr when there is none of that name.
  T* Find(std::string_view name) const {
    auto found = items_.find(name);
    return found == items_.end() ? nullptr : found->second.get();
  }
  // Calls `f(T&)` for each, in name order.
  template <typename F>
  void ForEach(F&& f) const {
    for (const auto& [name, item] : items_) f(*item);
  }

 private:
  std::map<std::string, std::unique_ptr<T>, std::less<>> items_;
};

}  // namespace almanac
