#include "db/query_cache.h"

namespace almanac::db {
namespace {

void AppendSized(std::string& out, std::string_view bytes) {
  out += std::to_string(bytes.size());
  out += ':';
  out += bytes;
}

}  // namespace

QueryCache::QueryCache(size_t max_entries, size_t max_cells)
    : max_entries_(max_entries), max_cells_(max_cells) {}

std::string QueryCache::Key(uint64_t generation, const sql::Query& query) {
  std::string key = std::to_string(generation);
  key += '|';
  AppendSized(key, query.text);
  for (const Value& v : query.params) {
    switch (v.type()) {
      case Value::Type::kNull:
        key += 'n';
        break;
      case Value::Type::kInteger:
        key += 'i';
        AppendSized(key, std::to_string(v.integer()));
        break;
      case Value::Type::kReal: {
        double real = v.real();
        key += 'r';
        AppendSized(key, std::string_view(reinterpret_cast<const char*>(&real), sizeof real));
        break;
      }
      case Value::Type::kText:
        key += 't';
        AppendSized(key, v.text());
        break;
      case Value::Type::kBlob:
        key += 'b';
        AppendSized(key, v.blob());
        break;
    }
  }
  return key;
}

std::shared_ptr<const Rows> QueryCache::Get(uint64_t generation, const sql::Query& query) {
  std::string key = Key(generation, query);
  std::lock_guard lock(mutex_);
  auto found = index_.find(key);
  if (found == index_.end()) return nullptr;
  lru_.splice(lru_.begin(), lru_, found->second);
  return found->second->rows;
}

void QueryCache::Put(uint64_t generation, const sql::Query& query, Rows rows) {
  if (rows.cells.size() > max_cells_) return;
  std::string key = Key(generation, query);
  auto shared = std::make_shared<const Rows>(std::move(rows));
  std::lock_guard lock(mutex_);
  auto found = index_.find(key);
  if (found != index_.end()) {
    cells_ -= found->second->rows->cells.size();
    lru_.erase(found->second);
    index_.erase(found);
  }
  cells_ += shared->cells.size();
  lru_.push_front(Entry{key, std::move(shared)});
  index_.emplace(std::move(key), lru_.begin());
  EvictLocked();
}

void QueryCache::EvictLocked() {
  while (!lru_.empty() && (lru_.size() > max_entries_ || cells_ > max_cells_)) {
    cells_ -= lru_.back().rows->cells.size();
    index_.erase(lru_.back().key);
    lru_.pop_back();
  }
}

}  // namespace almanac::db
