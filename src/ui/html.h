// HTML escaping, and the bare error page used when no Renderer is at hand (the dispatcher
// replaces it with the full page; see http/dispatch.cc).
#pragma once

#include <string>
#include <string_view>

namespace almanac::ui {

// Escapes & < > " ' for text and attribute values.
std::string Escape(std::string_view text);

// A minimal, self-contained error page.
std::string RenderError(int status, std::string_view message);
// A bare page around `body_html` (HTML the server built and escaped itself), for answers given
// before routing (the CSRF refusal); routed pages use Renderer::Wrap.
std::string RenderPage(std::string_view title, std::string_view body_html);

}  // namespace almanac::ui
