#include "colibri/runtime/exchange_sim/sim_config.h"

#include <fstream>
#include <sstream>

#include <yaml-cpp/yaml.h>

namespace colibri::exchange_sim {
namespace {

constexpr std::array<std::string_view, kFaultKinds> kFaultNames = {
    "latency",   "drop_reply",     "server_error", "rate_limit",      "clock_skew",     "ws_disconnect",
    "depth_gap", "user_duplicate", "user_reorder", "user_delay_fill", "user_drop_fill", "cancel_unknown"};

struct ParseError {
  Error error;
};

// Reads one document with errors naming FILE:LINE: KEY. Never puts a scalar's value in a message
// for keys that hold secrets.
class Reader {
 public:
  explicit Reader(std::string_view file) : file_(file) {}

  [[noreturn]] void error_at(const YAML::Node& node, std::string_view key, std::string_view what) const {
    const int line = node.Mark().is_null() ? 1 : node.Mark().line + 1;
    throw ParseError{Error(ErrorCode::InvalidArgument, fmt::format("{}:{}: {}: {}", file_, line, key, what))};
  }

  // A map's key as text (a key that is itself a list or a map is an error, not an exception).
  std::string key_of(const YAML::Node& key, std::string_view path) const {
    if (!key.IsScalar()) error_at(key, path, "expected a name as the key");
    return key.Scalar();
  }

