// HTML escaping for text and attribute values, shared by the worker's pages (ui/) and the
// front door's (cloud/).
#pragma once

#include <string>
#include <string_view>

namespace almanac::format {

// Escapes & < > " ' (as &amp; &lt; &gt; &quot; &#39;).
std::string EscapeHtml(std::string_view text);

}  // namespace almanac::format
