// ItemTracker: applies file versions to the --id tables the way git-history does — a new
// NS_version row (and NS_changed rows) for each item that is new or whose values changed, the
// NS row updated to the latest values — and records items that left the file (NS_removed).
//
// Speed: an item whose bytes equal an item of the previous version is unchanged and is
// neither parsed nor hashed; only changed items are parsed, hashed and compared with their
// stored row. Differences git-history would record but that change no value (5 becoming 5.0,
// keys reordered) make no new version.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/result.h"
#include "history/items.h"
#include "history/span_table.h"
#include "history/store.h"
#include "history/versions.h"

namespace almanac::history {

struct TrackerOptions {
  ItemRules rules;
  bool full_versions = false;
  bool ignore_duplicate_ids = false;
  bool skip_invalid = false;  // skip items that are not objects or lack an --id column
};

struct TrackerCounts {
  int64_t new_items = 0;
  int64_t item_versions = 0;  // NS_version rows written
  int64_t removed = 0;
  int64_t restored = 0;
  int64_t parsed_items = 0;  // items whose bytes changed (parsed and hashed)
  int64_t skipped_items = 0;
};

class ItemTracker {
 public:
  // Reads the items already stored (and which of them the last imported version held).
  static Result<std::unique_ptr<ItemTracker>> Create(Store& store, TrackerOptions options);

  // True when the database cannot say which items the last imported version held (it was
  // written by git-history, which keeps no record of removals): call Seed with that version.
  bool needs_seed() const { return needs_seed_; }
  // Takes `items` (of `content`, or of items.text when set) as the last imported version,
  // writing nothing.
  Status Seed(std::unique_ptr<std::string> content, const VersionItems& items);

  // Applies one version as of commits.id `commit_id`. `content` is what the spans point into
  // (the version's bytes, or items.text); it is kept until the next version.
  // Warnings for skipped items go to `warnings`.
  Status Apply(std::unique_ptr<std::string> content, const VersionItems& items, int64_t commit_id,
               std::vector<std::string>& warnings);

  // A buffer for the next version's bytes (recycled from two versions ago).
  std::unique_ptr<std::string> TakeBuffer();
  const TrackerCounts& counts() const { return counts_; }

 private:
  // The hashes of one item, remembered by its bytes for the next version.
  struct Known {
    HexDigest id;
    HexDigest full_hash;
  };
  using Inspected = std::optional<std::pair<Item, Known>>;

  ItemTracker(Store& store, TrackerOptions options) : store_(store), options_(std::move(options)) {}
  // Parses and hashes an item; nullopt (with a warning) when skipped, an error when fatal.
  Result<Inspected> Inspect(format::JsonValue&& value, std::vector<std::string>& warnings);
  // One item of the version being applied: skips a duplicate, writes it when new or changed,
  // marks it present. `item` is null for bytes seen before (parsed again only if needed).
  Status Handle(const Known& known, const Item* item, std::string_view span, int64_t commit_id,
                std::vector<std::string>& warnings);
  Status Write(const Item& item, const Known& known, int64_t commit_id);
  Status WriteChanged(const Item& item, const Known& known, StoredItem& stored, int64_t commit_id);
  Status TrackPresence(int64_t commit_id);
  Row VersionRow(Row data, const StoredItem& stored, const Known& known, int64_t commit_id) const;

  Store& store_;
  TrackerOptions options_;
  StoredItems items_;                                   // by _item_id
  std::unordered_map<int64_t, StoredItem*> by_pk_;      // by _id
  std::unordered_map<int64_t, int64_t> open_removals_;  // item _id -> NS_removed._id
  std::vector<StoredItem*> present_, next_present_;     // items of the last / this version
  uint64_t mark_ = 0;                                   // StoredItem::seen of this version
  bool needs_seed_ = false;
  // The previous version's bytes and its items' hashes, found by their bytes; the same for
  // the version being applied.
  std::unique_ptr<std::string> previous_, spare_;
  SpanTable previous_spans_, next_spans_;
  std::vector<Known> previous_known_, next_known_;
  TrackerCounts counts_;
};

}  // namespace almanac::history
