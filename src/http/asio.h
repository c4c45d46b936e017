// The one include for Boost.Asio/Beast. Boost 1.74's awaitable.hpp uses std::exchange without
// including <utility>, so <utility> comes first. Only src/http/*.cc may include this.
#pragma once

#include <utility>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
