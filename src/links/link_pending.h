// Pending link changes: the cheap side of the backlinks index's write path. A write's netted
// link changes are appended to `_almanac_link_pending` as one row — one compact blob, whatever
// the number of changes — so a commit dirties the table's last page, where the keyed index
// (link_store.h) would dirty about one page per link. MergePending folds them into
// `_almanac_links` and its counters in key order. Readers decode the pending rows and add them
// to what the index says (PendingForTarget, PendingForKind), so answers are exact at any moment.
//   _almanac_link_pending (seq INTEGER PRIMARY KEY, n INTEGER NOT NULL, changes BLOB NOT NULL)
// A blob holds n changes, each: varint kind, the target key (varint length and bytes), a tag
// byte (bit 0: the source key is text, else an integer; bit 1: the link was added, else
// removed), then the source key (zigzag varint, or varint length and the JSON text).
// A link's deltas sum, in an exact index, to 0, to +1 when the index does not hold it, or to -1
// when it does; their order does not matter. A merge and the deletion of what it merged run in
// the caller's transaction: a crash keeps both or neither, so each change is merged exactly
// once. The first layout (one row per change: kind, target_key, source_pk, delta) is moved into
// this one when the index opens (MigratePendingLayout).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "db/connection.h"
#include "links/link_store.h"

namespace almanac::links {

struct LinkChange {
  Entry entry;
  int delta = 0;  // +1 added, -1 removed
};
// Link changes; "netted" when sorted by entry, one per entry, none of delta 0.
using LinkChanges = std::vector<LinkChange>;

// Sorts the changes by entry and sums those of the same entry, dropping the zeros.
void NetChanges(LinkChanges& changes);
// The same, for changes sorted already.
void NetSorted(LinkChanges& changes);

// The blob of a pending row, and back. DecodeLinkChanges appends the changes of `kind` and/or
// `target_key` only, when given; Internal error for a blob it cannot read.
std::string EncodeLinkChanges(const LinkChanges& changes);
Status DecodeLinkChanges(std::string_view blob, std::optional<int64_t> kind,
                         std::optional<std::string_view> target_key, LinkChanges& out);

// Appends the (netted) changes as one row. Returns how many changes were appended.
Result<int64_t> AppendPending(db::Connection& conn, const LinkChanges& changes);
// Applies netted changes straight to the index and its counters, in key order.
Status ApplyToIndex(db::Connection& conn, const LinkChanges& changes);
// Changes waiting to be merged.
Result<int64_t> CountPending(db::Connection& conn);
// Applies every pending change to the index and its counters, then empties the table; returns
// the changes merged. Run it inside a transaction (or savepoint) of its own or of a write.
Result<int64_t> MergePending(db::Connection& conn);

// The net pending changes to links pointing at `target_key` (of any kind).
Result<LinkChanges> PendingForTarget(db::Connection& conn, const std::string& target_key);
// The net pending changes of one kind (either layout: `links verify` may read a file the
// server has not opened since the layout changed).
Result<LinkChanges> PendingForKind(db::Connection& conn, int64_t kind);

// Removes one kind's pending changes (its definition is gone).
Status DropPendingKind(db::Connection& conn, int64_t kind);

// Moves the rows of a first-layout pending table (one row per change) into one row of this
// layout, in the caller's transaction. Returns the changes moved.
Result<int64_t> MigratePendingLayout(db::Connection& conn);

}  // namespace almanac::links
