#pragma once
// The exchange simulator's files: accounts (--accounts FILE) and faults (--faults FILE, or the body
// of POST /sim/faults). docs/EXCHANGE_SIM.md shows both formats.
//
// Accounts file (YAML):
//   market:                       # optional: the replayed symbol's trading rules
//     base: BTC                   #   (defaults: BTC/USDT, tick 0.01, lot 0.00001, min notional 5)
//     quote: USDT
//     tick_size: 0.01
//     lot_size: 0.00001
//     min_quantity: 0.00001
//     min_notional: 5
//   accounts:
//     - name: alice               # shown in /sim/state
//       api_key: ...              # X-MBX-APIKEY; never printed
//       secret: ...               # HMAC key; never printed
//       balances: {BTC: 1, USDT: 100000}
//       fees: {maker_percent: 0.1, taker_percent: 0.1}   # optional, default 0.1 % each
//
// Faults (YAML or JSON, a map of fault name -> spec; seed optional):
//   seed: 7
//   latency: {rate: 1, ms: 250}
//   drop_reply: {rate: 1, one_shot: true, only: "POST /api/v3/order"}
// Each spec: rate (0..1, the probability per opportunity), one_shot (fires once, then rate 0),
// only ("METHOD /path": REST faults apply to that endpoint only), ms (latency, hold or delay; at
// most a day), status (HTTP status of server_error / rate_limit, 100..599), retry_after (seconds,
// rate_limit; at most a day).
//
// Errors: InvalidArgument as "FILE:LINE: KEY: what is wrong"; secrets never appear in them.

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "colibri/core/decimal.h"
#include "colibri/core/result.h"
#include "colibri/core/secret.h"
#include "colibri/model/fees.h"
#include "colibri/model/trading_rules.h"

namespace colibri::exchange_sim {

struct SimAccountConfig {
  std::string name;
  Secret api_key;
  Secret secret;
  std::vector<std::pair<std::string, Quantity>> balances;    // asset -> starting amount
  model::FeeRate maker = model::FeeRate::from_raw(100'000);  // 0.1 %
  model::FeeRate taker = model::FeeRate::from_raw(100'000);
};

struct SimAccountsFile {
  model::TradingRules market;  // symbol empty: taken from the data
  std::vector<SimAccountConfig> accounts;
};

// The trading rules used when the accounts file names none (examples/pmm.yml's BTCUSDT).
[[nodiscard]] model::TradingRules default_market_rules();

[[nodiscard]] Result<SimAccountsFile> load_accounts(const std::filesystem::path& file);
[[nodiscard]] Result<SimAccountsFile> parse_accounts(std::string_view yaml, std::string_view file_name);

enum class FaultKind : std::uint8_t {
  Latency,        // REST: the reply waits `ms` longer
  DropReply,      // REST: the request is acted on, the reply never comes (connection held `ms`, then closed)
  ServerError,    // REST: acted on, then answered `status` (default 503) instead of the real answer
  RateLimit,      // REST: refused before acting, `status` 429 (or 418) with Retry-After `retry_after` s
  ClockSkew,      // signed REST and WS API: refused with -1021 (timestamp outside recvWindow)
  WsDisconnect,   // any WebSocket send: the connection is dropped instead (no close frame)
  DepthGap,       // a depth-stream frame is never sent (the next one does not continue it)
  UserDuplicate,  // a user-stream event is sent twice
  UserReorder,    // a user-stream event is held back and sent after the next one (or after `ms`)
  UserDelayFill,  // a trade executionReport is sent `ms` late
  UserDropFill,   // a trade executionReport is never sent
  CancelUnknown,  // DELETE /api/v3/order answers -2011 without cancelling
};
inline constexpr std::size_t kFaultKinds = 12;
[[nodiscard]] std::string_view to_string(FaultKind kind) noexcept;

inline constexpr std::int64_t kMaxFaultMs = 86'400'000;         // a day
inline constexpr std::int64_t kMaxRetryAfterSeconds = 86'400;  // a day

struct FaultSpec {
  double rate = 0;
  bool one_shot = false;
  std::string only;              // "METHOD /path", empty: every endpoint
  std::int64_t ms = 0;           // latency / hold / delay; kind-specific default when 0
  int status = 0;                // server_error: 503; rate_limit: 429
  std::int64_t retry_after = 0;  // rate_limit: seconds (default 1)
};

struct FaultSet {
  std::array<FaultSpec, kFaultKinds> specs{};
  [[nodiscard]] FaultSpec& operator[](FaultKind k) noexcept { return specs[static_cast<std::size_t>(k)]; }
  [[nodiscard]] const FaultSpec& operator[](FaultKind k) const noexcept {
    return specs[static_cast<std::size_t>(k)];
  }
};

// Parses a faults document and applies it over `faults` (kinds it names are replaced, others kept).
// `seed` receives the document's seed when it has one.
[[nodiscard]] Result<void> parse_faults(std::string_view yaml, std::string_view file_name, FaultSet& faults,
                                        std::uint64_t& seed);
[[nodiscard]] Result<void> load_faults(const std::filesystem::path& file, FaultSet& faults,
                                       std::uint64_t& seed);

}  // namespace colibri::exchange_sim