  void check_keys(const YAML::Node& map, std::string_view path,
                  std::initializer_list<std::string_view> allowed) const {
    if (!map.IsMap()) error_at(map, path, "expected a map");
    for (const auto& entry : map) {
      const std::string key = key_of(entry.first, path);
      bool known = false;
      for (std::string_view a : allowed) known = known || a == key;
      if (!known) {
        std::string list;
        for (std::string_view a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
        error_at(entry.first, fmt::format("{}{}{}", path, path.empty() ? "" : ".", key),
                 fmt::format("unknown key (allowed: {})", list));
      }
    }
  }

  std::string scalar(const YAML::Node& node, std::string_view key) const {
    if (!node.IsScalar()) error_at(node, key, "expected a single value");
    return node.Scalar();
  }

  template <typename Fixed>
  Fixed decimal(const YAML::Node& node, std::string_view key) const {
    auto value = Fixed::parse(scalar(node, key));
    if (!value) error_at(node, key, fmt::format("expected an exact decimal ({})", value.error().message()));
    return *value;
  }

  double number(const YAML::Node& node, std::string_view key, double low, double high) const {
    double v = 0;
    if (!node.IsScalar() || !YAML::convert<double>::decode(node, v) || !(v >= low && v <= high)) {
      error_at(node, key, fmt::format("expected a number in [{}, {}]", low, high));
    }
    return v;
  }

  std::int64_t integer(const YAML::Node& node, std::string_view key, std::int64_t low, std::int64_t high) const {
    std::int64_t v = 0;
    if (!node.IsScalar() || !YAML::convert<std::int64_t>::decode(node, v) || v < low || v > high) {
      error_at(node, key, fmt::format("expected an integer in [{}, {}]", low, high));
    }
    return v;
  }

  bool boolean(const YAML::Node& node, std::string_view key) const {
    bool v = false;
    if (!node.IsScalar() || !YAML::convert<bool>::decode(node, v))
      error_at(node, key, "expected true or false");
    return v;
  }

 private:
  std::string file_;
};

YAML::Node load_yaml(std::string_view text, std::string_view file_name) {
  try {
    return YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    throw ParseError{Error(ErrorCode::InvalidArgument,
                           fmt::format("{}:{}: YAML syntax error: {}", file_name, e.mark.line + 1, e.msg))};
  }
}

Result<std::string> read_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return fail(ErrorCode::NotFound, "cannot read {}", file.string());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

std::string_view to_string(FaultKind kind) noexcept { return kFaultNames[static_cast<std::size_t>(kind)]; }

model::TradingRules default_market_rules() {
  model::TradingRules rules;
  rules.base = "BTC";
  rules.quote = "USDT";
  rules.tick_size = Price::from_raw(1'000'000);
  rules.lot_size = Quantity::from_raw(1'000);
  rules.min_quantity = Quantity::from_raw(1'000);
  rules.min_notional = Notional::from_quantity(Quantity::from_int(5));
  return rules;
}

Result<SimAccountsFile> parse_accounts(std::string_view yaml, std::string_view file_name) {
  try {
    const Reader r(file_name);
    const YAML::Node root = load_yaml(yaml, file_name);
    if (!root.IsMap()) r.error_at(root, "(top)", "expected a map with `accounts`");
    r.check_keys(root, "", {"market", "accounts"});
    SimAccountsFile out;
    out.market = default_market_rules();
    if (const YAML::Node m = root["market"]) {
      r.check_keys(m, "market",
                   {"symbol", "base", "quote", "tick_size", "lot_size", "min_quantity", "min_notional"});
      if (m["symbol"]) out.market.symbol = r.scalar(m["symbol"], "market.symbol");
      if (m["base"]) out.market.base = r.scalar(m["base"], "market.base");
      if (m["quote"]) out.market.quote = r.scalar(m["quote"], "market.quote");
      if (m["tick_size"]) out.market.tick_size = r.decimal<Price>(m["tick_size"], "market.tick_size");
      if (m["lot_size"]) out.market.lot_size = r.decimal<Quantity>(m["lot_size"], "market.lot_size");
      if (m["min_quantity"])
        out.market.min_quantity = r.decimal<Quantity>(m["min_quantity"], "market.min_quantity");
      if (m["min_notional"]) {
        auto v = Notional::parse(r.scalar(m["min_notional"], "market.min_notional"));
        if (!v) r.error_at(m["min_notional"], "market.min_notional", "expected an exact decimal");
        out.market.min_notional = *v;
      }
    }
    const YAML::Node accounts = root["accounts"];
    if (!accounts || !accounts.IsSequence() || accounts.size() == 0) {
      r.error_at(accounts ? accounts : root, "accounts", "expected a list of at least one account");
    }
    for (std::size_t i = 0; i < accounts.size(); ++i) {
      const YAML::Node a = accounts[i];
      const std::string path = fmt::format("accounts[{}]", i);
      r.check_keys(a, path, {"name", "api_key", "secret", "balances", "fees"});
      SimAccountConfig account;
      for (const char* required : {"name", "api_key", "secret"}) {
        if (!a[required]) r.error_at(a, path + "." + required, "missing");
      }
      account.name = r.scalar(a["name"], path + ".name");
      account.api_key = Secret(r.scalar(a["api_key"], path + ".api_key"));
      account.secret = Secret(r.scalar(a["secret"], path + ".secret"));
      if (account.api_key.empty() || account.secret.empty())
        r.error_at(a, path, "api_key and secret must not be empty");
      for (const SimAccountConfig& other : out.accounts) {
        if (other.api_key.reveal() == account.api_key.reveal())
          r.error_at(a, path + ".api_key", "used by two accounts");
        if (other.name == account.name) r.error_at(a, path + ".name", "used by two accounts");
      }
      if (const YAML::Node b = a["balances"]) {
        if (!b.IsMap()) r.error_at(b, path + ".balances", "expected a map ASSET: amount");
        for (const auto& entry : b) {
          const std::string asset = r.key_of(entry.first, path + ".balances");
          const Quantity amount = r.decimal<Quantity>(entry.second, path + ".balances." + asset);
          if (amount.is_negative())
            r.error_at(entry.second, path + ".balances." + asset, "must not be negative");
          account.balances.emplace_back(asset, amount);
        }
      }
      if (const YAML::Node f = a["fees"]) {
        r.check_keys(f, path + ".fees", {"maker_percent", "taker_percent"});
        for (const char* key : {"maker_percent", "taker_percent"}) {
          if (!f[key]) continue;
          auto rate = model::FeeRate::parse_percent(r.scalar(f[key], path + ".fees." + key));
          if (!rate || rate->is_negative())
            r.error_at(f[key], path + ".fees." + key, "expected a percent >= 0");
          (std::string_view(key) == "maker_percent" ? account.maker : account.taker) = *rate;
        }
      }
      out.accounts.push_back(std::move(account));
    }
    return out;
  } catch (const ParseError& e) {
    return fail(e.error);
  } catch (const YAML::Exception& e) {  // a document shape the reader did not foresee
    return fail(ErrorCode::InvalidArgument, "{}:{}: {}", file_name, e.mark.line + 1, e.msg);
  }
}

Result<SimAccountsFile> load_accounts(const std::filesystem::path& file) {
  auto text = read_file(file);
  if (!text) return fail(text.error());
  return parse_accounts(*text, file.string());
}

Result<void> parse_faults(std::string_view yaml, std::string_view file_name, FaultSet& faults,
                          std::uint64_t& seed) {
  try {
    const Reader r(file_name);
    const YAML::Node root = load_yaml(yaml, file_name);
    if (!root || root.IsNull()) return {};
    if (!root.IsMap()) r.error_at(root, "(top)", "expected a map of fault name -> spec");
    FaultSet updated = faults;
    for (const auto& entry : root) {
      const std::string name = r.key_of(entry.first, "(top)");
      if (name == "seed") {
        seed = static_cast<std::uint64_t>(r.integer(entry.second, "seed", 0, INT64_MAX));
        continue;
      }
      std::size_t kind = kFaultKinds;
      for (std::size_t k = 0; k < kFaultKinds; ++k) {
        if (kFaultNames[k] == name) kind = k;
      }
      if (kind == kFaultKinds) {
        std::string list = "seed";
        for (std::string_view n : kFaultNames) list += ", " + std::string(n);
        r.error_at(entry.first, name, fmt::format("unknown fault (allowed: {})", list));
      }
      const YAML::Node s = entry.second;
      FaultSpec spec;
      if (!s.IsNull()) {
        r.check_keys(s, name, {"rate", "one_shot", "only", "ms", "status", "retry_after"});
        if (s["rate"]) spec.rate = r.number(s["rate"], name + ".rate", 0, 1);
        if (s["one_shot"]) spec.one_shot = r.boolean(s["one_shot"], name + ".one_shot");
        if (s["only"]) spec.only = r.scalar(s["only"], name + ".only");
        if (s["ms"]) spec.ms = r.integer(s["ms"], name + ".ms", 0, kMaxFaultMs);
        if (s["status"]) spec.status = static_cast<int>(r.integer(s["status"], name + ".status", 100, 599));
        if (s["retry_after"]) {
          spec.retry_after = r.integer(s["retry_after"], name + ".retry_after", 0, kMaxRetryAfterSeconds);
        }
      }
      updated.specs[kind] = spec;
    }
    faults = updated;
    return {};
  } catch (const ParseError& e) {
    return fail(e.error);
  } catch (const YAML::Exception& e) {  // a document shape the reader did not foresee
    return fail(ErrorCode::InvalidArgument, "{}:{}: {}", file_name, e.mark.line + 1, e.msg);
  }
}

Result<void> load_faults(const std::filesystem::path& file, FaultSet& faults, std::uint64_t& seed) {
  auto text = read_file(file);
  if (!text) return fail(text.error());
  return parse_faults(*text, file.string(), faults, seed);
}

}  // namespace colibri::exchange_sim
