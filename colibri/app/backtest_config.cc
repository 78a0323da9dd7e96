#include "colibri/app/backtest_config.h"

#include <charconv>
#include <cmath>
#include <fstream>
#include <initializer_list>
#include <sstream>
#include <system_error>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "colibri/connector/sim/latency_model.h"
#include "colibri/connector/sim/queue_model.h"
#include "colibri/model/fees.h"

namespace colibri::app {
namespace {

namespace fs = std::filesystem;

// Thrown inside the parser, turned into a Result at the boundary: a set-up path, and it keeps each
// check one line long.
struct ConfigError {
  std::string message;
};

constexpr std::string_view kPmmKeys =
    "bid_spread, ask_spread, order_amount, order_levels, order_level_spread, order_level_amount, "
    "order_refresh_time, order_refresh_tolerance_pct, max_order_age, filled_order_delay, inventory_skew_enabled, "
    "inventory_target_base_pct, inventory_range_multiplier, minimum_spread, price_type, take_if_crossed";

// Hummingbot pure_market_making keys colibri does not implement yet, with Hummingbot's defaults
// (pure_market_making_config_map.py). A config may carry them (a conf_pure_mm_*.yml copied over)
// only at the default, which is what colibri does anyway; any other value is an error naming the key.
struct DefaultOnlyKey {
  enum class Kind : std::uint8_t { Number, Boolean, Text, Empty };
  std::string_view name;
  Kind kind;
  std::string_view value;  // Hummingbot's default, as text
};
constexpr DefaultOnlyKey kDefaultOnlyPmmKeys[] = {
    {"price_ceiling", DefaultOnlyKey::Kind::Number, "-1"},
    {"price_floor", DefaultOnlyKey::Kind::Number, "-1"},
    {"moving_price_band_enabled", DefaultOnlyKey::Kind::Boolean, "false"},
    {"price_ceiling_pct", DefaultOnlyKey::Kind::Number, "1"},
    {"price_floor_pct", DefaultOnlyKey::Kind::Number, "-1"},
    {"price_band_refresh_time", DefaultOnlyKey::Kind::Number, "86400"},
    {"ping_pong_enabled", DefaultOnlyKey::Kind::Boolean, "false"},
    {"inventory_price", DefaultOnlyKey::Kind::Number, "1"},
    {"hanging_orders_enabled", DefaultOnlyKey::Kind::Boolean, "false"},
    {"hanging_orders_cancel_pct", DefaultOnlyKey::Kind::Number, "10"},
    {"order_optimization_enabled", DefaultOnlyKey::Kind::Boolean, "false"},
    {"ask_order_optimization_depth", DefaultOnlyKey::Kind::Number, "0"},
    {"bid_order_optimization_depth", DefaultOnlyKey::Kind::Number, "0"},
    {"add_transaction_costs", DefaultOnlyKey::Kind::Boolean, "false"},
    {"price_source", DefaultOnlyKey::Kind::Text, "current_market"},
    {"price_source_exchange", DefaultOnlyKey::Kind::Empty, ""},
    {"price_source_market", DefaultOnlyKey::Kind::Empty, ""},
    {"price_source_custom_api", DefaultOnlyKey::Kind::Empty, ""},
    {"custom_api_update_interval", DefaultOnlyKey::Kind::Number, "5"},
    {"order_override", DefaultOnlyKey::Kind::Empty, ""},
    {"split_order_levels_enabled", DefaultOnlyKey::Kind::Boolean, "false"},
    {"bid_order_level_spreads", DefaultOnlyKey::Kind::Empty, ""},
    {"ask_order_level_spreads", DefaultOnlyKey::Kind::Empty, ""},
    {"bid_order_level_amounts", DefaultOnlyKey::Kind::Empty, ""},
    {"ask_order_level_amounts", DefaultOnlyKey::Kind::Empty, ""},
    {"should_wait_order_cancel_confirmation", DefaultOnlyKey::Kind::Boolean, "true"},
};

const DefaultOnlyKey* find_default_only(std::string_view name) {
  for (const DefaultOnlyKey& k : kDefaultOnlyPmmKeys) {
    if (k.name == name) return &k;
  }
  return nullptr;
}

class ConfigReader {
 public:
  ConfigReader(std::string_view file, bool live) : file_(file), live_(live) {}

