// Depth frame handed to the Binance connector -> order request bytes handed to the socket write, for
// a strategy that requotes on every book change (DESIGN.md budget: p99 <= 5 us). The live product
// path of `colibri live`, on one LiveScheduler thread:
//
//   1. a recorded depthUpdate frame of the combined market stream (real Binance spot BTCUSDT from the
//      sample data, byte for byte as the WebSocket delivered it) enters
//      BinanceExchangeApi::handle_market_frame inside a task of the event loop, where the market
//      WebSocket's read handler hands frames over: MessageParser (simdjson), BookSync with Binance's
//      spot sequence policy, the OrderBook, ExchangeBase publishing OrderBookUpdated;
//   2. RequoteStrategy (below; a strategy::Strategy on the Clock, as PMM is) hears it and requotes: a
//      new limit buy 0.1 % under the mid (ExchangeBase: readiness, quantization to the rules, rule and
//      balance checks, client order id, OrderTracker, rate limiter), then a cancel of its previous
//      quote;
//   3. BinanceExchangeApi builds the place request (RequestBuilder, HMAC-SHA256 at the ServerClock's
//      signing time, the API-key header) and net::HttpClient serialises it and writes it on its
//      kept-alive order connection (through Beast's TLS stream when tls:1) to a real TCP socket on
//      127.0.0.1. The cancel is written after the place's answer (one request at a time per
//      connection), outside the interval.
//
// The measured interval ends when the place request's bytes are handed to the kernel: the first
// send()/sendmsg() on the connector's order socket after the frame, seen by the two functions of those
// names defined below, which note the time and call libc's (a probe, not a mock: the bytes are sent,
// and the venue reads them, checks their signature and answers). The system call itself is outside
// the budget's definition; BM_LoopbackSend measures what it costs on this machine.
//
// The venue (BenchVenue) is just enough of Binance spot for the connector to become ready and trade:
// REST on a socket this thread serves between short slices of the event loop (plain HTTP, or TLS
// through OpenSSL memory BIOs), and the two WebSockets on a net::HttpServer (the user-data subscription
// is answered; the market stream stays open and silent, frames are handed in as above). Orders rest
// until cancelled; nothing fills. After each frame the loop runs until the new quote is acknowledged
// and the old one cancelled, so every frame starts from the same state: one resting quote, an idle
// loop, a kept-alive order connection.
//
// Frames: the 6,493 depth diffs that follow the recording's REST snapshot (spot BTCUSDT 2024-08-08
// and -09, 651 s; median frame 839 bytes, 1 % of 12 KB or more). After the last one the benchmark
// injects a gap; the connector fetches a fresh snapshot over REST (the venue serves the recorded one
// with its update ids moved on) and the frames play again, ids moved on by the same amount: the
// product's own resync path, untimed. The first kWarmUpFrames frames are not timed.
//
// Arguments: tls (0: http://, 1: https:// as Binance is); busy (0: between slices the loop sleeps
// in epoll as a live bot does, and on a shared machine other processes take the core and its caches
// meanwhile; 1: the loop is polled without sleeping, LiveScheduler::poll).
//
// Counters (microseconds): p50, p99, p99.9, mean and max of frame -> bytes; book_* (frame -> the
// strategy hears OrderBookUpdated: parse, sync, book, event) and order_* (heard -> bytes: strategy,
// ExchangeBase, request building and signing, transport); allocs: heap allocations (operator new)
// per frame within the interval. COLIBRI_LATENCY_SAMPLES=FILE writes every sample as CSV (frame
// bytes, book ns, total ns). Without the sample data the benchmark is skipped.

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <arpa/inet.h>
#include <benchmark/benchmark.h>
#include <dlfcn.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <simdjson.h>
#include <sys/socket.h>
#include <unistd.h>

#include "colibri/connector/binance/binance_exchange_api.h"
#include "colibri/connector/binance/rate_limits.h"
#include "colibri/connector/exchange_base.h"
#include "colibri/connector/rate_limiter.h"
#include "colibri/core/clock.h"
#include "colibri/core/live_scheduler.h"
#include "colibri/core/log.h"
#include "colibri/core/test_allocations.h"
#include "colibri/data/line_reader.h"
#include "colibri/net/http/message.h"
#include "colibri/net/http_server.h"
#include "colibri/net/tls.h"
#include "colibri/strategy/strategy.h"
#include "colibri/testing/sample_data.h"
#include "colibri/venue/binance/message_parser.h"
#include "colibri/venue/binance/sequence_policy.h"
#include "colibri/venue/binance/signing.h"

namespace {

using SteadyTime = std::chrono::steady_clock::time_point;

// The first send()/sendmsg() on the watched socket after arm(): when, and how many heap allocations
// this thread had made by then. One thread: no atomics needed.
struct WriteProbe {
  int fd = -1;
  bool armed = false;
  SteadyTime at{};
  std::size_t allocations = 0;

  void arm(int watched) noexcept {
    fd = watched;
    armed = true;
    at = {};
  }
  void note(int written) noexcept {
    if (armed && written == fd) {
      at = std::chrono::steady_clock::now();
      allocations = colibri::testing::allocations_on_this_thread();
      armed = false;
    }
  }
};

WriteProbe write_probe;

template <typename Function>
Function libc_function(const char* name) {
  return reinterpret_cast<Function>(dlsym(RTLD_NEXT, name));
}

}  // namespace

// Asio writes a socket with send() (one buffer) or sendmsg() (several): these notice the write and
// call libc's. Only this executable's calls come here.
extern "C" ssize_t send(int fd, const void* data, size_t size, int flags) {
  static const auto libc_send = libc_function<ssize_t (*)(int, const void*, size_t, int)>("send");
  write_probe.note(fd);
  return libc_send(fd, data, size, flags);
}

extern "C" ssize_t sendmsg(int fd, const struct msghdr* message, int flags) {
  static const auto libc_sendmsg = libc_function<ssize_t (*)(int, const struct msghdr*, int)>("sendmsg");
  write_probe.note(fd);
  return libc_sendmsg(fd, message, flags);
}

