#include "web/pooled_stream.h"

namespace almanac::web {

void PooledStream::Pull(Deliver deliver) {
  auto run = [self = shared_from_this(), deliver = std::move(deliver)] {
    std::string chunk;
    bool more = self->producer_(chunk);
    deliver(std::move(chunk), more);
  };
  if (pool_) {
    pool_->Submit(std::move(run));
  } else {
    run();
  }
}

}  // namespace almanac::web
