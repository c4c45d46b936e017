#include "history/tracker.h"

#include <algorithm>

#include "core/text.h"
#include "history/python_json.h"

namespace almanac::history {
namespace {

Row DataRow(const Item& item) {
  Row row;
  row.columns.reserve(item.fields.size() + 4);
  for (const auto& [name, value] : item.fields) row.Add(name, CellValue(value), CellType(value));
  return row;
}

bool IsItemTableReserved(std::string_view column) {
  return column == "_id" || column == "_item_id" || column == "_commit";
}

// A short excerpt of an item for messages.
std::string Excerpt(std::string_view text) {
  return text.size() <= 200 ? std::string(text) : std::string(text.substr(0, 200)) + "...";
}

}  // namespace

Result<std::unique_ptr<ItemTracker>> ItemTracker::Create(Store& store, TrackerOptions options) {
  std::unique_ptr<ItemTracker> tracker(new ItemTracker(store, std::move(options)));
  ALM_ASSIGN_OR_RETURN(tracker->items_, store.LoadItems());
  ALM_ASSIGN_OR_RETURN(tracker->open_removals_, store.OpenRemovals());
  for (auto& [id, item] : tracker->items_) {
    tracker->by_pk_[item.pk] = &item;
    if (!tracker->open_removals_.count(item.pk)) tracker->present_.push_back(&item);
  }
  tracker->needs_seed_ = !tracker->items_.empty() && !store.has_removed_table();
  return tracker;
}

std::unique_ptr<std::string> ItemTracker::TakeBuffer() {
  return spare_ ? std::move(spare_) : std::make_unique<std::string>();
}

Result<ItemTracker::Inspected> ItemTracker::Inspect(format::JsonValue&& value,
                                                    std::vector<std::string>& warnings) {
  ++counts_.parsed_items;
  Result<Item> item = CleanItem(std::move(value), options_.rules);
  Result<HexDigest> id = item.ok() ? ItemIdHash(*item, options_.rules) : item.status();
  if (!id.ok()) {
    // CleanItem leaves a value that is not an object untouched.
    std::string text =
        PyJson(item.ok() ? format::JsonValue::MakeObject(item->fields) : value, PyJsonStyle::kCell);
    std::string message = id.status().message() + ": " + Excerpt(text);
    if (!options_.skip_invalid) return InvalidArgument(message);
    warnings.push_back("skipped " + message);
    ++counts_.skipped_items;
    return Inspected();
  }
  for (const std::string& key : item->dropped) {
    warnings.push_back("dropped key \"" + key +
                       "\": the item has another key that differs only in case");
  }
  Known known{*id, ItemFullHash(*item)};
  return Inspected(std::make_pair(std::move(*item), known));
}

Status ItemTracker::Seed(std::unique_ptr<std::string> content, const VersionItems& items) {
  std::vector<std::string> ignored;
  ++mark_;
  present_.clear();
  previous_spans_.Reset(items.spans.size());
  previous_known_.clear();
  auto add = [&](format::JsonValue value, std::string_view span) -> Status {
    ALM_ASSIGN_OR_RETURN(Inspected inspected, Inspect(std::move(value), ignored));
    if (!inspected) return Status::Ok();
    auto it = items_.find(inspected->second.id);
    if (it != items_.end() && it->second.seen != mark_) {
      it->second.seen = mark_;
      present_.push_back(&it->second);
    }
    previous_spans_.Insert(span, static_cast<uint32_t>(previous_known_.size()));
    previous_known_.push_back(inspected->second);
    return Status::Ok();
  };
  for (std::string_view span : items.spans) {
    Result<format::JsonValue> value = format::ParseJson(span);
    if (value.ok()) ALM_RETURN_IF_ERROR(add(std::move(*value), span));
  }
  previous_ = std::move(content);
  needs_seed_ = false;
  counts_ = {};
  return Status::Ok();
}

Status ItemTracker::Handle(const Known& known, const Item* item, std::string_view span,
                           int64_t commit_id, std::vector<std::string>& warnings) {
  auto it = items_.find(known.id);
  if (it != items_.end() && it->second.seen == mark_) {
    if (options_.ignore_duplicate_ids) return Status::Ok();
    return InvalidArgument(
        "found more than one item with the same --id values (use --ignore-duplicate-ids to "
        "keep the first): " +
        Excerpt(span));
  }
  if (it == items_.end() || !it->second.has_hash || it->second.hash != known.full_hash) {
    Inspected parsed;
    if (item == nullptr) {  // bytes seen before, but never stored (a skipped duplicate)
      ALM_ASSIGN_OR_RETURN(format::JsonValue value, format::ParseJson(span));
      ALM_ASSIGN_OR_RETURN(parsed, Inspect(std::move(value), warnings));
      if (!parsed) return Status::Ok();
      item = &parsed->first;
    }
    ALM_RETURN_IF_ERROR(Write(*item, known, commit_id));
    it = items_.find(known.id);
  }
  it->second.seen = mark_;
  next_present_.push_back(&it->second);
  return Status::Ok();
}

Status ItemTracker::Apply(std::unique_ptr<std::string> content, const VersionItems& items,
                          int64_t commit_id, std::vector<std::string>& warnings) {
  ++mark_;
  next_present_.clear();
  next_spans_.Reset(items.spans.size());
  next_known_.clear();
  next_known_.reserve(items.spans.size());  // never reallocates below: pointers stay valid
  for (std::string_view span : items.spans) {
    uint32_t at = previous_spans_.Find(span);
    const Known* known = at != SpanTable::kMissing ? &previous_known_[at] : nullptr;
    if (known == nullptr && (at = next_spans_.Find(span)) != SpanTable::kMissing) {
      known = &next_known_[at];
    }
    if (known != nullptr) {
      next_spans_.Insert(span, static_cast<uint32_t>(next_known_.size()));
      next_known_.push_back(*known);
      ALM_RETURN_IF_ERROR(Handle(*known, nullptr, span, commit_id, warnings));
      continue;
    }
    ALM_ASSIGN_OR_RETURN(format::JsonValue value, format::ParseJson(span));
    ALM_ASSIGN_OR_RETURN(Inspected inspected, Inspect(std::move(value), warnings));
    if (!inspected) continue;
    next_spans_.Insert(span, static_cast<uint32_t>(next_known_.size()));
    next_known_.push_back(inspected->second);
    ALM_RETURN_IF_ERROR(Handle(next_known_.back(), &inspected->first, span, commit_id, warnings));
  }
  ALM_RETURN_IF_ERROR(TrackPresence(commit_id));
  previous_spans_.swap(next_spans_);
  previous_known_.swap(next_known_);
  present_.swap(next_present_);
  spare_ = std::move(previous_);
  previous_ = std::move(content);
  return Status::Ok();
}

Row ItemTracker::VersionRow(Row data, const StoredItem& stored, const Known& known,
                            int64_t commit_id) const {
  data.Add("_item", Value::Integer(stored.pk), "INTEGER");
  data.Add("_version", Value::Integer(stored.version), "INTEGER");
  data.Add("_commit", Value::Integer(commit_id), "INTEGER");
  if (!options_.full_versions) {
    data.Add("_item_full_hash", Value::Text(std::string(View(known.full_hash))), "TEXT");
  }
  return data;
}

Status ItemTracker::Write(const Item& item, const Known& known, int64_t commit_id) {
  auto it = items_.find(known.id);
  if (it != items_.end()) return WriteChanged(item, known, it->second, commit_id);
  Row data = DataRow(item);
  Row row = data;
  row.Add("_item_id", Value::Text(std::string(View(known.id))), "TEXT");
  row.Add("_commit", Value::Integer(commit_id), "INTEGER");
  StoredItem stored;
  ALM_ASSIGN_OR_RETURN(stored.pk, store_.InsertItem(row));
  stored.version = 1;
  stored.hash = known.full_hash;
  stored.has_hash = true;
  std::vector<std::string> changed = data.columns;
  Row version = VersionRow(std::move(data), stored, known, commit_id);
  ALM_ASSIGN_OR_RETURN(int64_t version_id, store_.InsertVersion(version));
  if (!options_.full_versions) ALM_RETURN_IF_ERROR(store_.RecordChanged(version_id, changed));
  StoredItem& added = items_.emplace(known.id, stored).first->second;
  by_pk_[added.pk] = &added;
  ++counts_.new_items;
  ++counts_.item_versions;
  return Status::Ok();
}

Status ItemTracker::WriteChanged(const Item& item, const Known& known, StoredItem& stored,
                                 int64_t commit_id) {
  ALM_ASSIGN_OR_RETURN(Row previous, store_.ReadItem(stored.pk));
  std::unordered_map<std::string, size_t> previous_at;  // folded column name -> index
  for (size_t i = 0; i < previous.columns.size(); ++i) {
    previous_at.emplace(AsciiLower(previous.columns[i]), i);
  }
  Row data = DataRow(item);
  Row changed;
  std::unordered_set<std::string> in_item;
  for (size_t i = 0; i < data.columns.size(); ++i) {
    std::string folded = AsciiLower(data.columns[i]);
    auto at = previous_at.find(folded);
    in_item.insert(std::move(folded));
    const Value& old = at == previous_at.end() ? Value() : previous.values[at->second];
    if (!SameCellValue(data.values[i], old)) {
      changed.Add(data.columns[i], data.values[i], data.types[i]);
    }
  }
  Row vanished;  // columns the item no longer has: NULL in the item's row
  for (size_t i = 0; i < previous.columns.size(); ++i) {
    const std::string& column = previous.columns[i];
    if (IsItemTableReserved(column) || in_item.count(AsciiLower(column))) continue;
    if (previous.values[i].is_null()) continue;
    changed.Add(column, Value(), "");
    vanished.Add(column, Value(), "");
  }
  stored.hash = known.full_hash;
  stored.has_hash = true;
  if (changed.columns.empty()) return Status::Ok();  // only a 5 / 5.0 kind of difference

  ++stored.version;
  Row row = data;
  for (size_t i = 0; i < vanished.columns.size(); ++i) {
    row.Add(vanished.columns[i], Value(), "");
  }
  // _item_id never changes (git-history sets it again; leaving it out spares its index).
  row.Add("_commit", Value::Integer(commit_id), "INTEGER");
  ALM_RETURN_IF_ERROR(store_.UpdateItem(stored.pk, row));
  std::vector<std::string> changed_columns = changed.columns;
  Row version = VersionRow(options_.full_versions ? std::move(data) : std::move(changed), stored,
                           known, commit_id);
  ALM_ASSIGN_OR_RETURN(int64_t version_id, store_.InsertVersion(version));
  if (!options_.full_versions) {
    ALM_RETURN_IF_ERROR(store_.RecordChanged(version_id, changed_columns));
  }
  ++counts_.item_versions;
  return Status::Ok();
}

Status ItemTracker::TrackPresence(int64_t commit_id) {
  std::vector<int64_t> gone;
  for (const StoredItem* item : present_) {
    if (item->seen != mark_) gone.push_back(item->pk);
  }
  std::sort(gone.begin(), gone.end());
  for (int64_t pk : gone) {
    ALM_ASSIGN_OR_RETURN(int64_t removal, store_.RecordRemoval(pk, commit_id));
    open_removals_[pk] = removal;
    ++counts_.removed;
  }
  std::vector<std::pair<int64_t, int64_t>> back;
  for (const auto& [pk, removal] : open_removals_) {
    auto it = by_pk_.find(pk);
    if (it != by_pk_.end() && it->second->seen == mark_) back.emplace_back(pk, removal);
  }
  std::sort(back.begin(), back.end());
  for (const auto& [pk, removal] : back) {
    ALM_RETURN_IF_ERROR(store_.RecordRestored(removal, commit_id));
    open_removals_.erase(pk);
    ++counts_.restored;
  }
  return Status::Ok();
}

}  // namespace almanac::history
