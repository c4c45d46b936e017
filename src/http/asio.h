// The one include for Boost.Asio/Beast. Boost 1.74's awaitable.hpp uses std::exchange without
// including <utility>, so <utility> comes first. Only src/http/*.cc may include this.
#pragma once

#include <utility>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace almanac::http {

// The io_context of the Server whose I/O thread calls this, or nullptr on any other thread.
// The upstream pool runs a proxied exchange there, so that a request and its answer need no
// hop to a thread of the pool's own (two thread wake-ups per request saved).
boost::asio::io_context* CurrentServerIo();

}  // namespace almanac::http
