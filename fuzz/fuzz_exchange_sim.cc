// libFuzzer target: the exchange simulator's request handling (runtime/exchange_sim), driven
// through net::ServerHandler without sockets on a SimScheduler, a fresh simulator per input. Each
// input is a little program, one step per line (the grammar is above class Program; the seeds in
// fuzz/corpus/exchange_sim/ are written in it): REST and admin requests split into fields (API key,
// method, target with its query string, body, extra headers), frames on WebSocket API and
// market-stream connections (userDataStream.subscribe.signature, time, unknown methods, SUBSCRIBE,
// any bytes), peer closes, and simulated time passing (replay, depth frames, delayed replies).
// {ts} and {sig} placeholders let a mutated request keep a valid timestamp and signature of the
// fixed test account, so that orders are placed, filled and cancelled, not only refused.
//
// Nothing may crash (ASan, UBSan, an uncaught exception), and every answer keeps its contract:
//   HTTP      a status in 200..599; header names and values without CR/LF; a body that parses as
//             JSON; an /api/v3 error is an object with an integer `code` and a string `msg`; 429
//             and 418 carry an integer Retry-After >= 1 (429 -1015: none); /api/v3 answers carry
//             X-MBX-USED-WEIGHT-1M (and order counts) as non-negative integers.
//   WS API    every frame parses as a JSON object: an answer {id, status 200..599, result | error
//             {code, msg}}, or an event {subscriptionId, event {e, ...}}.
//   streams   every frame parses as a JSON object.
//   state     after the program, /sim/state parses; every balance has free, locked >= 0 and
//             total = free + locked; no open order has executed its whole quantity or more.

#include <simdjson.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "colibri/core/decimal.h"
#include "colibri/core/sim_scheduler.h"
#include "colibri/data/synthetic_market.h"
#include "colibri/net/http/loopback.h"
#include "colibri/runtime/exchange_sim/exchange_simulator.h"
#include "colibri/venue/binance/signing.h"