namespace colibri {
namespace {

using namespace std::chrono_literals;

constexpr const char* kApiKey = "bench-key-0123456789";
constexpr const char* kApiSecret = "bench-secret-abcdefghijklmnopqrstuvwxyz0123456789";
const model::Symbol kSymbol = model::Symbol::truncating("BTCUSDT");
constexpr int kWarmUpFrames = 1'000;
constexpr std::int64_t kCycleIdStep = 1'000'000;  // > the recording's span of update ids (457,100)
constexpr Duration kSlice = std::chrono::microseconds(20);
constexpr auto kWaitLimit = 5s;

std::int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

double micros(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double, std::micro>(d).count();
}

// ---------------------------------------------------------------------------------------------
// The recorded market

// Where the digits of an integer member ("U":123) are in a frame.
struct NumberAt {
  std::size_t pos = 0;
  std::size_t len = 0;
  std::int64_t value = 0;
};

std::optional<NumberAt> find_number(std::string_view text, std::string_view key) {
  const std::string quoted = fmt::format("\"{}\":", key);
  const std::size_t at = text.find(quoted);
  if (at == std::string_view::npos) return std::nullopt;
  NumberAt n;
  n.pos = at + quoted.size();
  while (n.pos + n.len < text.size() && text[n.pos + n.len] >= '0' && text[n.pos + n.len] <= '9') {
    n.value = n.value * 10 + (text[n.pos + n.len] - '0');
    ++n.len;
  }
  if (n.len == 0) return std::nullopt;
  return n;
}

// `text` with the numbers at `numbers` (in increasing position) raised by `offset`.
std::string with_ids_moved(std::string_view text, std::initializer_list<NumberAt> numbers,
                           std::int64_t offset) {
  std::string out;
  out.reserve(text.size() + 8);
  std::size_t from = 0;
  for (const NumberAt& n : numbers) {
    out.append(text.substr(from, n.pos - from));
    out += std::to_string(n.value + offset);
    from = n.pos + n.len;
  }
  out.append(text.substr(from));
  return out;
}

struct RecordedFrame {
  std::string text;   // the combined-stream frame, as the WebSocket delivered it
  NumberAt first_id;  // "U"
  NumberAt last_id;   // "u"
};

// The recording's REST snapshot and the depth diffs that follow it (u > lastUpdateId), in arrival
// order (the 0809 file continues the 0808 book).
struct RecordedMarket {
  std::string snapshot;
  NumberAt snapshot_id;
  std::vector<RecordedFrame> frames;

  [[nodiscard]] std::string snapshot_for(int cycle) const {
    return with_ids_moved(snapshot, {snapshot_id}, cycle * kCycleIdStep);
  }
  [[nodiscard]] std::string frame_for(std::size_t i, int cycle) const {
    const RecordedFrame& f = frames[i];
    return with_ids_moved(f.text, {f.first_id, f.last_id}, cycle * kCycleIdStep);
  }
};

Result<RecordedMarket> load_market(const std::vector<std::filesystem::path>& files) {
  RecordedMarket market;
  std::vector<RecordedFrame> diffs;
  for (const auto& path : files) {
    auto reader = data::LineReader::open(path);
    if (!reader) return tl::unexpected(reader.error());
    std::string_view line;
    while (true) {
      auto more = reader->next_line(line);
      if (!more) return tl::unexpected(more.error());
      if (!*more) break;
      const std::size_t space = line.find(' ');
      if (space == std::string_view::npos) continue;
      const std::string_view json = line.substr(space + 1);
      if (market.snapshot.empty() && json.starts_with(R"({"lastUpdateId":)")) {
        market.snapshot = std::string(json);
        market.snapshot_id = *find_number(market.snapshot, "lastUpdateId");
      } else if (json.find(R"("e":"depthUpdate")") != std::string_view::npos) {
        RecordedFrame f;
        f.text = std::string(json);
        auto first = find_number(f.text, "U");
        auto last = find_number(f.text, "u");
        if (!first || !last || first->pos > last->pos) {
          return fail(ErrorCode::Corrupt, "{}:{}: a depth diff without U and u", path.string(),
                      reader->line_number());
        }
        f.first_id = *first;
        f.last_id = *last;
        diffs.push_back(std::move(f));
      }
    }
  }
  if (market.snapshot.empty()) return fail(ErrorCode::Corrupt, "no depth snapshot in the recording");
  for (RecordedFrame& f : diffs) {
    if (f.last_id.value > market.snapshot_id.value) market.frames.push_back(std::move(f));
  }
  if (market.frames.size() <= static_cast<std::size_t>(kWarmUpFrames)) {
    return fail(ErrorCode::Corrupt, "too few depth diffs after the snapshot ({})", market.frames.size());
  }
  return market;
}

// Loaded once per process; nullptr (and `why`) when the sample data is absent or unreadable.
const RecordedMarket* recorded_market(std::string& why) {
  static const auto loaded = []() -> Result<RecordedMarket> {
    std::vector<std::filesystem::path> files;
    for (const char* name : {"binance/spot/btcusdt_20240808.gz", "binance/spot/btcusdt_20240809.gz"}) {
      auto path = testing::sample_file(name);
      if (!path) {
        return fail(ErrorCode::NotFound,
                    "sample data not found: {} (set COLIBRI_SAMPLE_DATA to the shared/data folder)", name);
      }
      files.push_back(*path);
    }
    return load_market(files);
  }();
  if (!loaded) {
    why = loaded.error().describe();
    return nullptr;
  }
  return &*loaded;
}

// ---------------------------------------------------------------------------------------------
// The venue

std::string http_response(int status, std::string_view body) {
  return fmt::format("HTTP/1.1 {} {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{}",
                     status, status == 200 ? "OK" : "Bad Request", body.size(), body);
}

std::string binance_error(int code, std::string_view message) {
  return http_response(400, fmt::format(R"({{"code":{},"msg":"{}"}})", code, message));
}

// One complete request taken from the front of `in`; nullopt while incomplete.
std::optional<net::HttpRequest> take_request(std::string& in) {
  const std::size_t end = in.find("\r\n\r\n");
  if (end == std::string::npos) return std::nullopt;
  const std::string_view head(in.data(), end);
  std::size_t body_size = 0;
  net::HttpRequest request;
  std::size_t line_start = 0;
  for (bool first = true; line_start <= head.size(); first = false) {
    std::size_t line_end = head.find("\r\n", line_start);
    if (line_end == std::string_view::npos) line_end = head.size();
    const std::string_view line = head.substr(line_start, line_end - line_start);
    if (first) {
      const std::size_t a = line.find(' ');
      const std::size_t b = line.find(' ', a + 1);
      request.method = std::string(line.substr(0, a));
      request.target = std::string(line.substr(a + 1, b - a - 1));
    } else if (const std::size_t colon = line.find(':'); colon != std::string_view::npos) {
      std::string_view value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      request.headers.push_back({std::string(line.substr(0, colon)), std::string(value)});
    }
    line_start = line_end + 2;
  }
  if (const std::string* length = request.header("Content-Length")) body_size = std::stoul(*length);
  if (in.size() < end + 4 + body_size) return std::nullopt;
  request.body = in.substr(end + 4, body_size);
  in.erase(0, end + 4 + body_size);
  return request;
}

// Just enough of Binance spot for BinanceExchangeApi to become ready and trade (see the top of the
// file). REST connections are served by serve(), called between slices of the event loop; the
// WebSockets live on the loop through net::HttpServer.
class BenchVenue final : public net::ServerHandler {
 public:
  BenchVenue(LiveScheduler& scheduler, bool tls, const RecordedMarket& market)
      : scheduler_(scheduler), tls_(tls), market_(market), secret_(kApiSecret) {}

