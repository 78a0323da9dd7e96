#pragma once
// The charting library that HTML reports inline: plotly.js, its basic bundle (scatter, bar, pie
// traces; SVG rendering), embedded into the binary at build time from node_modules/ (installed by
// scripts/setup-deps, pinned in package.json), so an installed colibri needs neither node_modules
// nor a network to write a report that works offline.

#include <string_view>

namespace colibri::app {

struct ChartLibrary {
  std::string_view name;     // "plotly.js-basic-dist-min"
  std::string_view version;  // from its package.json, e.g. "4.1.1"
  std::string_view script;   // the minified JavaScript, byte for byte
};

// The embedded library. Static storage: the views stay valid for the life of the program.
[[nodiscard]] const ChartLibrary& chart_library() noexcept;

}  // namespace colibri::app