namespace {

namespace net = colibri::net;
namespace es = colibri::exchange_sim;
using colibri::Quantity;
using colibri::Secret;
using colibri::SimScheduler;
using colibri::Timestamp;

constexpr std::string_view kKey = "fuzz-key";
constexpr std::string_view kSecret = "fuzz-secret";
// Simulated time starts here (2024-08-09T00:00:00Z, the synthetic market's first event).
constexpr std::int64_t kStartMs = 1'723'161'600'000;
constexpr std::int64_t kMaxAdvanceMs = 30'000;  // simulated time one input may use

[[noreturn]] void violated(const char* what, std::string_view detail) {
  std::fprintf(stderr, "fuzz_exchange_sim: %s\n%.*s\n", what, static_cast<int>(std::min<std::size_t>(detail.size(), 2000)),
               detail.data());
  std::abort();
}

simdjson::dom::parser& json_parser() {
  static simdjson::dom::parser parser;
  return parser;
}

// Parses `text` as JSON (a copy: simdjson wants padding); aborts when it does not parse.
simdjson::dom::element parse_json(std::string_view text, const char* what) {
  simdjson::dom::element root;
  if (json_parser().parse(text.data(), text.size(), true).get(root) != simdjson::SUCCESS) {
    violated(what, text);
  }
  return root;
}

bool has_crlf(std::string_view s) { return s.find_first_of("\r\n") != std::string_view::npos; }

bool non_negative_integer(std::string_view s) {
  if (s.empty() || s.size() > 18) return false;
  for (const char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

void check_http(const std::string& path, const net::HttpResponse& r) {
  if (r.status < 200 || r.status > 599) violated("HTTP status outside 200..599", r.body);
  for (const net::HttpHeader& h : r.headers) {
    if (h.name.empty() || has_crlf(h.name) || has_crlf(h.value) || h.name.find(':') != std::string::npos) {
      violated("header name or value that breaks HTTP", h.name + ": " + h.value);
    }
  }
  const simdjson::dom::element root = parse_json(r.body, "HTTP body that is not JSON");
  const bool api = path.rfind("/api/v3/", 0) == 0;
  if (r.status == 429 || r.status == 418) {
    // -1015 (an ORDERS limit of the account) comes without Retry-After, as from Binance.
    std::int64_t code = 0;
    const bool order_limit = r.status == 429 && root["code"].get(code) == simdjson::SUCCESS && code == -1015;
    const std::string* retry = r.header("Retry-After");
    if (order_limit ? retry != nullptr
                    : retry == nullptr || !non_negative_integer(*retry) || *retry == "0") {
      violated(order_limit ? "-1015 with a Retry-After" : "429/418 without a Retry-After of at least 1 s", r.body);
    }
  }
  if (!api) return;
  const std::string* weight = r.header("X-MBX-USED-WEIGHT-1M");
  if (weight == nullptr || !non_negative_integer(*weight)) violated("no X-MBX-USED-WEIGHT-1M", r.body);
  for (const char* name : {"X-MBX-ORDER-COUNT-10S", "X-MBX-ORDER-COUNT-1D"}) {
    if (const std::string* count = r.header(name); count != nullptr && !non_negative_integer(*count)) {
      violated("order count header that is not a count", *count);
    }
  }
  if (r.status >= 400) {
    std::int64_t code = 0;
    std::string_view msg;
    if (root["code"].get(code) != simdjson::SUCCESS || root["msg"].get(msg) != simdjson::SUCCESS ||
        code >= 0 || msg.empty()) {
      violated("/api/v3 error without an integer code < 0 and a msg", r.body);
    }
  } else if (!root.is_object() && !root.is_array()) {
    violated("/api/v3 answer that is neither an object nor an array", r.body);
  }
}

void check_api_frame(const std::string& frame) {
  const simdjson::dom::element root = parse_json(frame, "WS API frame that is not JSON");
  if (!root.is_object()) violated("WS API frame that is not an object", frame);
  std::int64_t subscription = 0;
  if (root["subscriptionId"].get(subscription) == simdjson::SUCCESS && root["event"].error() == simdjson::SUCCESS) {
    std::string_view kind;
    if (root["event"]["e"].get(kind) != simdjson::SUCCESS || kind.empty()) violated("event without e", frame);
    return;
  }
  std::int64_t status = 0;
  if (root["id"].error() != simdjson::SUCCESS || root["status"].get(status) != simdjson::SUCCESS ||
      status < 200 || status > 599) {
    violated("WS API answer without id and a status in 200..599", frame);
  }
  if (status == 200) {
    if (root["result"].error() != simdjson::SUCCESS) violated("WS API 200 without result", frame);
    return;
  }
  std::int64_t code = 0;
  std::string_view msg;
  if (root["error"]["code"].get(code) != simdjson::SUCCESS || root["error"]["msg"].get(msg) != simdjson::SUCCESS) {
    violated("WS API error without code and msg", frame);
  }
}

void check_market_frame(const std::string& frame) {
  if (!parse_json(frame, "market-stream frame that is not JSON").is_object()) {
    violated("market-stream frame that is not an object", frame);
  }
}

// --- the program
//
// One step per line; fields are separated by one space and the last field takes the rest of the
// line (any bytes). Placeholders in targets, bodies and frames: {ts} is the simulator's clock in
// ms; {sig} is the signature of the request as the fixed account (`fuzz`) signs it: for `http`,
// the HMAC-SHA256 of the query string and the body without the `signature={sig}` parameter; for
// `ws`, of "apiKey=fuzz-key&timestamp=<now>" (a subscription with exactly those parameters).
//
//   header NAME: VALUE          a header for the next `http` request
//   http KEY METHOD TARGET [BODY]   KEY: key (X-MBX-APIKEY of `fuzz`), lower (the same, header
//                               name in lower case), other (the second account), bad (unknown),
//                               nokey (no header)
//   ws N TEXT                   a text frame on WebSocket API connection N (0..3, opened on first use)
//   subscribe N [RECV_WINDOW]   userDataStream.subscribe.signature on connection N, validly signed
//   stream N TARGET             opens market-stream connection N (0..3) on TARGET (if accepted)
//   streamsend N TEXT           a text frame on market-stream connection N
//   close ws|stream N           the peer closes that connection
//   wait MS                     simulated time passes (30 s per input in all)
//   anything else               the whole line is a frame on WebSocket API connection 0

constexpr std::size_t kConnections = 4;

std::string replace_all(std::string text, std::string_view from, std::string_view to) {
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

// `text` without its "signature={sig}" parameter (and the '&' joining it).
std::string without_sig_param(std::string_view text) {
  std::string out(text);
  for (const std::string_view param : {"&signature={sig}", "signature={sig}&", "signature={sig}"}) {
    if (const std::size_t at = out.find(param); at != std::string::npos) {
      out.erase(at, param.size());
      break;
    }
  }
  return out;
}

std::string sign(std::string_view payload) {
  static const Secret secret{std::string(kSecret)};
  return colibri::venue::binance::sign_hmac_sha256(secret, payload);
}

// Splits off the first space-separated field of `line`.
std::string_view field(std::string_view& line) {
  const std::size_t space = line.find(' ');
  const std::string_view out = line.substr(0, space);
  line = space == std::string_view::npos ? std::string_view{} : line.substr(space + 1);
  return out;
}

std::size_t connection_index(std::string_view text) {
  return text.empty() ? 0 : static_cast<std::size_t>(static_cast<unsigned char>(text[0]) - '0') % kConnections;
}

class Program {
 public:
  Program(SimScheduler& scheduler, es::ExchangeSimulator& sim) : scheduler_(scheduler), sim_(sim) {}

  void run(std::string_view input) {
    while (!input.empty()) {
      const std::size_t end = input.find('\n');
      step(input.substr(0, end));
      input = end == std::string_view::npos ? std::string_view{} : input.substr(end + 1);
    }
    advance_by(2'000);  // replies held by faults and delayed events come out now
  }

 private:
  std::int64_t now_ms() const { return scheduler_.now().ms(); }

  void step(std::string_view line) {
    std::string_view rest = line;
    const std::string_view command = field(rest);
    if (command == "header") {
      const std::size_t colon = rest.find(':');
      if (colon == std::string_view::npos) return;
      const std::string_view value = rest.substr(colon + 1);
      headers_.push_back({std::string(rest.substr(0, colon)),
                          std::string(value.substr(value.empty() || value[0] != ' ' ? 0 : 1))});
    } else if (command == "http") {
      http(rest);
    } else if (command == "ws") {
      const std::size_t n = connection_index(field(rest));
      api(n).receive(replace_all(replace_all(std::string(rest), "{sig}", sign(fmt_subscription(now_ms()))),
                                 "{ts}", std::to_string(now_ms())));
    } else if (command == "subscribe") {
      const std::size_t n = connection_index(field(rest));
      subscribe(api(n), rest);
    } else if (command == "stream") {
      const std::size_t n = connection_index(field(rest));
      open_stream(n, rest);
    } else if (command == "streamsend") {
      const std::size_t n = connection_index(field(rest));
      if (streams_[n]) streams_[n]->receive(rest);
    } else if (command == "close") {
      const bool is_api = field(rest) == "ws";
      const std::size_t n = connection_index(field(rest));
      const auto& c = is_api ? apis_[n] : streams_[n];
      if (c) c->close_from_peer();
    } else if (command == "wait") {
      std::int64_t ms = 0;
      for (const char c : rest.substr(0, 6)) {
        if (c < '0' || c > '9') break;
        ms = ms * 10 + (c - '0');
      }
      advance_by(ms);
    } else {
      api(0).receive(line);
    }
  }

  static std::string fmt_subscription(std::int64_t ts) {
    return "apiKey=" + std::string(kKey) + "&timestamp=" + std::to_string(ts);
  }

  void http(std::string_view rest) {
    const std::string_view key = field(rest);
    net::HttpRequest request;
    request.method = std::string(field(rest));
    std::string target(field(rest));
    std::string body(rest);
    const std::string ts = std::to_string(now_ms());
    target = replace_all(std::move(target), "{ts}", ts);
    body = replace_all(std::move(body), "{ts}", ts);
    if (target.find("{sig}") != std::string::npos || body.find("{sig}") != std::string::npos) {
      const std::size_t q = target.find('?');
      const std::string query = q == std::string::npos ? std::string() : target.substr(q + 1);
      const std::string signature = sign(without_sig_param(query) + without_sig_param(body));
      target = replace_all(std::move(target), "{sig}", signature);
      body = replace_all(std::move(body), "{sig}", signature);
    }
    request.target = std::move(target);
    request.body = std::move(body);
    request.headers = std::move(headers_);
    headers_.clear();
    if (key == "key") request.headers.push_back({"X-MBX-APIKEY", std::string(kKey)});
    if (key == "lower") request.headers.push_back({"x-mbx-apikey", std::string(kKey)});
    if (key == "other") request.headers.push_back({"X-MBX-APIKEY", "other-key"});
    if (key == "bad") request.headers.push_back({"X-MBX-APIKEY", "not-a-key"});
    // Checked whenever the simulator answers: at once, or after a fault's delay.
    std::string path(request.path());
    net::serve(sim_, std::move(request), [path = std::move(path)](const auto& answer) {
      if (answer) check_http(path, *answer);
    });
  }

  net::LoopbackWebSocket& api(std::size_t n) {
    if (!apis_[n] || !apis_[n]->is_open()) {
      apis_[n] = net::LoopbackWebSocket::open(sim_, {"GET", "/ws-api/v3", {}, ""}, check_api_frame);
      if (!apis_[n]) violated("WS API upgrade refused", "/ws-api/v3");
    }
    return *apis_[n];
  }

  void subscribe(net::LoopbackWebSocket& connection, std::string_view recv_window) {
    const std::string ts = std::to_string(now_ms());
    std::string payload = "apiKey=" + std::string(kKey);
    if (!recv_window.empty()) payload += "&recvWindow=" + std::string(recv_window);
    payload += "&timestamp=" + ts;
    std::string message = R"({"id":"s","method":"userDataStream.subscribe.signature","params":{"apiKey":")" +
                          std::string(kKey) + "\",\"timestamp\":" + ts;
    if (!recv_window.empty()) message += ",\"recvWindow\":" + std::string(recv_window);
    message += ",\"signature\":\"" + sign(payload) + "\"}}";
    connection.receive(message);
  }

  void open_stream(std::size_t n, std::string_view target) {
    const net::HttpRequest upgrade{"GET", std::string(target), {}, ""};
    const bool is_api = upgrade.path() == "/ws-api/v3";
    auto c = net::LoopbackWebSocket::open(sim_, upgrade, is_api ? check_api_frame : check_market_frame);
    if (c) (is_api ? apis_[n] : streams_[n]) = std::move(c);
  }

  void advance_by(std::int64_t ms) {
    ms = std::min(ms, kMaxAdvanceMs - (now_ms() - kStartMs));
    if (ms > 0) scheduler_.advance_by(std::chrono::milliseconds(ms));
  }

  SimScheduler& scheduler_;
  es::ExchangeSimulator& sim_;
  std::vector<net::HttpHeader> headers_;
  std::array<std::shared_ptr<net::LoopbackWebSocket>, kConnections> apis_;
  std::array<std::shared_ptr<net::LoopbackWebSocket>, kConnections> streams_;
};

Quantity decimal_field(simdjson::dom::element e, const char* key, std::string_view state) {
  std::string_view text;
  if (e[key].get(text) != simdjson::SUCCESS) violated("state: missing decimal", state);
  auto q = Quantity::parse(text);
  if (!q) violated("state: decimal that does not parse", text);
  return *q;
}

void check_state(const std::string& state) {
  const simdjson::dom::element root = parse_json(state, "/sim/state that is not JSON");
  simdjson::dom::array accounts;
  if (root["accounts"].get(accounts) != simdjson::SUCCESS) violated("state: no accounts", state);
  for (const simdjson::dom::element account : accounts) {
    simdjson::dom::array balances;
    simdjson::dom::array open;
    if (account["balances"].get(balances) != simdjson::SUCCESS || account["openOrders"].get(open) != simdjson::SUCCESS) {
      violated("state: account without balances or openOrders", state);
    }
    for (const simdjson::dom::element b : balances) {
      const Quantity free = decimal_field(b, "free", state);
      const Quantity locked = decimal_field(b, "locked", state);
      const Quantity total = decimal_field(b, "total", state);
      if (free.is_negative() || locked.is_negative() || free + locked != total) {
        violated("state: a balance with free or locked < 0, or total != free + locked", state);
      }
    }
    for (const simdjson::dom::element o : open) {
      if (decimal_field(o, "executedQty", state) >= decimal_field(o, "origQty", state)) {
        violated("state: an open order that executed all of its quantity", state);
      }
    }
  }
}

// One synthetic market for every input (generating it is most of a simulator's start-up).
es::ExchangeSimConfig make_config() {
  es::ExchangeSimConfig config;
  auto tape = std::make_shared<colibri::data::EventTape>();
  colibri::data::SyntheticMarketConfig synth;
  synth.seconds = kMaxAdvanceMs / 1000 + 5;
  synth.emit_book_ticker = false;
  synth.warmup = std::chrono::seconds(10);
  if (auto generated = colibri::data::generate(synth, *tape); !generated) {
    violated("synthetic market", generated.error().message());
  }
  config.tape = std::move(tape);
  auto accounts = es::parse_accounts(R"(
accounts:
  - name: fuzz
    api_key: fuzz-key
    secret: fuzz-secret
    balances: {BTC: 2, USDT: 100000}
  - name: other
    api_key: other-key
    secret: other-secret
    balances: {BTC: 1, USDT: 1000}
    fees: {maker_percent: 0, taker_percent: 0.2}
)",
                                     "fuzz");
  if (!accounts) violated("accounts", accounts.error().message());
  config.accounts = std::move(*accounts);
  return config;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const es::ExchangeSimConfig config = make_config();
  SimScheduler scheduler(Timestamp::from_ms(kStartMs));
  auto created = es::ExchangeSimulator::create(scheduler, config);
  if (!created) violated("create", created.error().message());
  es::ExchangeSimulator& sim = **created;
  sim.start();
  Program program(scheduler, sim);
  program.run(std::string_view(reinterpret_cast<const char*>(data), size));
  check_state(sim.state_json());
  sim.stop();
  created->reset();
  // Timers the simulator left (replies held by faults) run against nothing: drop them unrun.
  return 0;
}