  ~BenchVenue() override {
    for (Connection& c : connections_) close_connection(c);
    if (listener_ >= 0) ::close(listener_);
    if (ssl_context_ != nullptr) SSL_CTX_free(ssl_context_);
  }

  BenchVenue(const BenchVenue&) = delete;
  BenchVenue& operator=(const BenchVenue&) = delete;

  Result<void> start(const std::filesystem::path& ca_file) {
    net::ServerOptions options;
    if (tls_) {
      auto certificates = net::make_local_certificates();
      if (!certificates) return tl::unexpected(certificates.error());
      if (auto written = net::write_text_file(ca_file, certificates->ca_certificate_pem); !written)
        return written;
      if (auto made = make_ssl_context(*certificates); !made) return made;
      options.tls = std::move(*certificates);
    }
    auto server = net::HttpServer::start(scheduler_, std::move(options), *this);
    if (!server) return tl::unexpected(server.error());
    server_ = std::move(*server);

    listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof address;
    if (listener_ < 0 || ::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::listen(listener_, 8) != 0 ||
        ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &size) != 0) {
      return fail(ErrorCode::Io, "venue: cannot listen on 127.0.0.1: {}", std::strerror(errno));
    }
    rest_port_ = ntohs(address.sin_port);
    return {};
  }

  void stop() {
    if (server_) server_->stop();
    sockets_.clear();
  }

  [[nodiscard]] net::Endpoint rest_endpoint(const std::filesystem::path& ca_file) const {
    return endpoint(rest_port_, ca_file);
  }
  [[nodiscard]] net::Endpoint ws_endpoint(const std::filesystem::path& ca_file) const {
    return endpoint(server_->port(), ca_file);
  }

  // Accepts, reads and answers whatever is there; never blocks. False after a broken connection
  // or request (see error()).
  bool serve() {
    accept_connections();
    for (Connection& c : connections_) {
      if (c.fd >= 0 && (!read_from(c) || !answer_requests(c) || !write_to(c))) return false;
    }
    return true;
  }

  // The next snapshot served is the recorded one with its update id moved on by `cycle` steps.
  void set_cycle(int cycle) { cycle_ = cycle; }

  // The venue's end of the connection that carried order requests; -1 before the first.
  [[nodiscard]] int order_connection() const {
    for (const Connection& c : connections_) {
      if (c.orders && c.fd >= 0) return c.fd;
    }
    return -1;
  }
  [[nodiscard]] std::uint16_t rest_port() const noexcept { return rest_port_; }
  [[nodiscard]] std::size_t resting_orders() const noexcept { return orders_.size(); }
  [[nodiscard]] const std::string& error() const noexcept { return error_; }

  // --- net::ServerHandler: the WebSockets
  void on_http(net::HttpRequest, net::HttpReply reply) override {
    reply.send({404, {}, R"({"code":-1000,"msg":"REST is served on the other port"})"});
  }
  bool accept_websocket(const net::HttpRequest&) override { return true; }
  void on_websocket_open(const net::HttpRequest& upgrade,
                         std::shared_ptr<net::WebSocketConnection> connection) override {
    net::WebSocketHandlers handlers{[](std::string_view) {}, [](const Error&) {}};
    if (upgrade.path().starts_with("/ws-api")) {
      // Every request is the user-data subscription: answered with subscription 0.
      std::weak_ptr<net::WebSocketConnection> weak = connection;
      handlers.on_message = [weak](std::string_view text) {
        const std::size_t at = text.find(R"("id":)");
        if (at == std::string_view::npos) return;
        std::string_view id = text.substr(at + 5);
        id = id.substr(0, id.find(','));
        if (auto c = weak.lock())
          c->send(fmt::format(R"({{"id":{},"status":200,"result":{{"subscriptionId":0}}}})", id));
      };
    }
    connection->set_handlers(std::move(handlers));
    sockets_.push_back(std::move(connection));
  }

 private:
  struct Connection {
    int fd = -1;
    SSL* ssl = nullptr;  // TLS through memory BIOs: bytes read go into its read BIO, its write BIO into `out`
    std::string in;      // request bytes (plaintext) not yet parsed
    std::string out;     // bytes not yet written to the socket
    bool orders = false;
  };
  struct RestingOrder {
    std::int64_t id = 0;
    std::string side, type, time_in_force, price, quantity;
  };

  [[nodiscard]] net::Endpoint endpoint(std::uint16_t port, const std::filesystem::path& ca_file) const {
    net::Endpoint e;
    e.port = port;
    e.tls = tls_;
    if (tls_) e.ca_file = ca_file.string();
    return e;
  }