  [[noreturn]] void error_at(const YAML::Node& node, std::string_view key, std::string_view what) const {
    const int line = node.Mark().is_null() ? 1 : node.Mark().line + 1;
    throw ConfigError{fmt::format("{}:{}: {}: {}", file_, line, key, what)};
  }

  // Every key of `map` must be in `allowed`; `map` must be a mapping.
  void check_keys(const YAML::Node& map, std::string_view path, std::initializer_list<std::string_view> allowed,
                  std::string_view allowed_text) const {
    if (!map.IsMap()) error_at(map, path, "expected a mapping of keys");
    for (auto it = map.begin(); it != map.end(); ++it) {
      const std::string key = it->first.IsScalar() ? it->first.Scalar() : std::string("?");
      bool known = false;
      for (auto a : allowed) known = known || a == key;
      if (!known) {
        error_at(it->first, path.empty() ? key : fmt::format("{}.{}", path, key),
                 fmt::format("unknown key (allowed: {})", allowed_text));
      }
    }
  }

  // True when `name` is one of the comma-separated names of `list`.
  static bool is_listed(std::string_view list, std::string_view name) {
    while (!list.empty()) {
      const auto comma = list.find(',');
      if (list.substr(0, comma) == name) return true;
      if (comma == std::string_view::npos) break;
      list.remove_prefix(comma + 1);
      while (!list.empty() && list.front() == ' ') list.remove_prefix(1);
    }
    return false;
  }

  // A Hummingbot key colibri does not implement: accepted only at Hummingbot's default.
  void check_default_only(const YAML::Node& value, std::string_view key, const DefaultOnlyKey& k) const {
    bool is_default = false;
    switch (k.kind) {
      case DefaultOnlyKey::Kind::Number: {
        double v = 0;
        double d = 0;
        is_default = value.IsScalar() && YAML::convert<double>::decode(value, v) &&
                     YAML::convert<double>::decode(YAML::Node(std::string(k.value)), d) && v == d;
        break;
      }
      case DefaultOnlyKey::Kind::Boolean: {
        bool v = false;
        is_default = value.IsScalar() && YAML::convert<bool>::decode(value, v) && v == (k.value == "true");
        break;
      }
      case DefaultOnlyKey::Kind::Text: is_default = value.IsScalar() && value.Scalar() == k.value; break;
      case DefaultOnlyKey::Kind::Empty:
        is_default = value.IsNull() || (value.IsScalar() && value.Scalar().empty());
        break;
    }
    if (!is_default) {
      error_at(value, key,
               fmt::format("not supported yet: only Hummingbot's default ({}) is accepted",
                           k.kind == DefaultOnlyKey::Kind::Empty ? "empty" : k.value));
    }
  }

  // The key node of `name` in `map` (its line is where the key is written); `map` when absent.
  static YAML::Node key_node(const YAML::Node& map, std::string_view name) {
    for (auto it = map.begin(); it != map.end(); ++it) {
      if (it->first.IsScalar() && it->first.Scalar() == name) return it->first;
    }
    return map;
  }

  const std::string& scalar(const YAML::Node& node, std::string_view key, std::string_view expected) const {
    if (!node.IsScalar()) error_at(node, key, fmt::format("expected {}", expected));
    return node.Scalar();
  }

  template <typename Fixed>
  Fixed decimal(const YAML::Node& node, std::string_view key, std::string_view expected) const {
    auto v = Fixed::parse(scalar(node, key, expected));
    if (!v) error_at(node, key, fmt::format("expected {}; got \"{}\" ({})", expected, node.Scalar(), v.error().message()));
    return *v;
  }

  double number(const YAML::Node& node, std::string_view key, std::string_view expected) const {
    const std::string& text = scalar(node, key, expected);
    double v = 0;
    const char* end = text.data() + text.size();
    auto [p, ec] = std::from_chars(text.data(), end, v);
    if (ec != std::errc() || p != end || !std::isfinite(v)) {
      error_at(node, key, fmt::format("expected {}; got \"{}\"", expected, text));
    }
    return v;
  }

