// ChangeStream: the change feed as Server-Sent Events (GET /<db>/-/changes). Each event is
//   id: <seq>\nevent: change|resync\ndata: <the event's JSON>\n\n
// filtered by what the actor may view. A subscriber that is up to date holds no thread: its
// pending Pull waits in the ChangeLog and is answered on the next commit (events from memory)
// or heartbeat (a ": heartbeat" comment line). One that is behind reads the log table on the
// SQL threads, a page at a time, until it has caught up.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "api/changes_feed.h"
#include "http/message.h"

namespace almanac::web {

class ChangeStream : public http::BodyStream, public std::enable_shared_from_this<ChangeStream> {
 public:
  ChangeStream(const api::Instance& instance, api::ChangesArgs args, auth::MaybeActor actor);
  void Pull(Deliver deliver) override;

 private:
  void Fill(Deliver deliver);
  void FillFromLog(Deliver deliver);
  // Appends the events the actor may see as SSE text; moves the cursor past all of them.
  void Format(const changes::ChangeEvent& event, std::string& out);

  const api::Instance& instance_;
  api::ChangesArgs args_;
  api::ChangeVisibility visibility_;
  bool started_ = false;
};

}  // namespace almanac::web