  Result<void> make_ssl_context(const net::TlsCertificates& certificates) {
    ssl_context_ = SSL_CTX_new(TLS_server_method());
    BIO* cert_bio = BIO_new_mem_buf(certificates.server_certificate_pem.data(),
                                    static_cast<int>(certificates.server_certificate_pem.size()));
    X509* cert = PEM_read_bio_X509(cert_bio, nullptr, nullptr, nullptr);
    const std::string_view key_pem = certificates.server_private_key_pem.reveal();
    BIO* key_bio = BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size()));
    EVP_PKEY* key = PEM_read_bio_PrivateKey(key_bio, nullptr, nullptr, nullptr);
    const bool ok = ssl_context_ != nullptr && cert != nullptr && key != nullptr &&
                    SSL_CTX_use_certificate(ssl_context_, cert) == 1 &&
                    SSL_CTX_use_PrivateKey(ssl_context_, key) == 1;
    X509_free(cert);
    EVP_PKEY_free(key);
    BIO_free(cert_bio);
    BIO_free(key_bio);
    if (!ok) return fail(ErrorCode::Io, "venue: cannot make the TLS server context");
    return {};
  }

  void accept_connections() {
    while (true) {
      const int fd = ::accept4(listener_, nullptr, nullptr, SOCK_NONBLOCK);
      if (fd < 0) return;
      Connection c;
      c.fd = fd;
      if (tls_) {
        c.ssl = SSL_new(ssl_context_);
        SSL_set_bio(c.ssl, BIO_new(BIO_s_mem()), BIO_new(BIO_s_mem()));
        SSL_set_accept_state(c.ssl);
      }
      connections_.push_back(std::move(c));
    }
  }

  void close_connection(Connection& c) {
    if (c.ssl != nullptr) SSL_free(c.ssl);
    c.ssl = nullptr;
    if (c.fd >= 0) ::close(c.fd);
    c.fd = -1;
  }

  bool broken(Connection& c, std::string why) {
    error_ = std::move(why);
    close_connection(c);
    return false;
  }

  bool read_from(Connection& c) {
    char buffer[16384];
    while (true) {
      const ssize_t n = ::recv(c.fd, buffer, sizeof buffer, MSG_DONTWAIT);
      if (n == 0) {
        close_connection(c);  // the client closed it (it reconnects when it needs to)
        return true;
      }
      if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK) break;
        return broken(c, fmt::format("venue: read failed: {}", std::strerror(errno)));
      }
      if (c.ssl == nullptr) {
        c.in.append(buffer, static_cast<std::size_t>(n));
      } else {
        BIO_write(SSL_get_rbio(c.ssl), buffer, static_cast<int>(n));
      }
    }
    if (c.ssl != nullptr) {
      while (true) {
        const int n = SSL_read(c.ssl, buffer, sizeof buffer);
        if (n > 0) {
          c.in.append(buffer, static_cast<std::size_t>(n));
          continue;
        }
        const int why = SSL_get_error(c.ssl, n);
        if (why == SSL_ERROR_WANT_READ) break;
        if (why == SSL_ERROR_ZERO_RETURN) break;  // close_notify: the socket's end follows
        return broken(c, "venue: TLS read failed");
      }
      drain_tls(c);  // handshake messages
    }
    return true;
  }

  void drain_tls(Connection& c) {
    char buffer[16384];
    BIO* wbio = SSL_get_wbio(c.ssl);
    while (BIO_ctrl_pending(wbio) > 0) {
      const int n = BIO_read(wbio, buffer, sizeof buffer);
      if (n <= 0) break;
      c.out.append(buffer, static_cast<std::size_t>(n));
    }
  }

  bool write_to(Connection& c) {
    while (c.fd >= 0 && !c.out.empty()) {
      const ssize_t n = ::send(c.fd, c.out.data(), c.out.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
      if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK) return true;  // the rest on the next serve()
        return broken(c, fmt::format("venue: write failed: {}", std::strerror(errno)));
      }
      c.out.erase(0, static_cast<std::size_t>(n));
    }
    return true;
  }

  bool answer_requests(Connection& c) {
    while (c.fd >= 0) {
      std::optional<net::HttpRequest> request = take_request(c.in);
      if (!request) return true;
      std::string response = answer(*request, c);
      if (!error_.empty()) return broken(c, error_);
      if (c.ssl == nullptr) {
        c.out += response;
      } else {
        SSL_write(c.ssl, response.data(), static_cast<int>(response.size()));
        drain_tls(c);
      }
    }
    return true;
  }

  // The parameters of a request; for a signed one, only after its signature checks out.
  std::optional<std::map<std::string, std::string>> parameters(const net::HttpRequest& request,
                                                               bool is_signed) {
    const std::string_view text = request.method == "POST" ? std::string_view(request.body) : request.query();
    std::map<std::string, std::string> out;
    if (is_signed) {
      const std::size_t at = text.rfind("&signature=");
      const std::string* key = request.header("X-MBX-APIKEY");
      if (at == std::string_view::npos || key == nullptr || *key != kApiKey ||
          !venue::binance::verify_hmac_sha256(secret_, text.substr(0, at), text.substr(at + 11))) {
        error_ = fmt::format("venue: {} {}: bad signature or API key", request.method, request.path());
        return std::nullopt;
      }
    }
    net::for_each_param(text,
                        [&](std::string key, std::string value) { out[std::move(key)] = std::move(value); });
    return out;
  }

  std::string order_json(std::string_view client_id, const RestingOrder& o, std::string_view status) const {
    return fmt::format(
        R"({{"symbol":"BTCUSDT","orderId":{},"orderListId":-1,"clientOrderId":"{}","transactTime":{},"price":"{}",)"
        R"("origQty":"{}","executedQty":"0.00000000","cummulativeQuoteQty":"0.00000000","status":"{}",)"
        R"("timeInForce":"{}","type":"{}","side":"{}","workingTime":{},"selfTradePreventionMode":"NONE")",
        o.id, client_id, wall_ms(), o.price, o.quantity, status, o.time_in_force, o.type, o.side, wall_ms());
  }

  std::string answer(const net::HttpRequest& request, Connection& c) {
    const std::string_view path = request.path();
    if (path == "/api/v3/time") return http_response(200, fmt::format(R"({{"serverTime":{}}})", wall_ms()));
    if (path == "/api/v3/exchangeInfo") return http_response(200, exchange_info());
    if (path == "/api/v3/depth") return http_response(200, market_.snapshot_for(cycle_));
    const bool is_signed =
        path == "/api/v3/account" || path == "/api/v3/openOrders" || path == "/api/v3/order";
    if (!is_signed) return binance_error(-1100, "not served by the benchmark's venue");
    auto p = parameters(request, true);
    if (!p) return {};
    if (path == "/api/v3/account") {
      return http_response(200, R"({"balances":[{"asset":"BTC","free":"100.00000000","locked":"0.00000000"},)"
                                R"({"asset":"USDT","free":"10000000.00000000","locked":"0.00000000"}]})");
    }
    if (path == "/api/v3/openOrders") {
      std::string out = "[";
      for (const auto& [id, o] : orders_) out += (out.size() > 1 ? "," : "") + order_json(id, o, "NEW") + "}";
      return http_response(200, out + "]");
    }
    if (request.method == "POST") {
      c.orders = true;
      RestingOrder o{++next_order_id_,    (*p)["side"],  (*p)["type"],
                     (*p)["timeInForce"], (*p)["price"], (*p)["quantity"]};
      const std::string& id = (*p)["newClientOrderId"];
      std::string body = order_json(id, o, "NEW") + R"(,"fills":[]})";
      orders_.emplace(id, std::move(o));
      return http_response(200, body);
    }
    const std::string& id = (*p)["origClientOrderId"];
    const auto found = orders_.find(id);
    if (found == orders_.end()) return binance_error(-2011, "Unknown order sent.");
    if (request.method == "GET") return http_response(200, order_json(id, found->second, "NEW") + "}");
    c.orders = true;
    std::string body = order_json(id, found->second, "CANCELED");
    body += fmt::format(R"(,"origClientOrderId":"{}"}})", id);
    orders_.erase(found);
    return http_response(200, body);
  }

  static std::string exchange_info() {
    return fmt::format(
        R"({{"timezone":"UTC","serverTime":{},"rateLimits":[],"exchangeFilters":[],"symbols":[{{"symbol":"BTCUSDT",)"
        R"("status":"TRADING","baseAsset":"BTC","quoteAsset":"USDT","orderTypes":["LIMIT","LIMIT_MAKER","MARKET"],)"
        R"("filters":[{{"filterType":"PRICE_FILTER","minPrice":"0.01000000","maxPrice":"1000000.00000000",)"
        R"("tickSize":"0.01000000"}},{{"filterType":"LOT_SIZE","minQty":"0.00001000","maxQty":"9000.00000000",)"
        R"("stepSize":"0.00001000"}},{{"filterType":"NOTIONAL","minNotional":"5.00000000","applyMinToMarket":true,)"
        R"("maxNotional":"9000000.00000000","applyMaxToMarket":false,"avgPriceMins":5}}]}}]}})",
        wall_ms());
  }

  LiveScheduler& scheduler_;
  bool tls_;
  const RecordedMarket& market_;
  Secret secret_;
  std::unique_ptr<net::HttpServer> server_;
  std::vector<std::shared_ptr<net::WebSocketConnection>> sockets_;
  SSL_CTX* ssl_context_ = nullptr;
  int listener_ = -1;
  std::uint16_t rest_port_ = 0;
  std::vector<Connection> connections_;
  std::map<std::string, RestingOrder> orders_;  // resting, by client order id
  std::int64_t next_order_id_ = 0;
  int cycle_ = 0;
  std::string error_;
};