  int integer(const YAML::Node& node, std::string_view key, std::string_view expected) const {
    const std::string& text = scalar(node, key, expected);
    int v = 0;
    const char* end = text.data() + text.size();
    auto [p, ec] = std::from_chars(text.data(), end, v);
    if (ec != std::errc() || p != end) error_at(node, key, fmt::format("expected {}; got \"{}\"", expected, text));
    return v;
  }

  bool boolean(const YAML::Node& node, std::string_view key) const {
    const std::string& text = scalar(node, key, "true or false");
    bool v = false;
    if (!YAML::convert<bool>::decode(node, v)) {
      error_at(node, key, fmt::format("expected true or false; got \"{}\"", text));
    }
    return v;
  }

  // A non-negative exact decimal count of `unit_ns` nanoseconds ("1.5" seconds), to the nanosecond.
  Duration duration(const YAML::Node& node, std::string_view key, std::int64_t unit_ns, std::string_view unit) const {
    const auto expected = fmt::format("a number of {} >= 0", unit);
    const Quantity q = decimal<Quantity>(node, key, expected);  // exact, 8 decimals
    if (q.is_negative()) error_at(node, key, fmt::format("expected {}; got {}", expected, node.Scalar()));
    // raw is in 1e-8 units; unit_ns is 10^k nanoseconds: scale up, or down when exact.
    std::int64_t ns = 0;
    if (unit_ns >= Quantity::kScale) {
      if (__builtin_mul_overflow(q.raw(), unit_ns / Quantity::kScale, &ns)) {
        error_at(node, key, fmt::format("too long: {}", node.Scalar()));
      }
    } else {
      const std::int64_t divisor = Quantity::kScale / unit_ns;
      if (q.raw() % divisor != 0) error_at(node, key, fmt::format("finer than 1 ns: {}", node.Scalar()));
      ns = q.raw() / divisor;
    }
    return Duration(ns);
  }

