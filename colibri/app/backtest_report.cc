#include "colibri/app/backtest_report.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <fstream>
#include <string>
#include <string_view>
#include <system_error>

#include <fmt/format.h>

#include "colibri/app/chart_library.h"
#include "colibri/core/decimal.h"
#include "colibri/core/json_text.h"

namespace colibri::app {
namespace {

namespace fs = std::filesystem;

// --- escaping ---------------------------------------------------------------------------------

std::string html(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// A JSON string literal that is also inert inside a <script> element: no "</script>", no "<!--".
std::string script_json_string(std::string_view text) {
  std::string out;
  for (const char c : json_string(text)) {
    switch (c) {
      case '<':
        out += "\\u003c";
        break;
      case '>':
        out += "\\u003e";
        break;
      case '&':
        out += "\\u0026";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// --- metrics ------------------------------------------------------------------------------------

enum class Unit : std::uint8_t { Quote, Base, Count, Share, Percent, Bps, Ratio, Seconds };
// Which sign is good news: the value is green on that side of zero and red on the other.
enum class Better : std::uint8_t { Neither, Higher, Lower };

struct MetricSpec {
  std::string_view key;
  std::string_view label;
  Unit unit;
  std::string_view group;
  Better better;
};

constexpr std::string_view kPnlGroup = "Profit and loss";
constexpr std::string_view kRiskGroup = "Return and risk";
constexpr std::string_view kTradingGroup = "Trading";
constexpr std::string_view kExecutionGroup = "Execution quality";

constexpr MetricSpec kMetricSpecs[] = {
    {"total_pnl", "Total PnL", Unit::Quote, kPnlGroup, Better::Higher},
    {"realized_pnl", "Realized PnL (average cost)", Unit::Quote, kPnlGroup, Better::Higher},
    {"unrealized_pnl", "Unrealized PnL (marked to mid)", Unit::Quote, kPnlGroup, Better::Higher},
    {"fees_quote", "Fees paid", Unit::Quote, kPnlGroup, Better::Neither},
    {"fees_in_other_assets", "Fills with fees in a third asset (not valued)", Unit::Count, kPnlGroup,
     Better::Neither},
    {"start_value", "Portfolio value at the start", Unit::Quote, kPnlGroup, Better::Neither},
    {"end_value", "Portfolio value at the end", Unit::Quote, kPnlGroup, Better::Neither},
    {"hold_value", "Starting balances at the end price", Unit::Quote, kPnlGroup, Better::Neither},
    {"return_pct", "Return", Unit::Percent, kRiskGroup, Better::Higher},
    {"hold_return_pct", "Return of holding the starting balances", Unit::Percent, kRiskGroup, Better::Higher},
    {"return_vs_hold_pct", "Return versus holding", Unit::Percent, kRiskGroup, Better::Higher},
    {"sharpe", "Sharpe ratio (annualized)", Unit::Ratio, kRiskGroup, Better::Higher},
    {"sortino", "Sortino ratio (annualized)", Unit::Ratio, kRiskGroup, Better::Higher},
    {"ratio_interval_seconds", "Return interval of Sharpe and Sortino", Unit::Seconds, kRiskGroup,
     Better::Neither},
    {"max_drawdown_pct", "Max drawdown", Unit::Percent, kRiskGroup, Better::Neither},
    {"max_drawdown_quote", "Max drawdown", Unit::Quote, kRiskGroup, Better::Neither},
    {"traded_volume_base", "Traded volume", Unit::Base, kTradingGroup, Better::Neither},
    {"traded_volume_quote", "Traded volume (notional)", Unit::Quote, kTradingGroup, Better::Neither},
    {"fill_count", "Fills", Unit::Count, kTradingGroup, Better::Neither},
    {"buy_fills", "Buy fills", Unit::Count, kTradingGroup, Better::Neither},
    {"sell_fills", "Sell fills", Unit::Count, kTradingGroup, Better::Neither},
    {"maker_share", "Maker share of fills", Unit::Share, kTradingGroup, Better::Neither},
    {"fill_ratio", "Fill ratio", Unit::Share, kTradingGroup, Better::Neither},
    {"spread_captured_bps", "Spread captured", Unit::Bps, kExecutionGroup, Better::Higher},
    {"adverse_selection_1s_bps", "Adverse selection, mid 1 s after a fill", Unit::Bps, kExecutionGroup,
     Better::Lower},
    {"adverse_selection_10s_bps", "Adverse selection, mid 10 s after a fill", Unit::Bps, kExecutionGroup,
     Better::Lower},
    {"adverse_selection_1s_fills", "Fills with a mid 1 s later", Unit::Count, kExecutionGroup,
     Better::Neither},
    {"adverse_selection_10s_fills", "Fills with a mid 10 s later", Unit::Count, kExecutionGroup,
     Better::Neither},
};

// The headline figures, in order, when present.
constexpr std::string_view kHeadlineKeys[] = {"total_pnl",  "return_pct",       "return_vs_hold_pct",
                                              "sharpe",     "max_drawdown_pct", "fill_count",
                                              "maker_share"};

const MetricSpec* find_spec(std::string_view key) {
  for (const auto& spec : kMetricSpecs) {
    if (spec.key == key) return &spec;
  }
  return nullptr;
}

// The first market's base and quote assets: the only market's, or with several the unit of the
// portfolio's base figures (which the page leaves out then: they do not add up). As the summary
// names them, else found among the balances' assets ("BTCUSDT" with balances BTC and USDT); "base"
// and "quote" when nothing says.
struct MarketAssets {
  std::string base = "base";
  std::string quote = "quote";
};

MarketAssets market_assets(const BacktestOutput& output) {
  MarketAssets assets;
  if (output.markets.empty()) return assets;
  const BacktestSummary& summary = output.summary;
  const MarketOutput& first = output.markets.front();
  if (!first.base.empty() && !summary.quote.empty()) {
    assets.base = first.base;
    assets.quote = summary.quote;
    return assets;
  }
  const std::string_view symbol = first.symbol;
  for (const auto* list : {&summary.starting_balances, &summary.final_balances}) {
    for (const auto& balance : *list) {
      const std::string_view asset = balance.asset;
      if (asset.empty() || asset.size() >= symbol.size() || !symbol.ends_with(asset)) continue;
      std::string_view base = symbol.substr(0, symbol.size() - asset.size());
      while (!base.empty() && (base.back() == '-' || base.back() == '_' || base.back() == '/'))
        base.remove_suffix(1);
      if (base.empty()) continue;
      assets.base = base;
      assets.quote = asset;
      return assets;
    }
  }
  return assets;
}

// Money is shown with at most 8 decimals (Binance's precision); the tooltip has the exact text.
constexpr int kMoneyDecimals = 8;

// `text`, a decimal ("-332.8356704919329736"), with at most `decimals` digits after the point,
// rounded half away from zero and without trailing zeros ("-332.83567049"); other text unchanged.
std::string round_decimal(std::string_view text, int decimals) {
  const bool negative = text.starts_with('-');
  const std::string_view body = text.substr(negative ? 1 : 0);
  const std::size_t point = body.find('.');
  const std::string_view whole = body.substr(0, point);
  const std::string_view fraction =
      point == std::string_view::npos ? std::string_view() : body.substr(point + 1);
  const auto all_digits = [](std::string_view t) {
    return !t.empty() && std::ranges::all_of(t, [](char c) { return c >= '0' && c <= '9'; });
  };
  const auto kept = static_cast<std::size_t>(decimals);
  if (!all_digits(whole) || (point != std::string_view::npos && !all_digits(fraction)) ||
      fraction.size() <= kept) {
    return std::string(text);
  }
  std::string digits(whole);
  digits += fraction.substr(0, kept);
  if (fraction[kept] >= '5') {
    std::size_t i = digits.size();
    while (i > 0 && digits[i - 1] == '9') digits[--i] = '0';
    if (i == 0) {
      digits.insert(digits.begin(), '1');
    } else {
      ++digits[i - 1];
    }
  }
  std::string out = digits.substr(0, digits.size() - kept);
  std::string decimals_part = digits.substr(digits.size() - kept);
  while (!decimals_part.empty() && decimals_part.back() == '0') decimals_part.pop_back();
  if (!decimals_part.empty()) {
    out += '.';
    out += decimals_part;
  }
  const bool zero = std::ranges::all_of(out, [](char c) { return c == '0' || c == '.'; });
  std::string signed_out = negative && !zero ? "-" : "";
  signed_out += out;
  return signed_out;
}

// 1813359 -> "1,813,359".
std::string grouped(std::uint64_t n) {
  const std::string digits = std::to_string(n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

// A number for people: more decimals for smaller magnitudes.
std::string readable(double value) {
  const double magnitude = std::fabs(value);
  if (magnitude >= 10) return fmt::format("{:.2f}", value);
  if (magnitude >= 1) return fmt::format("{:.3f}", value);
  return fmt::format("{:.4f}", value);
}

struct MetricDisplay {
  std::string value;     // HTML-escaped
  std::string unit;      // HTML-escaped
  std::string exact;     // HTML-escaped text as written, for the tooltip
  std::string_view css;  // "pos", "neg" or ""
};

MetricDisplay display(const SummaryMetric& metric, const MetricSpec* spec, const MarketAssets& assets) {
  MetricDisplay d;
  d.exact = html(metric.text);
  d.value = metric.text == "null" ? "n/a" : html(metric.text);
  if (spec == nullptr || !metric.value) return d;
  const double v = *metric.value;
  switch (spec->unit) {
    case Unit::Quote:
      d.value = html(round_decimal(metric.text, kMoneyDecimals));
      d.unit = html(assets.quote);
      break;
    case Unit::Base:
      d.value = html(round_decimal(metric.text, kMoneyDecimals));
      d.unit = html(assets.base);
      break;
    case Unit::Count:
      break;
    case Unit::Share:
      d.value = fmt::format("{:.2f}", v * 100);
      d.unit = "%";
      break;
    case Unit::Percent:
      d.value = readable(v);
      d.unit = "%";
      break;
    case Unit::Bps:
      d.value = readable(v);
      d.unit = "bps";
      break;
    case Unit::Ratio:
      d.value = readable(v);
      break;
    case Unit::Seconds:
      d.unit = "s";
      break;
  }
  if (spec->better != Better::Neither && v != 0)
    d.css = (v > 0) == (spec->better == Better::Higher) ? "pos" : "neg";
  return d;
}

// --- text helpers -------------------------------------------------------------------------------

// "2024-08-08T23:54:01.000000000Z" -> "2024-08-08 23:54:01 UTC" (other text as it is).
std::string readable_time(std::string_view iso) {
  if (!parse_utc_time(iso)) return std::string(iso);
  std::string out(iso.substr(0, 19));
  out[10] = ' ';
  return out + " UTC";
}

std::string readable_duration(std::int64_t ns) {
  if (ns < 1'000'000'000) return fmt::format("{} ms", ns / 1'000'000);
  std::int64_t s = ns / 1'000'000'000;
  std::string out;
  for (const auto& [unit, size] : {std::pair{"d", 86'400}, {"h", 3'600}, {"min", 60}, {"s", 1}}) {
    if (s >= size) {
      if (!out.empty()) out += ' ';
      out += fmt::format("{} {}", s / size, unit);
      s %= size;
    }
  }
  return out;
}

// A JSON number for the chart: 10 significant digits are more than a chart can show; NaN is null.
void append_number(std::string& out, double value) {
  if (std::isnan(value)) {
    out += "null";
  } else {
    fmt::format_to(std::back_inserter(out), "{:.10g}", value);
  }
}

// --- chart data ---------------------------------------------------------------------------------

// The first market's series: every market is sampled at the same times and carries the
// portfolio's columns. No rows when there is no market.
const BacktestSeries& first_series(const std::vector<MarketOutput>& markets) {
  static const BacktestSeries kNoRows;
  return markets.empty() ? kNoRows : markets.front().series;
}

double seconds_since(std::int64_t t0_ns, std::int64_t t_ns) {
  return static_cast<double>(t_ns - t0_ns) * 1e-9;
}

// {"x":[seconds since t0...],"y":[...]} for one series column; drawdown is drawn below zero. Our
// quotes are samples held until the next sample: a quote followed by a sample without one gets a
// point at that sample's time before the break, so a quote seen at a single sample still shows.
void append_series(std::string& out, const BacktestSeries& series, SeriesColumn column, std::int64_t t0_ns) {
  const std::vector<double>& values = series[column];
  const bool hold = column == SeriesColumn::BidQuote || column == SeriesColumn::AskQuote;
  std::string xs;
  std::string ys;
  auto point = [&](std::int64_t time_ns, double value) {
    if (!xs.empty()) {
      xs += ',';
      ys += ',';
    }
    append_number(xs, seconds_since(t0_ns, time_ns));
    append_number(ys, column == SeriesColumn::DrawdownPct ? -std::fabs(value) : value);
  };
  double previous = std::nan("");
  // A held quote adds at most one point per break (one per two rows kept): 2/3 of the budget keeps
  // the line within kMaxChartPoints.
  for (const auto& p : min_max_points(values, hold ? kMaxChartPoints * 2 / 3 : kMaxChartPoints)) {
    const double v = p.gap ? std::nan("") : values[p.row];
    if (hold && std::isnan(v) && !std::isnan(previous)) point(series.time_ns[p.row], previous);
    point(series.time_ns[p.row], v);
    previous = v;
  }
  fmt::format_to(std::back_inserter(out), R"({}:{{"x":[{}],"y":[{}]}})",
                 json_string(series_column_name(column)), xs, ys);
}

// [{"side":"buy","maker":true,"x":[...],"y":[...],"q":[...],"id":[...]}, ...]: one entry per
// side and liquidity that has fills, at most kMaxChartFills markers each (extreme prices kept).
void append_fills(std::string& out, const std::vector<BacktestFill>& fills, std::int64_t t0_ns) {
  out += '[';
  bool first = true;
  for (const bool buy : {true, false}) {
    for (const bool maker : {true, false}) {
      std::vector<const BacktestFill*> group;
      std::vector<double> prices;
      for (const auto& f : fills) {
        if (f.buy == buy && f.maker == maker) {
          group.push_back(&f);
          prices.push_back(f.price);
        }
      }
      if (group.empty()) continue;
      std::string xs, ys, qs, ids;
      for (const auto& p : min_max_points(prices, kMaxChartFills)) {
        const BacktestFill& f = *group[p.row];
        if (!xs.empty()) {
          xs += ',';
          ys += ',';
          qs += ',';
          ids += ',';
        }
        append_number(xs, seconds_since(t0_ns, f.time_ns));
        append_number(ys, f.price);
        append_number(qs, f.quantity);
        ids += script_json_string(f.order_id);
      }
      if (!first) out += ',';
      first = false;
      fmt::format_to(std::back_inserter(out),
                     R"({{"side":"{}","maker":{},"count":{},"x":[{}],"y":[{}],"q":[{}],"id":[{}]}})",
                     buy ? "buy" : "sell", maker ? "true" : "false", group.size(), xs, ys, qs, ids);
    }
  }
  out += ']';
}

// {"quote":..,"t0":..,"span":..,"markets":[{"symbol":..,"base":..,"series":{mid..base_balance},
// "fills":[..]}, ...],"portfolio":{"series":{quote_balance,equity,pnl,drawdown_pct}}}: each market's
// own columns, and the portfolio's columns once (from the first market's rows: every market's rows
// carry the same).
std::string chart_data_json(const BacktestOutput& output, const MarketAssets& assets) {
  // The time axis spans every market's series and fills; x values are seconds after t0, a whole
  // millisecond.
  std::int64_t first_ns = INT64_MAX;
  std::int64_t last_ns = INT64_MIN;
  for (const MarketOutput& market : output.markets) {
    if (!market.series.time_ns.empty()) {
      first_ns = std::min(first_ns, market.series.time_ns.front());
      last_ns = std::max(last_ns, market.series.time_ns.back());
    }
    for (const auto& f : market.fills) {
      first_ns = std::min(first_ns, f.time_ns);
      last_ns = std::max(last_ns, f.time_ns);
    }
  }
  const std::int64_t t0_ns =
      first_ns == INT64_MAX ? 0 : first_ns - (first_ns % 1'000'000 + 1'000'000) % 1'000'000;
  std::string out = fmt::format(R"({{"quote":{},"t0":{},"span":)", script_json_string(assets.quote),
                                t0_ns / 1'000'000);
  append_number(out, last_ns == INT64_MIN ? 0.0 : seconds_since(t0_ns, last_ns));
  out += R"(,"markets":[)";
  const auto append_columns = [&](const BacktestSeries& series, std::initializer_list<SeriesColumn> columns) {
    bool first = true;
    for (const SeriesColumn c : columns) {
      if (!first) out += ',';
      first = false;
      append_series(out, series, c, t0_ns);
    }
  };
  for (std::size_t m = 0; m < output.markets.size(); ++m) {
    const MarketOutput& market = output.markets[m];
    // One market: its assets as the summary or the balances name them (market_assets).
    const std::string& base = output.markets.size() == 1 || market.base.empty() ? assets.base : market.base;
    fmt::format_to(std::back_inserter(out), R"({}{{"symbol":{},"base":{},"series":{{)", m > 0 ? "," : "",
                   script_json_string(market.symbol.empty() ? output.summary.symbol : market.symbol),
                   script_json_string(base));
    append_columns(market.series, {SeriesColumn::Mid, SeriesColumn::BestBid, SeriesColumn::BestAsk,
                                   SeriesColumn::BidQuote, SeriesColumn::AskQuote, SeriesColumn::BaseBalance});
    out += "},\"fills\":";
    append_fills(out, market.fills, t0_ns);
    out += '}';
  }
  out += R"(],"portfolio":{"series":{)";
  append_columns(first_series(output.markets),
                 {SeriesColumn::QuoteBalance, SeriesColumn::Equity, SeriesColumn::Pnl, SeriesColumn::DrawdownPct});
  out += "}}}";
  return out;
}

// --- page ---------------------------------------------------------------------------------------

constexpr std::string_view kStyle = R"css(
:root { --fg: #1d2430; --muted: #5b6675; --line: #e3e7ee; --pos: #1a7f37; --neg: #c62828; }
* { box-sizing: border-box; }
body { margin: 0; padding: 24px 32px; color: var(--fg); background: #fff;
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
h1 { font-size: 22px; margin: 0 0 4px; font-weight: 600; }
h2 { font-size: 15px; margin: 0 0 8px; font-weight: 600; }
.sub { color: var(--muted); margin: 0 0 18px; }
.kpis { display: flex; flex-wrap: wrap; gap: 12px; margin-bottom: 18px; }
.kpi { border: 1px solid var(--line); border-radius: 6px; padding: 10px 14px; min-width: 150px; }
.kpi .label { color: var(--muted); font-size: 12px; }
.kpi .value { font-size: 20px; font-weight: 600; font-variant-numeric: tabular-nums; }
.kpi .unit { font-size: 13px; color: var(--muted); margin-left: 4px; font-weight: 400; }
#chart { width: 100%; min-height: 200px; border: 1px solid var(--line); border-radius: 6px; }
.tables { display: grid; grid-template-columns: repeat(auto-fill, minmax(380px, 1fr)); gap: 18px 28px;
  margin-top: 22px; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
td, th { padding: 3px 6px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
th { color: var(--muted); font-weight: 500; font-size: 12px; }
td.num, th.num { text-align: right; white-space: nowrap; }
td.unit { color: var(--muted); white-space: nowrap; }
.pos { color: var(--pos); }
.neg { color: var(--neg); }
#report-errors { color: var(--neg); white-space: pre-wrap; }
footer { color: var(--muted); font-size: 12px; margin-top: 24px; border-top: 1px solid var(--line); padding-top: 8px; }
)css";

// Draws the chart from the JSON in #report-data. Marks <body data-plots="rendered"> when Plotly has
// drawn it, and writes any error into #report-errors (the screenshot test reads both).
constexpr std::string_view kPageScript = R"js(
(function () {
  'use strict';
  var errors = document.getElementById('report-errors');
  function report(message) { errors.hidden = false; errors.textContent += message + '\n'; }
  window.addEventListener('error', function (e) { report('error: ' + e.message); });
  try {
    var d = JSON.parse(document.getElementById('report-data').textContent);
    var esc = function (s) { return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'); };
    var quote = esc(d.quote);
    var several = d.markets.length > 1;
    var time = function (xs) { return xs.map(function (s) { return d.t0 + s * 1000; }); };
    var traces = [];
    var has = function (s) { return s && s.y.some(function (v) { return v !== null; }); };
    // Axes are numbered in the order panels ask for them: 'y', 'y2', ...
    var axes = 0;
    var next_axis = function () { axes += 1; return axes === 1 ? 'y' : 'y' + axes; };
    // `market`: the symbol the hover names (several markets); the legend, beside the panel's title,
    // stays short.
    function line(series, column, name, yaxis, style, market) {
      var s = series[column];
      if (!has(s)) return;
      var trace = { type: 'scatter', mode: 'lines', name: name, x: time(s.x), y: s.y, yaxis: yaxis,
        connectgaps: false, hoverlabel: { namelength: -1 } };
      if (market) trace.hovertemplate = market + ' ' + name + ': %{y:,.8~f}<extra></extra>';
      traces.push(Object.assign(trace, style));
    }
    var grey = '#aab3bf';
    var fill_count = d.markets.reduce(function (sum, m) {
      return sum + m.fills.reduce(function (n, f) { return n + f.x.length; }, 0);
    }, 0);
    var marker_size = fill_count > 2000 ? 5 : fill_count > 300 ? 7 : 9;
    // The panels, top to bottom, with their share of the height; a panel without a trace is left out.
    // Each market has a price panel and an inventory panel; the portfolio's panels come last.
    var panels = [];
    d.markets.forEach(function (m, i) {
      var base = esc(m.base), market = several ? esc(m.symbol) : '';
      var price = next_axis();
      line(m.series, 'best_bid', 'best bid', price, { line: { color: grey, width: 1 } }, market);
      line(m.series, 'best_ask', 'best ask', price, { line: { color: grey, width: 1, dash: 'dot' } }, market);
      line(m.series, 'mid', 'mid', price, { line: { color: '#1f3b73', width: 1.5 } }, market);
      line(m.series, 'bid_quote', 'our bid', price, { line: { color: '#4daf4a', width: 1.5, shape: 'hv' } }, market);
      line(m.series, 'ask_quote', 'our ask', price, { line: { color: '#ff7f00', width: 1.5, shape: 'hv' } }, market);
      m.fills.forEach(function (f) {
        var buy = f.side === 'buy';
        var colour = buy ? '#1a9850' : '#d73027';
        traces.push({ type: 'scatter', mode: 'markers', yaxis: price, x: time(f.x), y: f.y,
          name: f.side + ' fills, ' + (f.maker ? 'maker' : 'taker') + ' (' + f.count + ')',
          customdata: f.q.map(function (q, k) { return [q, f.id[k]]; }),
          hovertemplate: (market ? market + ' ' : '') + f.side +
            ' %{customdata[0]} @ %{y}<br>%{customdata[1]}<extra></extra>',
          marker: { color: f.maker ? colour : '#ffffff', size: marker_size,
            symbol: buy ? 'triangle-up' : 'triangle-down',
            line: { color: f.maker ? '#ffffff' : colour, width: f.maker ? 0.5 : 2 } } });
      });
      panels.push({ y: price, height: several ? 0.3 : 0.47,
        title: several ? esc(m.symbol) + ': price, own quotes and fills' : 'Price, own quotes and fills',
        axis: 'price (' + quote + ')' });
      var inventory = next_axis();
      line(m.series, 'base_balance', 'inventory (' + base + ')', inventory,
           { line: { color: '#7b3294', width: 1.5, shape: 'hv' } }, market);
      var panel = { y: inventory, height: several ? 0.1 : 0.13,
        title: several ? esc(m.symbol) + ': inventory' : 'Inventory', axis: base };
      if (i === 0) {  // the account's quote balance, once, beside the first market's inventory
        panel.right = next_axis();
        panel.right_axis = quote;
        line(d.portfolio.series, 'quote_balance', 'balance (' + quote + ')', panel.right,
             { line: { color: '#a6761d', width: 1.2, dash: 'dot', shape: 'hv' } });
      }
      panels.push(panel);
    });
    var equity = next_axis(), pnl = next_axis(), drawdown = next_axis();
    // Equity is drawn wide and pale under PnL: when PnL is equity less its start, both stay visible.
    line(d.portfolio.series, 'equity', 'equity (' + quote + ', left)', equity,
         { line: { color: 'rgba(33,102,172,0.35)', width: 5 } });
    line(d.portfolio.series, 'pnl', 'PnL versus holding (' + quote + ', right)', pnl,
         { line: { color: '#e08214', width: 1.3 } });
    line(d.portfolio.series, 'drawdown_pct', 'drawdown %', drawdown,
         { line: { color: '#d73027', width: 1 }, fill: 'tozeroy', fillcolor: 'rgba(215,48,39,0.18)',
           showlegend: false });
    panels.push({ y: equity, right: pnl, height: 0.14,
      title: (several ? 'Portfolio equity' : 'Equity') + ' and PnL versus holding (' + quote + ', marked to mid)',
      axis: 'equity', right_axis: 'PnL vs hold' });
    panels.push({ y: drawdown, height: 0.14, title: several ? 'Portfolio drawdown' : 'Drawdown', axis: 'drawdown %' });

    // Exact-looking figures in the hover ("61,644.54", not "61.64454k"); grouped thousands on ticks.
    var axis = { gridcolor: '#eef0f4', zeroline: false, automargin: true, tickfont: { size: 11 } };
    var value_axis = Object.assign({}, axis, { tickformat: ',~r', hoverformat: ',.8~f' });
    var right = Object.assign({}, value_axis, { side: 'right', showgrid: false, tickmode: 'auto' });  // round ticks
    var title = function (text, y) {
      return { xref: 'paper', yref: 'paper', x: 0, y: y, xanchor: 'left', yanchor: 'bottom', showarrow: false,
        text: '<b>' + text + '</b>', font: { size: 13 } };
    };
    var legend = function (y) {
      return { orientation: 'h', x: 1, xanchor: 'right', y: y, yanchor: 'bottom', font: { size: 11 },
        bgcolor: 'rgba(255,255,255,0)' };
    };
    panels = panels.filter(function (p) {
      return traces.some(function (t) { return t.yaxis === p.y || t.yaxis === p.right; });
    });
    var gap = 0.04;
    var total = panels.reduce(function (sum, p) { return sum + p.height; }, 0) + gap * (panels.length - 1);
    var layout = {
      height: 300 + 750 * total, margin: { l: 80, r: 80, t: 50, b: 40 }, paper_bgcolor: '#fff', plot_bgcolor: '#fff',
      font: { family: 'system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif', size: 12 },
      hovermode: 'x unified', showlegend: true, modebar: { orientation: 'v' }, annotations: []
    };
    var top = 1;
    panels.forEach(function (p, i) {
      var bottom = Math.max(0, top - p.height / total);
      var n = p.y.slice(1);
      layout['yaxis' + n] = Object.assign({}, value_axis, { domain: [bottom, top], title: { text: p.axis } });
      if (p.right) {
        layout['yaxis' + p.right.slice(1)] = Object.assign({}, right, { overlaying: p.y, title: { text: p.right_axis } });
      }
      layout['legend' + (i === 0 ? '' : i + 1)] = legend(top);
      traces.forEach(function (t) {
        if (t.yaxis === p.y || t.yaxis === p.right) t.legend = 'legend' + (i === 0 ? '' : i + 1);
      });
      layout.annotations.push(title(p.title, top));
      layout.xaxis = Object.assign({}, axis, { type: 'date', anchor: p.y, showspikes: true, spikemode: 'across',
        spikethickness: 1, spikecolor: '#888', hoverformat: '%Y-%m-%d %H:%M:%S.%L' });
      if (d.span > 0) layout.xaxis.range = [d.t0, d.t0 + d.span * 1000];
      top = bottom - gap / total;
    });
    if (traces.length === 0) {
      report('no series rows and no fills: nothing to draw');
      return;
    }
    Plotly.newPlot('chart', traces, layout, { displaylogo: false, responsive: true }).then(
      function () { document.body.setAttribute('data-plots', 'rendered'); },
      function (e) { report('error: ' + e); });
  } catch (e) {
    report('error: ' + e.message);
  }
})();
)js";

std::string metric_rows(const std::vector<const SummaryMetric*>& metrics, const MarketAssets& assets) {
  std::string out;
  for (const SummaryMetric* m : metrics) {
    const MetricSpec* spec = find_spec(m->key);
    const MetricDisplay d = display(*m, spec, assets);
    const std::string label = spec != nullptr ? html(spec->label) : html(m->key);
    fmt::format_to(
        std::back_inserter(out),
        "<tr><td title=\"{}\">{}</td><td class=\"num {}\" title=\"{}\">{}</td><td class=\"unit\">{}</td>"
        "</tr>\n",
        html(m->key), label, d.css, d.exact, d.value, d.unit);
  }
  return out;
}

std::string metrics_section(const BacktestSummary& summary, const MarketAssets& assets) {
  std::string out;
  for (const std::string_view group : {kPnlGroup, kRiskGroup, kTradingGroup, kExecutionGroup}) {
    std::vector<const SummaryMetric*> rows;
    for (const auto& spec : kMetricSpecs) {
      if (spec.group != group) continue;
      // Several markets: their bases do not add up (the Markets table has each one's).
      if (summary.markets.size() > 1 && spec.key == "traded_volume_base") continue;
      for (const auto& m : summary.metrics) {
        if (m.key == spec.key) rows.push_back(&m);
      }
    }
    if (rows.empty()) continue;
    fmt::format_to(std::back_inserter(out), "<div><h2>{}</h2><table>\n{}</table></div>\n", group,
                   metric_rows(rows, assets));
  }
  std::vector<const SummaryMetric*> other;
  for (const auto& m : summary.metrics) {
    if (find_spec(m.key) == nullptr) other.push_back(&m);
  }
  if (!other.empty()) {
    fmt::format_to(std::back_inserter(out), "<div><h2>Other metrics</h2><table>\n{}</table></div>\n",
                   metric_rows(other, assets));
  }
  if (summary.metrics.empty())
    out += "<div><h2>Metrics</h2><p class=\"sub\">summary.json has no metrics.</p></div>\n";
  return out;
}

std::string headline_section(const BacktestSummary& summary, const MarketAssets& assets) {
  std::string out;
  for (const std::string_view key : kHeadlineKeys) {
    for (const auto& m : summary.metrics) {
      if (m.key != key) continue;
      const MetricSpec* spec = find_spec(key);
      const MetricDisplay d = display(m, spec, assets);
      fmt::format_to(std::back_inserter(out),
                     "<div class=\"kpi\"><div class=\"label\">{}</div><div class=\"value {}\" title=\"{}\">{}"
                     "<span class=\"unit\">{}</span></div></div>\n",
                     html(spec->label), d.css, d.exact, d.value, d.unit);
    }
  }
  return out.empty() ? out : "<section class=\"kpis\">\n" + out + "</section>\n";
}

// Several markets: one row per market with its own trading metrics (summary.json "markets").
std::string markets_table(const BacktestSummary& summary, const MarketAssets& assets) {
  if (summary.markets.size() < 2) return {};
  static constexpr std::array<std::string_view, 8> kKeys = {
      "fill_count",         "traded_volume_base", "traded_volume_quote", "realized_pnl",
      "unrealized_pnl",     "fees_quote",         "total_pnl",           "spread_captured_bps"};
  std::string head = "<tr><th>market</th>";
  for (const std::string_view key : kKeys) {
    const MetricSpec* spec = find_spec(key);
    fmt::format_to(std::back_inserter(head), "<th class=\"num\" title=\"{}\">{}</th>", html(key),
                   html(spec != nullptr ? spec->label : key));
  }
  head += "</tr>\n";
  std::string rows;
  for (const SummaryMarket& market : summary.markets) {
    MarketAssets own = assets;
    if (!market.base.empty()) own.base = market.base;
    rows += "<tr><td>" + html(market.symbol) + "</td>";
    for (const std::string_view key : kKeys) {
      const auto it = std::ranges::find_if(market.metrics, [key](const SummaryMetric& m) { return m.key == key; });
      if (it == market.metrics.end()) {
        rows += "<td></td>";
        continue;
      }
      const MetricDisplay d = display(*it, find_spec(key), own);
      fmt::format_to(std::back_inserter(rows), "<td class=\"num {}\" title=\"{}\">{} {}</td>", d.css, d.exact,
                     d.value, d.unit);
    }
    rows += "</tr>\n";
  }
  return "<div style=\"grid-column: 1 / -1\"><h2>Markets</h2><table>\n" + head + rows + "</table></div>\n";
}

std::string balances_table(const BacktestSummary& summary) {
  std::vector<std::string> assets;
  for (const auto* list : {&summary.starting_balances, &summary.final_balances}) {
    for (const auto& b : *list) {
      if (std::ranges::find(assets, b.asset) == assets.end()) assets.push_back(b.asset);
    }
  }
  auto amount = [](const std::vector<SummaryBalance>& list, const std::string& asset) -> std::string {
    for (const auto& b : list) {
      if (b.asset == asset) return b.amount;
    }
    return "0";
  };
  std::string rows;
  for (const auto& asset : assets) {
    const std::string start = amount(summary.starting_balances, asset);
    const std::string end = amount(summary.final_balances, asset);
    const auto a = Quantity::parse(start);
    const auto b = Quantity::parse(end);
    std::string change = "";
    std::string_view css;
    if (a && b) {
      if (auto diff = b->checked_sub(*a)) {
        change = (diff->is_positive() ? "+" : "") + diff->to_string();
        css = diff->is_positive() ? "pos" : diff->is_negative() ? "neg" : "";
      }
    }
    fmt::format_to(std::back_inserter(rows),
                   "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num "
                   "{}\">{}</td></tr>\n",
                   html(asset), html(start), html(end), css, html(change));
  }
  return "<div><h2>Balances</h2><table>\n<tr><th>asset</th><th class=\"num\">start</th><th "
         "class=\"num\">end</th>"
         "<th class=\"num\">change</th></tr>\n" +
         rows + "</table></div>\n";
}

// Orders by outcome, and the fills of every market.
std::string orders_table(const BacktestSummary& summary, const std::vector<MarketOutput>& markets) {
  std::string rows;
  for (const auto& [outcome, count] : summary.orders) {
    fmt::format_to(std::back_inserter(rows), "<tr><td>{}</td><td class=\"num\">{}</td></tr>\n", html(outcome),
                   count);
  }
  std::size_t fills = 0;
  std::size_t buys = 0;
  std::size_t makers = 0;
  for (const MarketOutput& market : markets) {
    fills += market.fills.size();
    buys += static_cast<std::size_t>(std::ranges::count_if(market.fills, &BacktestFill::buy));
    makers += static_cast<std::size_t>(std::ranges::count_if(market.fills, &BacktestFill::maker));
  }
  fmt::format_to(std::back_inserter(rows),
                 "<tr><td>fills</td><td class=\"num\">{} ({} buy, {} sell; {} maker, {} taker)</td></tr>\n",
                 fills, buys, fills - buys, makers, fills - makers);
  if (summary.open_orders_at_end) {
    fmt::format_to(std::back_inserter(rows), "<tr><td>open at the end</td><td class=\"num\">{}</td></tr>\n",
                   *summary.open_orders_at_end);
  }
  if (summary.shutdown_complete) {
    fmt::format_to(std::back_inserter(rows), "<tr><td>shutdown</td><td class=\"num {}\">{}</td></tr>\n",
                   *summary.shutdown_complete ? "" : "neg",
                   *summary.shutdown_complete ? "complete" : "incomplete");
  }
  return "<div><h2>Orders</h2><table>\n" + rows + "</table></div>\n";
}

// " 181,210 records (1,813,359 events) replayed from 1 data file." from what the summary says.
std::string replayed(const BacktestSummary& summary) {
  std::string out;
  if (summary.records && summary.events) {
    out =
        fmt::format(" {} records ({} events) replayed", grouped(*summary.records), grouped(*summary.events));
  } else if (summary.records || summary.events) {
    out = fmt::format(" {} {} replayed", grouped(summary.records ? *summary.records : *summary.events),
                      summary.records ? "records" : "events");
  } else {
    return {};
  }
  if (summary.data_files) {
    out += fmt::format(" from {} data file{}", *summary.data_files, *summary.data_files == 1 ? "" : "s");
  }
  return out + ".";
}

// What series.csv holds, from the first market's rows.
std::string series_note(const std::vector<MarketOutput>& markets) {
  const BacktestSeries& series = first_series(markets);
  const std::size_t n = series.time_ns.size();
  if (n == 0) return "series.csv has no rows";
  std::string note = fmt::format("series.csv: {} rows{}", n, markets.size() > 1 ? " per market" : "");
  if (n > 1) {
    const std::int64_t step =
        (series.time_ns.back() - series.time_ns.front()) / static_cast<std::int64_t>(n - 1);
    note += fmt::format(", one every {}", readable_duration(step));
  }
  if (n > kMaxChartPoints) {
    note += fmt::format("; drawn from the lowest and highest value of each of about {} buckets",
                        kMaxChartPoints / 2);
  }
  return note;
}

}  // namespace

std::vector<ChartPoint> min_max_points(std::span<const double> values, std::size_t max_points) {
  max_points = std::max<std::size_t>(max_points, 3);
  const std::size_t n = values.size();
  std::vector<ChartPoint> out;
  if (n <= max_points) {
    out.reserve(n);
    for (std::size_t i = 0; i < n; ++i) out.push_back({i, std::isnan(values[i])});
    return out;
  }
  const bool has_gaps = std::ranges::any_of(values, [](double v) { return std::isnan(v); });
  const std::size_t buckets = max_points / (has_gaps ? 3 : 2);
  out.reserve(max_points);
  for (std::size_t b = 0; b < buckets; ++b) {
    const std::size_t begin = b * n / buckets;
    const std::size_t end = (b + 1) * n / buckets;
    std::size_t low = SIZE_MAX, high = SIZE_MAX, gap = SIZE_MAX;
    for (std::size_t i = begin; i < end; ++i) {
      const double v = values[i];
      if (std::isnan(v)) {
        if (gap == SIZE_MAX) gap = i;
        continue;
      }
      if (low == SIZE_MAX || v < values[low]) low = i;
      if (high == SIZE_MAX || v > values[high]) high = i;
    }
    ChartPoint kept[3];
    std::size_t count = 0;
    if (gap != SIZE_MAX) kept[count++] = {gap, true};
    if (low != SIZE_MAX) kept[count++] = {low, false};
    if (high != SIZE_MAX && high != low) kept[count++] = {high, false};
    // Row order, by hand: at most three points (and GCC 12 misreads std::sort's bounds here).
    for (std::size_t i = 1; i < count; ++i) {
      for (std::size_t j = i; j > 0 && kept[j].row < kept[j - 1].row; --j) std::swap(kept[j], kept[j - 1]);
    }
    out.insert(out.end(), kept, kept + count);
  }
  return out;
}

// For several markets: what the charts and figures are of.
std::string markets_note(const BacktestOutput& output) {
  if (output.markets.size() <= 1) return {};
  return fmt::format(" {} markets share the account: each has its own price and inventory charts; equity, PnL, "
                     "drawdown and the metrics are the whole portfolio's (the Markets table has each market's).",
                     output.markets.size());
}

// "BTC", or for several markets "BTC, ETH".
std::string inventory_units(const BacktestOutput& output, const MarketAssets& assets) {
  if (output.markets.size() <= 1) return assets.base;
  std::string units;
  for (const MarketOutput& market : output.markets) {
    if (!units.empty()) units += ", ";
    units += market.base.empty() ? market.symbol : market.base;
  }
  return units;
}

std::string render_backtest_report(const BacktestOutput& output) {
  const BacktestSummary& summary = output.summary;
  const MarketAssets assets = market_assets(output);
  const ChartLibrary& library = chart_library();

  std::string period = readable_time(summary.start_time) + " to " + readable_time(summary.end_time);
  const auto start = parse_utc_time(summary.start_time);
  const auto end = parse_utc_time(summary.end_time);
  if (start && end && *end >= *start) period += " (" + readable_duration(*end - *start) + ")";

  std::string page;
  page.reserve(library.script.size() + 1'000'000);
  fmt::format_to(
      std::back_inserter(page),
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<title>Backtest: {} on {}</title>\n<style>{}</style>\n</head>\n<body>\n"
      "<header><h1>{} on {}</h1>\n<p class=\"sub\">Backtest, {}.{} Money in {}, inventory in {}.{}</p>"
      "</header>\n",
      html(summary.strategy), html(summary.symbol), kStyle, html(summary.strategy), html(summary.symbol),
      html(period), replayed(summary), html(assets.quote), html(inventory_units(output, assets)),
      html(markets_note(output)));
  page += headline_section(summary, assets);
  page += "<section><div id=\"chart\"></div><pre id=\"report-errors\" hidden></pre></section>\n";
  page += "<section class=\"tables\">\n";
  page += markets_table(summary, assets);
  page += metrics_section(summary, assets);
  page += balances_table(summary);
  page += orders_table(summary, output.markets);
  page += "</section>\n";
  fmt::format_to(
      std::back_inserter(page),
      "<footer>Written by colibri from summary.json, series.csv and fills.csv. {}. Hover a value in the "
      "tables for the exact figure as written. Charts: {} {} (MIT licence), inlined: this page needs no "
      "network.</footer>\n",
      html(series_note(output.markets)), html(library.name), html(library.version));
  page += R"(<script type="application/json" id="report-data">)";
  page += chart_data_json(output, assets);
  page += "</script>\n<script>\n";
  page += library.script;
  page += "\n</script>\n<script>";
  page += kPageScript;
  page += "</script>\n</body>\n</html>\n";
  return page;
}

Result<fs::path> write_backtest_report(const fs::path& out_dir) {
  auto output = load_backtest_output(out_dir);
  if (!output) return fail(std::move(output.error()));
  const std::string page = render_backtest_report(*output);
  fs::path path = out_dir / "report.html";
  const fs::path partial = out_dir / "report.html.partial";
  {
    std::ofstream out(partial, std::ios::binary | std::ios::trunc);
    out << page;
    out.close();
    if (!out) return fail(ErrorCode::Io, "{}: cannot write", partial.string());
  }
  std::error_code ec;
  fs::rename(partial, path, ec);
  if (ec)
    return fail(ErrorCode::Io, "{}: cannot rename to {}: {}", partial.string(), path.string(), ec.message());
  return path;
}

}  // namespace colibri::app