// This process's TCP socket connected from `local_port` to `peer_port` on 127.0.0.1; -1 if none.
int find_socket(std::uint16_t local_port, std::uint16_t peer_port) {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd", ec)) {
    const int fd = std::atoi(entry.path().filename().c_str());
    sockaddr_in local{};
    sockaddr_in peer{};
    socklen_t size = sizeof local;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &size) != 0 || local.sin_family != AF_INET)
      continue;
    size = sizeof peer;
    if (::getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &size) != 0) continue;
    if (ntohs(local.sin_port) == local_port && ntohs(peer.sin_port) == peer_port) return fd;
  }
  return -1;
}

// ---------------------------------------------------------------------------------------------
// The strategy

// Requotes on every book change: a limit buy 0.1 % under the mid, then a cancel of the previous
// quote. Stops quoting (cancels) while the book is out of sync.
class RequoteStrategy final : public strategy::Strategy {
 public:
  RequoteStrategy(strategy::StrategyContext context, model::Symbol symbol)
      : Strategy(std::move(context)), symbol_(symbol), connector_(*this->context().connectors.front()) {}

  // When the latest OrderBookUpdated was heard.
  [[nodiscard]] SteadyTime heard_at() const noexcept { return heard_at_; }
  // buy/cancel calls the connector refused.
  [[nodiscard]] std::uint64_t refused() const noexcept { return refused_; }
  // One quote resting (acknowledged) and no cancel outstanding.
  [[nodiscard]] bool settled() const {
    const model::InFlightOrder* quote = quote_ ? connector_.order(*quote_) : nullptr;
    return quote != nullptr && quote->state() == model::OrderState::Open && cancelling_ == 0;
  }

 protected:
  void on_tick(Timestamp) override {}

  void on_order_book_updated(connector::Connector& from, const connector::OrderBookUpdated&) override {
    heard_at_ = std::chrono::steady_clock::now();
    if (!from.ready()) return;
    const model::OrderBook* book = from.order_book(symbol_);
    const std::optional<Price> mid = book != nullptr ? book->mid_price() : std::nullopt;
    if (!mid) return;
    const auto price = Price::from_double(mid->to_double() * (1.0 - kSpread));
    if (!price) {
      ++refused_;
      return;
    }
    auto placed = from.buy(symbol_, kAmount, model::OrderType::Limit, *price);
    if (!placed) {
      ++refused_;
      return;
    }
    cancel_quote(from);
    quote_ = *placed;
  }

  void on_order_book_out_of_sync(connector::Connector& from, const connector::OrderBookOutOfSync&) override {
    cancel_quote(from);
  }

  void on_order_cancelled(connector::Connector&, const model::OrderCancelled&) override {
    if (cancelling_ > 0) --cancelling_;
  }

 private:
  static constexpr double kSpread = 0.001;
  inline static const Quantity kAmount = Quantity::parse("0.001").value();

  void cancel_quote(connector::Connector& from) {
    if (!quote_) return;
    if (from.cancel(symbol_, *quote_)) {
      ++cancelling_;
    } else {
      ++refused_;
    }
    quote_.reset();
  }

  model::Symbol symbol_;
  connector::Connector& connector_;
  std::optional<model::ClientOrderId> quote_;
  int cancelling_ = 0;
  SteadyTime heard_at_{};
  std::uint64_t refused_ = 0;
};

// ---------------------------------------------------------------------------------------------
// The bot and its venue