  BacktestConfigFile parse(const YAML::Node& root) const {
    if (!root.IsDefined() || root.IsNull()) error_at(root, "(file)", "empty config (expected a mapping with strategy, market, ...)");
    if (live_) {
      check_keys(root, "", {"strategy", "strategy_parameters", "market", "fees", "tick_size_seconds", "exchange"},
                 "strategy, strategy_parameters, market, fees, tick_size_seconds, exchange");
    } else {
      check_keys(root, "",
                 {"strategy", "strategy_parameters", "market", "markets", "starting_balances", "fees", "latency",
                  "queue", "tick_size_seconds", "sample_interval_seconds", "data"},
                 "strategy, strategy_parameters, market, markets, starting_balances, fees, latency, queue, "
                 "tick_size_seconds, sample_interval_seconds, data");
    }
    BacktestConfigFile out;
    if (live_) out.exchange = parse_exchange(root);

    const YAML::Node strategy = root["strategy"];
    if (!strategy) error_at(root, "strategy", "missing (allowed: pure_market_making)");
    out.strategy = scalar(strategy, "strategy", "a strategy name (allowed: pure_market_making)");
    if (out.strategy != "pure_market_making") {
      error_at(strategy, "strategy", fmt::format("unknown strategy \"{}\" (allowed: pure_market_making)", out.strategy));
    }

    const YAML::Node params = root["strategy_parameters"];
    if (!params) error_at(root, "strategy_parameters", fmt::format("missing (keys: {})", kPmmKeys));
    parse_pure_market_making(params, "strategy_parameters", /*complete=*/true, out.pure_market_making);

    parse_markets(root, out);

    if (const YAML::Node balances = root["starting_balances"]) {
      if (!balances.IsMap()) error_at(balances, "starting_balances", "expected a mapping ASSET: amount");
      for (auto it = balances.begin(); it != balances.end(); ++it) {
        const std::string asset_text = scalar(it->first, "starting_balances", "an asset code");
        auto asset = model::Asset::from(asset_text);
        if (!asset || asset_text.empty()) {
          error_at(it->first, "starting_balances", fmt::format("bad asset code \"{}\"", asset_text));
        }
        const auto key = fmt::format("starting_balances.{}", asset_text);
        const Quantity amount = decimal<Quantity>(it->second, key, "an amount >= 0");
        if (amount.is_negative()) error_at(it->second, key, fmt::format("expected an amount >= 0; got {}", amount));
        for (const auto& b : out.backtest.starting_balances) {
          if (b.asset == *asset) error_at(it->first, key, "given twice");
        }
        out.backtest.starting_balances.push_back({*asset, amount});
      }
    }

    if (const YAML::Node fees = root["fees"]) {
      check_keys(fees, "fees", {"maker_percent", "taker_percent"}, "maker_percent, taker_percent");
      auto rate = [&](const char* key, model::FeeRate& out_rate) {
        const YAML::Node n = fees[key];
        if (!n) return;
        const auto name = fmt::format("fees.{}", key);
        auto r = model::FeeRate::parse_percent(scalar(n, name, "a percent (0.1 means 0.1 %)"));
        if (!r) error_at(n, name, fmt::format("expected a percent (0.1 means 0.1 %); {}", r.error().message()));
        out_rate = *r;
      };
      rate("maker_percent", out.backtest.maker_fee);
      rate("taker_percent", out.backtest.taker_fee);
    }

    if (const YAML::Node latency = root["latency"]) {
      check_keys(latency, "latency", {"entry_ms", "response_ms", "file"}, "entry_ms, response_ms, file");
      if (const YAML::Node n = latency["file"]) {
        if (latency["entry_ms"] || latency["response_ms"]) {
          error_at(n, "latency.file", "give either a recorded-latency file or entry_ms/response_ms, not both");
        }
        out.backtest.latency_file = scalar(n, "latency.file", "a CSV of request_time,exchange_time,response_time");
        auto recorded = connector::sim::RecordedLatency::load(out.backtest.latency_file.string());
        if (!recorded) error_at(n, "latency.file", recorded.error().message());
      }
      if (const YAML::Node n = latency["entry_ms"]) {
        out.backtest.entry_latency = duration(n, "latency.entry_ms", 1'000'000, "milliseconds");
      }
      if (const YAML::Node n = latency["response_ms"]) {
        out.backtest.response_latency = duration(n, "latency.response_ms", 1'000'000, "milliseconds");
      }
    }

    if (const YAML::Node n = root["tick_size_seconds"]) {
      out.backtest.tick_size = duration(n, "tick_size_seconds", 1'000'000'000, "seconds");
      if (out.backtest.tick_size <= Duration::zero()) error_at(n, "tick_size_seconds", "must be > 0");
    }

    if (const YAML::Node queue = root["queue"]) {
      check_keys(queue, "queue", {"model", "power"}, "model, power");
      if (const YAML::Node n = queue["model"]) {
        out.backtest.queue_model = scalar(n, "queue.model", fmt::format("one of {}", connector::sim::kQueueModelNames));
        if (!connector::sim::make_queue_model(out.backtest.queue_model)) {
          error_at(n, "queue.model", fmt::format("unknown model \"{}\" (allowed: {})", out.backtest.queue_model,
                                                 connector::sim::kQueueModelNames));
        }
      }
      if (const YAML::Node n = queue["power"]) {
        out.backtest.queue_power = number(n, "queue.power", "a number > 0");
        if (!(out.backtest.queue_power > 0)) error_at(n, "queue.power", "must be > 0");
      }
    }

    if (const YAML::Node n = root["sample_interval_seconds"]) {
      out.backtest.sample_interval = duration(n, "sample_interval_seconds", 1'000'000'000, "seconds");
      if (out.backtest.sample_interval <= Duration::zero()) error_at(n, "sample_interval_seconds", "must be > 0");
    }

    if (const YAML::Node data = root["data"]) {
      if (root["markets"]) error_at(data, "data", "with `markets`, each market lists its own data");
      parse_data(data, "data", out.backtest.markets.front().data_files);
    }
    return out;
  }

  void parse_data(const YAML::Node& data, std::string_view key, std::vector<fs::path>& files) const {
    if (data.IsScalar()) {
      files.emplace_back(data.Scalar());
    } else if (data.IsSequence()) {
      for (const auto& f : data) files.emplace_back(scalar(f, key, "a file path"));
    } else if (!data.IsNull()) {
      error_at(data, key, "expected a file path or a list of file paths");
    }
  }

  // `market:` (one market; its data under the top-level `data:`) or `markets:` (a list; each entry
  // holds the rules, its `data` and optional `strategy_parameters` overriding the shared ones).
  void parse_markets(const YAML::Node& root, BacktestConfigFile& out) const {
    const YAML::Node market = root["market"];
    const YAML::Node markets = root["markets"];
    if (market && markets) error_at(markets, "markets", "give either `market` (one) or `markets` (a list), not both");
    if (market) {
      runtime::BacktestMarket m;
      parse_market(market, key_node(root, "market"), "market", m.rules);
      out.backtest.markets.push_back(std::move(m));
      out.market_parameters.push_back(out.pure_market_making);
      return;
    }
    if (!markets) {
      error_at(root, "market",
               "missing (required: symbol, base, quote, tick_size, lot_size; optional: min_quantity, min_notional; "
               "or `markets:`, a list of them)");
    }
    if (!markets.IsSequence() || markets.size() == 0) {
      error_at(markets, "markets", "expected a list of markets (symbol, base, quote, tick_size, lot_size, ...)");
    }
    for (std::size_t i = 0; i < markets.size(); ++i) {
      const YAML::Node entry = markets[i];
      const std::string where = fmt::format("markets[{}]", i);
      runtime::BacktestMarket m;
      parse_market(entry, entry, where, m.rules);
      const std::string& quote = out.backtest.markets.empty() ? m.rules.quote : out.backtest.markets.front().rules.quote;
      if (m.rules.quote != quote) {
        error_at(entry["quote"], where + ".quote",
                 fmt::format("{} is not {}: the markets of one backtest share one quote asset", m.rules.quote, quote));
      }
      for (const auto& other : out.backtest.markets) {
        if (other.rules.base == m.rules.base) {
          error_at(entry["base"], where + ".base", fmt::format("{} is already traded by {}", m.rules.base, other.rules.symbol));
        }
      }
      if (const YAML::Node data = entry["data"]) parse_data(data, where + ".data", m.data_files);
      strategy::PureMarketMakingConfig parameters = out.pure_market_making;
      if (const YAML::Node p = entry["strategy_parameters"]) {
        parse_pure_market_making(p, where + ".strategy_parameters", /*complete=*/false, parameters);
      }
      out.backtest.markets.push_back(std::move(m));
      out.market_parameters.push_back(parameters);
    }
  }

  ExchangeSection parse_exchange(const YAML::Node& root) const {
    const YAML::Node e = root["exchange"];
    constexpr std::string_view kKeys = "rest_url, stream_url, ws_api_url, ca_file";
    if (!e) error_at(root, "exchange", fmt::format("missing (keys: {}; rest_url required)", kKeys));
    check_keys(e, "exchange", {"rest_url", "stream_url", "ws_api_url", "ca_file"}, kKeys);
    ExchangeSection out;
    auto url = [&](const char* key, std::string& value) {
      const YAML::Node n = e[key];
      if (!n) return;
      const auto name = fmt::format("exchange.{}", key);
      value = scalar(n, name, "a URL such as https://127.0.0.1:8443");
      if (value.find("://") == std::string::npos) {
        error_at(n, name, fmt::format("expected scheme://host[:port]; got \"{}\"", value));
      }
    };
    url("rest_url", out.rest_url);
    if (out.rest_url.empty()) error_at(e, "exchange.rest_url", "missing (e.g. https://127.0.0.1:8443)");
    url("stream_url", out.stream_url);
    url("ws_api_url", out.ws_api_url);
    auto as_ws = [](std::string u) {
      if (u.rfind("https://", 0) == 0) return "wss://" + u.substr(8);
      if (u.rfind("http://", 0) == 0) return "ws://" + u.substr(7);
      return u;
    };
    if (out.stream_url.empty()) out.stream_url = as_ws(out.rest_url);
    if (out.ws_api_url.empty()) out.ws_api_url = as_ws(out.rest_url);
    if (const YAML::Node n = e["ca_file"]) out.ca_file = scalar(n, "exchange.ca_file", "a PEM file path");
    return out;
  }

  // `complete`: the shared parameters, where Hummingbot's required keys must be given; otherwise
  // a market's overrides of them.
  void parse_pure_market_making(const YAML::Node& p, std::string_view path, bool complete,
                                strategy::PureMarketMakingConfig& c) const {
    auto key = [path](std::string_view k) { return fmt::format("{}.{}", path, k); };
    if (!p.IsMap()) error_at(p, path, "expected a mapping of keys");
    for (auto it = p.begin(); it != p.end(); ++it) {
      const std::string name = it->first.IsScalar() ? it->first.Scalar() : std::string("?");
      if (is_listed(kPmmKeys, name)) continue;
      if (const DefaultOnlyKey* k = find_default_only(name)) {
        check_default_only(it->second, key(name), *k);
        continue;
      }
      error_at(it->first, key(name), fmt::format("unknown key (allowed: {})", kPmmKeys));
    }
    auto pct = [&](const char* k, double& v, std::string_view range) {
      if (const YAML::Node n = p[k]) v = number(n, key(k), fmt::format("a percent in {} (1 means 1 %)", range));
    };
    auto secs = [&](const char* k, Duration& v) {
      if (const YAML::Node n = p[k]) v = duration(n, key(k), 1'000'000'000, "seconds");
    };
    // Required, as Hummingbot prompts for them.
    for (const char* k : {"bid_spread", "ask_spread", "order_amount", "order_refresh_time"}) {
      if (complete && !p[k]) error_at(p, key(k), "missing (required)");
    }
    pct("bid_spread", c.bid_spread, "(0, 100)");
    pct("ask_spread", c.ask_spread, "(0, 100)");
    if (const YAML::Node n = p["order_amount"]) c.order_amount = decimal<Quantity>(n, key("order_amount"), "a base amount > 0");
    if (const YAML::Node n = p["order_levels"]) c.order_levels = integer(n, key("order_levels"), "an integer >= 0");
    pct("order_level_spread", c.order_level_spread, "(0, 100)");
    if (const YAML::Node n = p["order_level_amount"]) {
      c.order_level_amount = decimal<Quantity>(n, key("order_level_amount"), "a base amount");
    }
    secs("order_refresh_time", c.order_refresh_time);
    pct("order_refresh_tolerance_pct", c.order_refresh_tolerance_pct, "[-10, 10]");
    secs("max_order_age", c.max_order_age);
    secs("filled_order_delay", c.filled_order_delay);
    if (const YAML::Node n = p["inventory_skew_enabled"]) c.inventory_skew_enabled = boolean(n, key("inventory_skew_enabled"));
    pct("inventory_target_base_pct", c.inventory_target_base_pct, "[0, 100]");
    if (const YAML::Node n = p["inventory_range_multiplier"]) {
      c.inventory_range_multiplier = number(n, key("inventory_range_multiplier"), "a number > 0");
    }
    pct("minimum_spread", c.minimum_spread, "[-100, 100]");
    if (const YAML::Node n = p["price_type"]) {
      c.price_type = scalar(n, key("price_type"),
                            "one of mid_price, last_price, last_own_trade_price, best_bid, best_ask, inventory_cost");
    }
    if (const YAML::Node n = p["take_if_crossed"]) c.take_if_crossed = boolean(n, key("take_if_crossed"));

    // The strategy's own ranges; its message starts with the key it refuses.
    if (auto ok = c.validate(); !ok) {
      const std::string& message = ok.error().message();
      for (auto it = p.begin(); it != p.end(); ++it) {
        const std::string& k = it->first.Scalar();
        if (message.starts_with(k) && (message.size() == k.size() || message[k.size()] == ' ' ||
                                        message[k.size()] == ':')) {
          error_at(it->second, key(k), message);
        }
      }
      error_at(p, path, message);  // a message naming no key written here
    }
  }

  // A market's rules at `path` ("market", or "markets[i]", whose entries also hold data and
  // strategy_parameters).
  void parse_market(const YAML::Node& m, const YAML::Node& m_key, const std::string& path, model::TradingRules& r) const {
    if (path == "market") {
      check_keys(m, path, {"symbol", "base", "quote", "tick_size", "lot_size", "min_quantity", "min_notional"},
                 "symbol, base, quote, tick_size, lot_size, min_quantity, min_notional");
    } else {
      check_keys(m, path,
                 {"symbol", "base", "quote", "tick_size", "lot_size", "min_quantity", "min_notional", "data",
                  "strategy_parameters"},
                 "symbol, base, quote, tick_size, lot_size, min_quantity, min_notional, data, strategy_parameters");
    }
    auto key = [&path](std::string_view k) { return fmt::format("{}.{}", path, k); };
    for (const char* k : {"symbol", "base", "quote", "tick_size", "lot_size"}) {
      if (!m[k]) error_at(m, key(k), "missing (required)");
    }
    r.symbol = scalar(m["symbol"], key("symbol"), "a venue symbol such as BTCUSDT");
    r.base = scalar(m["base"], key("base"), "an asset code such as BTC");
    r.quote = scalar(m["quote"], key("quote"), "an asset code such as USDT");
    r.tick_size = decimal<Price>(m["tick_size"], key("tick_size"), "a price increment > 0");
    r.lot_size = decimal<Quantity>(m["lot_size"], key("lot_size"), "a quantity increment > 0");
    if (const YAML::Node n = m["min_quantity"]) r.min_quantity = decimal<Quantity>(n, key("min_quantity"), "a quantity >= 0");
    if (const YAML::Node n = m["min_notional"]) r.min_notional = decimal<Notional>(n, key("min_notional"), "a notional >= 0");
    if (auto ok = r.validate(); !ok) error_at(m_key, path, ok.error().message());
    if (!model::Symbol::from(r.symbol)) error_at(m["symbol"], key("symbol"), "too long");
    if (!model::Asset::from(r.base)) error_at(m["base"], key("base"), "too long");
    if (!model::Asset::from(r.quote)) error_at(m["quote"], key("quote"), "too long");
  }

 private:
  std::string file_;
  bool live_ = false;
};

Result<BacktestConfigFile> parse_config(std::string_view yaml, std::string_view file_name, bool live) {
  ConfigReader reader(file_name, live);
  try {
    return reader.parse(YAML::Load(std::string(yaml)));
  } catch (const ConfigError& e) {
    return fail(ErrorCode::InvalidArgument, "{}", e.message);
  } catch (const YAML::Exception& e) {
    // Syntax errors carry a mark; e.msg is the message without yaml-cpp's own position prefix.
    const int line = e.mark.is_null() ? 1 : e.mark.line + 1;
    return fail(ErrorCode::InvalidArgument, "{}:{}: YAML: {}", file_name, line, e.msg);
  }
}

Result<BacktestConfigFile> load_config(const fs::path& file, bool live) {
  std::error_code ec;
  if (!fs::is_regular_file(file, ec)) return fail(ErrorCode::NotFound, "{}: no such config file", file.string());
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in && !in.eof()) return fail(ErrorCode::Io, "{}: cannot read", file.string());
  return parse_config(text.str(), file.string(), live);
}

}  // namespace

Result<BacktestConfigFile> parse_backtest_config(std::string_view yaml, std::string_view file_name) {
  return parse_config(yaml, file_name, false);
}
Result<BacktestConfigFile> load_backtest_config(const fs::path& file) { return load_config(file, false); }
Result<BacktestConfigFile> parse_live_config(std::string_view yaml, std::string_view file_name) {
  return parse_config(yaml, file_name, true);
}
Result<BacktestConfigFile> load_live_config(const fs::path& file) { return load_config(file, true); }

}  // namespace colibri::app
