// Pending link changes: the cheap side of the backlinks index's write path. A write's netted
// link changes are appended to `_almanac_link_pending` in rowid order, so a commit dirties the
// table's last page or two, where the keyed index (link_store.h) would dirty about one page per
// link. MergePending folds them into `_almanac_links` and its counters in batches. Readers add
// the pending changes to what the index says (PendingForTarget, PendingForKind), so answers are
// exact at any moment.
//   _almanac_link_pending (seq INTEGER PRIMARY KEY, kind, target_key, source_pk, delta)
// `delta` is +1 (the link was added) or -1 (removed). A link's deltas sum, in an exact index, to
// 0, to +1 when the index does not hold it, or to -1 when it does; their order does not matter.
// A merge and the deletion of what it merged run in the caller's transaction: a crash keeps
// both or neither, so each change is merged exactly once.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "core/result.h"
#include "db/connection.h"
#include "links/link_store.h"

namespace almanac::links {

// Links and their net change: +1 added, -1 removed (0: nothing to do).
using LinkChanges = std::map<Entry, int>;

// Appends the non-zero changes. Returns how many rows were appended.
Result<int64_t> AppendPending(db::Connection& conn, const LinkChanges& changes);
// Applies changes straight to the index and its counters, in key order.
Status ApplyToIndex(db::Connection& conn, const LinkChanges& changes);
// Rows waiting to be merged.
Result<int64_t> CountPending(db::Connection& conn);
// Applies every pending change to the index and its counters, then empties the table; returns
// the rows merged. Run it inside a transaction (or savepoint) of its own or of a write.
Result<int64_t> MergePending(db::Connection& conn);

// The net pending changes to links pointing at `target_key` (of any kind).
Result<LinkChanges> PendingForTarget(db::Connection& conn, const std::string& target_key);
// The net pending changes of one kind.
Result<LinkChanges> PendingForKind(db::Connection& conn, int64_t kind);

}  // namespace almanac::links