struct Sample {
  SteadyTime handed;   // the frame is handed to the connector
  SteadyTime heard;    // the strategy hears the book change
  SteadyTime written;  // the place request's bytes are handed to the socket
  std::size_t frame_bytes = 0;
  std::size_t allocations = 0;  // heap allocations between handed and written
};

// The spot preset's request kinds and pools with every limit raised a million times: the limiter
// runs its real code on every request and never holds one back.
connector::RateLimitConfig unthrottled_binance_limits() {
  connector::RateLimitConfig config = connector::binance_spot::rate_limits();
  for (connector::RatePool& pool : config.pools) pool.limit *= 1'000'000;
  return config;
}

class LiveLatencyBench {
 public:
  LiveLatencyBench(bool tls, bool busy, const RecordedMarket& market)
      : market_(market), busy_(busy), venue_(scheduler_, tls, market) {}

  ~LiveLatencyBench() {
    if (clock_) clock_->stop();
    clock_.reset();
    strategy_.reset();
    base_.reset();
    api_.reset();
    venue_.stop();
    scheduler_.run_for(1ms);  // lets the closed connections finish before the loop goes
  }

  LiveLatencyBench(const LiveLatencyBench&) = delete;
  LiveLatencyBench& operator=(const LiveLatencyBench&) = delete;

  // Starts the venue and the bot, waits until the strategy quotes, finds the order connection.
  Result<void> start() {
    if (auto started = venue_.start(temp_ / "ca.pem"); !started) return started;
    connector::binance::BinanceApiConfig api_config;
    api_config.rest = venue_.rest_endpoint(temp_ / "ca.pem");
    api_config.streams = venue_.ws_endpoint(temp_ / "ca.pem");
    api_config.ws_api = api_config.streams;
    api_config.api_key = Secret(kApiKey);
    api_config.api_secret = Secret(kApiSecret);
    api_ = std::make_unique<connector::binance::BinanceExchangeApi>(scheduler_, api_config);

    connector::ExchangeBaseConfig base_config;
    base_config.name = "binance";
    base_config.rate_limits = unthrottled_binance_limits();
    auto fees = model::FeeSchedule::create(model::Asset::truncating("BTC"), model::Asset::truncating("USDT"),
                                           *model::FeeRate::parse_percent("0.1"),
                                           *model::FeeRate::parse_percent("0.1"));
    if (!fees) return tl::unexpected(fees.error());
    base_ = std::make_unique<connector::ExchangeBase>(
        scheduler_, *api_, base_config,
        std::vector<connector::MarketSetup>{connector::MarketSetup{kSymbol, *fees, &policy_, std::nullopt}});
    strategy::StrategyContext context;
    context.name = "requote";
    context.connectors = {base_.get()};
    context.scheduler = &scheduler_;
    strategy_ = std::make_unique<RequoteStrategy>(context, kSymbol);
    clock_ = std::make_unique<Clock>(scheduler_, 1s);
    clock_->add_iterator(*base_);
    clock_->add_iterator(*strategy_);
    clock_->start();
    api_->connect();

    if (!drive([&] { return base_->ready(); }))
      return fail(ErrorCode::Disconnected, "the connector never became ready: {}", why());
    if (!step(nullptr)) return fail(ErrorCode::Disconnected, "the first requote failed: {}", why());
    const int venue_end = venue_.order_connection();
    sockaddr_in peer{};
    socklen_t size = sizeof peer;
    if (venue_end < 0 || ::getpeername(venue_end, reinterpret_cast<sockaddr*>(&peer), &size) != 0) {
      return fail(ErrorCode::Disconnected, "no order connection at the venue");
    }
    order_socket_ = find_socket(ntohs(peer.sin_port), venue_.rest_port());
    if (order_socket_ < 0) return fail(ErrorCode::Disconnected, "the connector's order socket was not found");
    return {};
  }

  // Hands the next frame to the connector and runs the loop until the new quote rests and the old
  // one is cancelled. With `sample`, records when the frame was handed over, heard and written.
  bool step(Sample* sample) {
    if (next_frame_ == market_.frames.size() && !resync()) return false;
    frame_ = market_.frame_for(next_frame_++, cycle_);
    handed_ = {};
    scheduler_.post([this] {
      write_probe.arm(order_socket_);
      allocations_ = testing::allocations_on_this_thread();
      handed_ = std::chrono::steady_clock::now();
      api_->handle_market_frame(frame_);
    });
    if (!drive([&] { return handed_ != SteadyTime{} && strategy_->settled(); })) {
      error_ = fmt::format("frame {} of cycle {} was not requoted: {}", next_frame_ - 1, cycle_, why());
      return false;
    }
    if (sample == nullptr) return true;
    if (write_probe.armed) {
      error_ = "the requote wrote nothing on the order connection (did it reconnect?)";
      return false;
    }
    *sample = Sample{handed_, strategy_->heard_at(), write_probe.at, frame_.size(),
                     write_probe.allocations - allocations_};
    return true;
  }

  [[nodiscard]] const std::string& error() const noexcept { return error_; }
  [[nodiscard]] const connector::binance::BinanceApiStats& api_stats() const { return api_->stats(); }

 private:
  // After the last frame: a gap, the connector fetches a new snapshot (the recorded one, ids moved
  // on) and the frames play again with their ids moved on as much.
  bool resync() {
    const std::int64_t last = market_.frames.back().last_id.value + cycle_ * kCycleIdStep;
    ++cycle_;
    next_frame_ = 0;
    venue_.set_cycle(cycle_);
    frame_ = fmt::format(
        R"({{"stream":"btcusdt@depth@100ms","data":{{"e":"depthUpdate","E":{},"s":"BTCUSDT","U":{},"u":{},"b":[],"a":[]}}}})",
        wall_ms(), last + 2, last + 2);
    const std::uint64_t snapshots = api_->stats().snapshots;
    scheduler_.post([this] { api_->handle_market_frame(frame_); });
    if (!drive(
            [&] { return api_->stats().snapshots > snapshots && base_->ready() && strategy_->settled(); })) {
      error_ = fmt::format("no resync before cycle {}: {}", cycle_, why());
      return false;
    }
    return true;
  }

  // Runs the loop in short slices, serving the venue between them, until done() or kWaitLimit.
  template <typename Done>
  bool drive(Done done) {
    const SteadyTime deadline = std::chrono::steady_clock::now() + kWaitLimit;
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      if (busy_) {
        scheduler_.poll();
      } else {
        scheduler_.run_for(kSlice);
      }
      if (!venue_.serve()) return false;
    }
    return true;
  }

  std::string why() const {
    if (!venue_.error().empty()) return venue_.error();
    return fmt::format("ready {}, refused {}, bad messages {}", base_ && base_->ready(),
                       strategy_ ? strategy_->refused() : 0, api_ ? api_->stats().bad_messages : 0);
  }

  const RecordedMarket& market_;
  bool busy_;  // poll the loop without sleeping between frames (else slices of kSlice, as live sleeps)
  testing::TempDir temp_;
  LiveScheduler scheduler_;
  BenchVenue venue_;
  venue::binance::SpotSequencePolicy policy_;
  std::unique_ptr<connector::binance::BinanceExchangeApi> api_;
  std::unique_ptr<connector::ExchangeBase> base_;
  std::unique_ptr<RequoteStrategy> strategy_;
  std::unique_ptr<Clock> clock_;
  int order_socket_ = -1;
  std::size_t next_frame_ = 0;
  std::string frame_;            // the frame being handed over (a task of the loop reads it)
  SteadyTime handed_{};          // when it was
  std::size_t allocations_ = 0;  // allocations this thread had made then
  int cycle_ = 0;
  std::string error_;
};

// ---------------------------------------------------------------------------------------------
// Reporting

// The q-quantile (nearest rank) of `values`, sorted in place.
double quantile(std::vector<double>& values, double q) {
  std::sort(values.begin(), values.end());
  const auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(values.size())));
  return values[std::clamp<std::size_t>(rank, 1, values.size()) - 1];
}

void set_latency_counters(benchmark::State& state, const std::string& prefix, std::vector<double> values) {
  double sum = 0;
  for (double v : values) sum += v;
  state.counters[prefix + "p50_us"] = quantile(values, 0.50);
  state.counters[prefix + "p99_us"] = quantile(values, 0.99);
  if (!prefix.empty()) return;
  state.counters["p99.9_us"] = quantile(values, 0.999);
  state.counters["mean_us"] = sum / static_cast<double>(values.size());
  state.counters["max_us"] = values.back();
}

// The counters, from one pass over the samples; with COLIBRI_LATENCY_SAMPLES=FILE each sample is
// also written to FILE as CSV in that pass.
void report(benchmark::State& state, const std::vector<Sample>& samples) {
  if (samples.empty()) return;
  std::ofstream csv;
  if (const char* path = std::getenv("COLIBRI_LATENCY_SAMPLES"); path != nullptr && *path != '\0') {
    csv.open(path);
    csv << "frame_bytes,book_ns,total_ns\n";
  }
  std::vector<double> total;
  std::vector<double> book;
  std::vector<double> order;
  double allocations = 0;
  for (const Sample& s : samples) {
    const auto book_interval = s.heard - s.handed;
    const auto total_interval = s.written - s.handed;
    total.push_back(micros(total_interval));
    book.push_back(micros(book_interval));
    order.push_back(micros(s.written - s.heard));
    allocations += static_cast<double>(s.allocations);
    if (csv.is_open()) {
      csv << s.frame_bytes << ',' << std::chrono::nanoseconds(book_interval).count() << ','
          << std::chrono::nanoseconds(total_interval).count() << '\n';
    }
  }
  state.counters["allocs"] = allocations / static_cast<double>(samples.size());
  set_latency_counters(state, "", std::move(total));
  set_latency_counters(state, "book_", std::move(book));
  set_latency_counters(state, "order_", std::move(order));
}

// ---------------------------------------------------------------------------------------------
// Benchmarks

// One iteration per frame; manual time: the frame -> bytes latency of that frame.
void BM_DepthFrameToOrderBytes(benchmark::State& state) {
  logging::set_level(LogLevel::Warn);
  std::string why;
  const RecordedMarket* market = recorded_market(why);
  if (market == nullptr) {
    state.SkipWithError(why.c_str());
    return;
  }
  LiveLatencyBench bench(state.range(0) != 0, state.range(1) != 0, *market);
  if (auto started = bench.start(); !started) {
    state.SkipWithError(started.error().describe().c_str());
    return;
  }
  for (int i = 0; i < kWarmUpFrames; ++i) {
    if (!bench.step(nullptr)) {
      state.SkipWithError(bench.error().c_str());
      return;
    }
  }
  std::vector<Sample> samples;
  samples.reserve(static_cast<std::size_t>(state.max_iterations));
  for (auto _ : state) {
    Sample sample;
    if (!bench.step(&sample)) {
      state.SkipWithError(bench.error().c_str());
      break;
    }
    state.SetIterationTime(std::chrono::duration<double>(sample.written - sample.handed).count());
    samples.push_back(sample);
  }
  report(state, samples);
  state.counters["resyncs"] = static_cast<double>(bench.api_stats().book_resyncs);
}
BENCHMARK(BM_DepthFrameToOrderBytes)
    ->ArgNames({"tls", "busy"})
    ->ArgsProduct({{0, 1}, {0, 1}})
    ->Iterations(20'000)
    ->UseManualTime()
    ->Unit(benchmark::kMicrosecond);

// The lower bound of the frame -> bytes interval: parsing the frame and nothing else, for the frame
// at a rank of the recording's frame sizes (the size percentile `rank`: 50 is the median frame,
// 99 the frame 99 % of frames are no larger than, 100 the largest). `reader` 0: simdjson On-Demand
// alone (as built here: its kernel is chosen at compile time, by -march), reading every value of
// the diff (U, u, E and each level's price and quantity as string views: less work than the
// product's parser, which also converts and checks them); 1: venue::binance::MessageParser::parse
// as the connector calls it (one-pass reader, simdjson walk as its fallback); 2: simdjson's DOM
// parser with the kernel it picks at run time, reading the same values. Use the CPU column on a
// shared machine. Counters: frame_bytes.
const RecordedFrame* frame_at_rank(const RecordedMarket& market, int rank) {
  std::vector<const RecordedFrame*> by_size;
  for (const RecordedFrame& f : market.frames) by_size.push_back(&f);
  std::sort(by_size.begin(), by_size.end(),
            [](const RecordedFrame* a, const RecordedFrame* b) { return a->text.size() < b->text.size(); });
  const auto at = static_cast<std::size_t>(std::ceil(rank / 100.0 * static_cast<double>(by_size.size())));
  return by_size[std::clamp<std::size_t>(at, 1, by_size.size()) - 1];
}

// Every value of a depthUpdate frame (combined-stream envelope) with simdjson On-Demand; the number
// of levels read, or -1 when the frame is not one.
std::int64_t simdjson_read_diff(simdjson::ondemand::parser& parser, const simdjson::padded_string& frame) {
  simdjson::ondemand::document doc;
  if (parser.iterate(frame).get(doc)) return -1;
  simdjson::ondemand::object data;
  if (doc["data"].get_object().get(data)) return -1;
  std::int64_t levels = 0;
  std::uint64_t checksum = 0;
  for (auto field : data) {
    std::string_view key;
    if (field.unescaped_key().get(key)) return -1;
    if (key == "b" || key == "a") {
      simdjson::ondemand::array side;
      if (field.value().get_array().get(side)) return -1;
      for (auto level : side) {
        simdjson::ondemand::array pair;
        if (level.get_array().get(pair)) return -1;
        for (auto text : pair) {
          std::string_view v;
          if (text.get_string().get(v)) return -1;
          checksum += v.size();
        }
        ++levels;
      }
    } else if (key == "U" || key == "u" || key == "E") {
      std::uint64_t n = 0;
      if (field.value().get_uint64().get(n)) return -1;
      checksum += n;
    }  // other members ("e", "s") are skipped by the iterator
  }
  benchmark::DoNotOptimize(checksum);
  return levels;
}

// The same with simdjson's DOM parser, which picks its kernel at run time (haswell: AVX2, where the
// CPU has it): the whole frame is parsed into a tape, then the same values are read from it.
std::int64_t simdjson_dom_read_diff(simdjson::dom::parser& parser, const simdjson::padded_string& frame) {
  simdjson::dom::element doc;
  if (parser.parse(frame).get(doc)) return -1;
  simdjson::dom::object data;
  if (doc["data"].get_object().get(data)) return -1;
  std::int64_t levels = 0;
  std::uint64_t checksum = 0;
  for (const char* side_key : {"b", "a"}) {
    simdjson::dom::array side;
    if (data[side_key].get_array().get(side)) return -1;
    for (simdjson::dom::element level : side) {
      for (simdjson::dom::element text : level) {
        std::string_view v;
        if (text.get_string().get(v)) return -1;
        checksum += v.size();
      }
      ++levels;
    }
  }
  for (const char* id_key : {"U", "u", "E"}) {
    std::uint64_t n = 0;
    if (data[id_key].get_uint64().get(n)) return -1;
    checksum += n;
  }
  benchmark::DoNotOptimize(checksum);
  return levels;
}

void BM_ParseFrameOnly(benchmark::State& state) {
  std::string why;
  const RecordedMarket* market = recorded_market(why);
  if (market == nullptr) {
    state.SkipWithError(why.c_str());
    return;
  }
  const RecordedFrame& frame = *frame_at_rank(*market, static_cast<int>(state.range(1)));
  // `read` parses the frame once and returns false when it could not.
  const auto time_reads = [&](const std::string& label, auto read) {
    if (!read()) {
      state.SkipWithError((label + " could not read the frame").c_str());
      return;
    }
    for (auto _ : state) benchmark::DoNotOptimize(read());
    state.SetLabel(label);
  };
  const simdjson::padded_string padded(frame.text);
  if (state.range(0) == 0) {
    simdjson::ondemand::parser parser;
    // On-Demand runs the kernel chosen at compile time (by -march), compiled into this file: named
    // by the macro (the library's builtin_implementation() is the library's own build).
    time_reads(std::string("simdjson On-Demand, ") + SIMDJSON_STRINGIFY(SIMDJSON_BUILTIN_IMPLEMENTATION),
               [&] { return simdjson_read_diff(parser, padded) >= 0; });
  } else if (state.range(0) == 2) {
    simdjson::dom::parser parser;
    time_reads(std::string("simdjson DOM, ") + simdjson::get_active_implementation()->name(),
               [&] { return simdjson_dom_read_diff(parser, padded) >= 0; });
  } else {
    venue::binance::MessageParser parser;
    const Timestamp now = Timestamp::from_ns(1);
    time_reads("MessageParser", [&] { return parser.parse(frame.text, now).has_value(); });
    if (parser.last_read_one_pass()) state.SetLabel("MessageParser (one pass)");
  }
  state.counters["frame_bytes"] = static_cast<double>(frame.text.size());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(frame.text.size()));
}
BENCHMARK(BM_ParseFrameOnly)
    ->ArgNames({"reader", "rank"})
    ->ArgsProduct({{0, 1, 2}, {50, 99, 100}})
    ->Unit(benchmark::kMicrosecond);

// What the system call after the measured interval costs here: send() of a place request's size
// (kRequestBytes) on a kept-alive loopback TCP connection, the other end reading it after each.
void BM_LoopbackSend(benchmark::State& state) {
  constexpr std::size_t kRequestBytes = 480;
  const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof address;
  ::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address);
  ::listen(listener, 1);
  ::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &size);
  const int client = ::socket(AF_INET, SOCK_STREAM, 0);
  if (::connect(client, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    state.SkipWithError("cannot connect on 127.0.0.1");
    return;
  }
  const int server = ::accept(listener, nullptr, nullptr);
  const std::string request(kRequestBytes, 'x');
  char buffer[4096];
  std::vector<double> times;
  times.reserve(static_cast<std::size_t>(state.max_iterations));
  for (auto _ : state) {
    const SteadyTime start = std::chrono::steady_clock::now();
    const ssize_t sent = ::send(client, request.data(), request.size(), MSG_NOSIGNAL);
    const SteadyTime end = std::chrono::steady_clock::now();
    state.SetIterationTime(std::chrono::duration<double>(end - start).count());
    times.push_back(micros(end - start));
    for (ssize_t got = 0; sent > 0 && got < sent;) {
      const ssize_t n = ::recv(server, buffer, sizeof buffer, 0);
      if (n <= 0) break;
      got += n;
    }
  }
  state.counters["p50_us"] = quantile(times, 0.50);
  state.counters["p99_us"] = quantile(times, 0.99);
  ::close(server);
  ::close(client);
  ::close(listener);
}
BENCHMARK(BM_LoopbackSend)->Iterations(20'000)->UseManualTime()->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace colibri

BENCHMARK_MAIN();
