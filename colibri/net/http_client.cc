// HttpClient and connect_websocket over Boost.Beast. One of the two Beast translation units.

#include "colibri/net/http_client.h"

#include <cerrno>
#include <charconv>
#include <deque>
#include <optional>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/http.hpp>
#include <sys/socket.h>

#include "colibri/net/beast_websocket.h"

namespace colibri::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using detail::kUse;

namespace {

std::chrono::steady_clock::duration steady(Duration d) {
  return std::chrono::duration_cast<std::chrono::steady_clock::duration>(d);
}

// A client TLS context that verifies the chain against `ca_file` (or the system store).
Result<std::shared_ptr<ssl::context>> client_context(const Endpoint& endpoint) {
  auto context = std::make_shared<ssl::context>(ssl::context::tls_client);
  beast::error_code ec;
  context->set_verify_mode(ssl::verify_peer, ec);
  if (!ec) {
    if (endpoint.ca_file.empty()) {
      context->set_default_verify_paths(ec);
    } else {
      context->load_verify_file(endpoint.ca_file, ec);
    }
  }
  if (ec) {
    return fail(ErrorCode::InvalidArgument, "TLS client: cannot load CA file '{}': {}", endpoint.ca_file,
                ec.message());
  }
  return context;
}

// Connects `stream`'s lowest layer to the endpoint within its connect timeout; "" on success.
asio::awaitable<std::string> connect_tcp(beast::tcp_stream& stream, const Endpoint& endpoint) {
  tcp::resolver resolver(stream.get_executor());
  auto [resolve_error, results] =
      co_await resolver.async_resolve(endpoint.host, std::to_string(endpoint.port), kUse);
  if (resolve_error) co_return "cannot resolve " + endpoint.host + ": " + resolve_error.message();
  stream.expires_after(steady(endpoint.connect_timeout));
  auto [connect_error, connected] = co_await stream.async_connect(results, kUse);
  if (connect_error) {
    co_return "cannot connect to " + endpoint.host + ":" + std::to_string(endpoint.port) + ": " +
        connect_error.message();
  }
  co_return std::string{};
}

// TLS handshake with SNI and host-name verification; "" on success.
asio::awaitable<std::string> handshake_tls(beast::ssl_stream<beast::tcp_stream>& stream,
                                           const Endpoint& endpoint) {
  beast::error_code ec;
  beast::error_code address_error;
  asio::ip::make_address(endpoint.host, address_error);
  if (address_error && !SSL_set_tlsext_host_name(stream.native_handle(), endpoint.host.c_str())) {
    co_return "TLS: cannot set SNI host name " + endpoint.host;
  }
  stream.set_verify_callback(ssl::host_name_verification(endpoint.host), ec);
  if (ec) co_return "TLS: " + ec.message();
  beast::get_lowest_layer(stream).expires_after(steady(endpoint.connect_timeout));
  auto [handshake_error] = co_await stream.async_handshake(ssl::stream_base::client, kUse);
  if (handshake_error) {
    co_return "TLS handshake with " + endpoint.host + ":" + std::to_string(endpoint.port) +
        " failed: " + handshake_error.message();
  }
  co_return std::string{};
}

// `request` as it goes on the wire, written into `out` (whose capacity is kept from one request to
// the next): what Beast's serializer wrote for it (request line, Host, User-Agent, the caller's
// headers, Content-Length when there is a body or the method is POST or PUT; HTTP/1.1 keeps the
// connection alive without a header), without building a Beast message: that copied every field
// and the body into fresh allocations and took a large share of the order path
// (docs/BENCHMARKS.md, "Depth frame to order request bytes").
void serialize(const HttpRequest& request, std::string_view host, std::string& out) {
  out.clear();
  out.append(request.method).append(" ").append(request.target).append(" HTTP/1.1\r\nHost: ").append(host);
  out.append("\r\nUser-Agent: colibri\r\n");
  for (const HttpHeader& h : request.headers) out.append(h.name).append(": ").append(h.value).append("\r\n");
  if (!request.body.empty() || request.method == "POST" || request.method == "PUT") {
    char digits[24];
    const auto [end, ec] = std::to_chars(digits, digits + sizeof digits, request.body.size());
    out.append("Content-Length: ").append(digits, end).append("\r\n");
  }
  out.append("\r\n").append(request.body);
}

HttpResponse to_plain(const http::response<http::string_body>& res) {
  HttpResponse out;
  out.status = static_cast<int>(res.result_int());
  for (const auto& field : res)
    out.headers.push_back({std::string(field.name_string()), std::string(field.value())});
  out.body = res.body();
  return out;
}

}  // namespace

// Invariants: (1) at most one worker coroutine runs (`running`); (2) exactly one of plain/tls is
// engaged while `connected`; (3) once `destroyed`, no callback runs; (4) while `exchanging`, the
// deadline timer is armed (`deadline_armed`) to fire at or before `deadline`.
struct HttpClient::State : std::enable_shared_from_this<HttpClient::State> {
  State(asio::io_context& io_context, Endpoint ep)
      : io(io_context),
        endpoint(std::move(ep)),
        host_header(endpoint.host + ":" + std::to_string(endpoint.port)),
        deadline_timer(io_context) {}
  asio::io_context& io;
  Endpoint endpoint;
  std::string host_header;  // "host:port"
  std::string wire;         // the request being written (serialize())
  // The bound of the exchange in progress (write + read): see start_deadline().
  asio::steady_timer deadline_timer;
  std::chrono::steady_clock::time_point deadline{};
  bool deadline_armed = false;
  bool exchanging = false;
  bool timed_out = false;  // the deadline passed: the socket was closed under the exchange
  std::shared_ptr<ssl::context> ssl;
  std::optional<beast::tcp_stream> plain;
  std::optional<beast::ssl_stream<beast::tcp_stream>> tls;
  bool connected = false;
  bool running = false;
  bool destroyed = false;
  std::deque<std::pair<HttpRequest, Callback>> queue;
  beast::flat_buffer buffer;
  ClientStats stats;

  // Closes the socket; pending operations complete with an error (the streams stay allocated).
  void close_socket() {
    beast::error_code ignored;
    if (plain) plain->socket().close(ignored);
    if (tls) beast::get_lowest_layer(*tls).socket().close(ignored);
  }
  // Whether a kept-alive connection still looks usable: the peer has neither closed it nor sent
  // anything unasked (a server closing an idle connection sends EOF, over TLS a close_notify first).
  // Checked before reusing it, so that a request is not written into a connection already closed,
  // which would make its outcome needlessly ambiguous.
  [[nodiscard]] bool still_open() {
    auto& socket = plain ? plain->socket() : beast::get_lowest_layer(*tls).socket();
    char byte = 0;
    const auto n = ::recv(socket.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
  }
  // Closes and frees the connection. Only while no operation is pending on it.
  void disconnect() {
    close_socket();
    plain.reset();
    tls.reset();
    connected = false;
    buffer.clear();
  }
};

namespace {

using ClientState = HttpClient::State;

asio::awaitable<std::string> connect(std::shared_ptr<ClientState> st) {
  st->disconnect();
  if (!st->endpoint.tls) {
    st->plain.emplace(st->io);
    std::string error = co_await connect_tcp(*st->plain, st->endpoint);
    if (!error.empty()) co_return error;
  } else {
    if (!st->ssl) {
      auto context = client_context(st->endpoint);
      if (!context) co_return context.error().message();
      st->ssl = std::move(*context);
    }
    st->tls.emplace(st->io, *st->ssl);
    std::string error = co_await connect_tcp(beast::get_lowest_layer(*st->tls), st->endpoint);
    if (error.empty()) error = co_await handshake_tls(*st->tls, st->endpoint);
    if (!error.empty()) co_return error;
  }
  st->connected = true;
  // The connect and handshake deadlines end here: exchanges are bounded by start_deadline().
  if (st->plain) st->plain->expires_never();
  if (st->tls) beast::get_lowest_layer(*st->tls).expires_never();
  ++st->stats.connections_opened;
  co_return std::string{};
}

void arm_deadline_timer(const std::shared_ptr<ClientState>& st) {
  st->deadline_armed = true;
  st->deadline_timer.expires_at(st->deadline);
  st->deadline_timer.async_wait([weak = std::weak_ptr<ClientState>(st)](beast::error_code ec) {
    auto st = weak.lock();
    if (!st) return;
    st->deadline_armed = false;
    if (ec || st->destroyed || !st->exchanging) return;
    if (std::chrono::steady_clock::now() < st->deadline) {
      arm_deadline_timer(st);  // armed for an earlier exchange: wait for what is left of this one
      return;
    }
    st->timed_out = true;
    st->close_socket();  // the pending write or read completes with an error
  });
}

// Bounds the exchange that starts now by request_timeout. One timer per client does it, armed only
// when none is pending: a new exchange just moves the deadline, and a timer that fires early re-arms
// for the time left. (Beast's per-operation timeouts armed a timer for every write and read, each
// time a system call, on the order path.)
void start_deadline(const std::shared_ptr<ClientState>& st) {
  st->deadline = std::chrono::steady_clock::now() + steady(st->endpoint.request_timeout);
  st->exchanging = true;
  st->timed_out = false;
  if (!st->deadline_armed) arm_deadline_timer(st);
}

template <class Stream>
asio::awaitable<Result<HttpResponse>> exchange(std::shared_ptr<ClientState> st, Stream& stream,
                                               const HttpRequest& request) {
  serialize(request, st->host_header, st->wire);
  start_deadline(st);
  ++st->stats.requests_sent;
  auto [write_error, written] = co_await asio::async_write(stream, asio::buffer(st->wire), kUse);
  if (write_error) {
    co_return fail(ErrorCode::Ambiguous, "{} {}: writing the request failed: {}", request.method,
                   request.path(), st->timed_out ? std::string("timed out") : write_error.message());
  }
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 << 20);
  auto [read_error, read] = co_await http::async_read(stream, st->buffer, parser, kUse);
  if (read_error) {
    co_return fail(ErrorCode::Ambiguous, "{} {}: no answer ({})", request.method, request.path(),
                   st->timed_out ? std::string("timed out") : read_error.message());
  }
  ++st->stats.responses;
  auto res = parser.release();
  if (!res.keep_alive()) st->disconnect();
  co_return to_plain(res);
}

asio::awaitable<void> work(std::shared_ptr<ClientState> st) {
  while (!st->destroyed && !st->queue.empty()) {
    auto [request, callback] = std::move(st->queue.front());
    st->queue.pop_front();
    if (st->connected && !st->still_open()) st->disconnect();
    if (!st->connected) {
      std::string error = co_await connect(st);
      if (st->destroyed) co_return;
      if (!error.empty()) {
        st->disconnect();
        callback(fail(ErrorCode::Disconnected, "{} {}: {}", request.method, request.path(), error));
        continue;
      }
    }
    // Not a conditional expression: g++ 12 miscompiles co_await inside ?: (double destruction).
    std::optional<Result<HttpResponse>> result;
    if (st->tls) {
      result.emplace(co_await exchange(st, *st->tls, request));
    } else {
      result.emplace(co_await exchange(st, *st->plain, request));
    }
    st->exchanging = false;
    if (st->destroyed) co_return;
    if (!*result) st->disconnect();
    callback(std::move(*result));
  }
  st->running = false;
}

}  // namespace

HttpClient::HttpClient(LiveScheduler& scheduler, Endpoint endpoint)
    : state_(std::make_shared<State>(*static_cast<asio::io_context*>(scheduler.native_io_context()),
                                     std::move(endpoint))) {}

HttpClient::~HttpClient() {
  state_->destroyed = true;
  state_->queue.clear();
  if (state_->running) {
    state_->close_socket();  // the worker wakes up, sees `destroyed` and lets the state go
  } else {
    state_->disconnect();
  }
}

void HttpClient::request(HttpRequest request, Callback callback) {
  state_->queue.emplace_back(std::move(request), std::move(callback));
  if (state_->running) return;
  state_->running = true;
  asio::co_spawn(state_->io, work(state_), asio::detached);
}

void HttpClient::close() {
  if (!state_->running) state_->disconnect();
}

const ClientStats& HttpClient::stats() const noexcept { return state_->stats; }

namespace {

using WsCallback = std::function<void(Result<std::shared_ptr<WebSocketConnection>>)>;

template <class Stream>
asio::awaitable<void> websocket_handshake(websocket::stream<Stream> ws, Endpoint endpoint, std::string target,
                                          std::shared_ptr<void> owner, WsCallback on_connected) {
  beast::get_lowest_layer(ws).expires_never();
  ws.set_option(detail::websocket_timeouts(endpoint.connect_timeout));
  auto [ec] = co_await ws.async_handshake(endpoint.host + ":" + std::to_string(endpoint.port), target, kUse);
  if (ec) {
    on_connected(fail(ErrorCode::Disconnected, "WebSocket {}: handshake failed: {}", target, ec.message()));
    co_return;
  }
  auto connection = std::make_shared<detail::BeastWebSocket<Stream>>(std::move(ws), std::move(owner));
  on_connected(std::shared_ptr<WebSocketConnection>(connection));
  connection->start_reading();
}

asio::awaitable<void> open_websocket(asio::io_context& io, Endpoint endpoint, std::string target,
                                     WsCallback on_connected) {
  beast::tcp_stream stream(io);
  std::string error = co_await connect_tcp(stream, endpoint);
  if (!error.empty()) {
    on_connected(fail(ErrorCode::Disconnected, "WebSocket {}: {}", target, error));
    co_return;
  }
  if (!endpoint.tls) {
    co_await websocket_handshake(websocket::stream<beast::tcp_stream>(std::move(stream)), std::move(endpoint),
                                 std::move(target), nullptr, std::move(on_connected));
    co_return;
  }
  auto context = client_context(endpoint);
  if (!context) {
    on_connected(fail(context.error()));
    co_return;
  }
  beast::ssl_stream<beast::tcp_stream> tls(std::move(stream), **context);
  error = co_await handshake_tls(tls, endpoint);
  if (!error.empty()) {
    on_connected(fail(ErrorCode::Disconnected, "WebSocket {}: {}", target, error));
    co_return;
  }
  co_await websocket_handshake(websocket::stream<beast::ssl_stream<beast::tcp_stream>>(std::move(tls)),
                               std::move(endpoint), std::move(target), std::move(*context),
                               std::move(on_connected));
}

}  // namespace

void connect_websocket(LiveScheduler& scheduler, const Endpoint& endpoint, std::string target,
                       std::function<void(Result<std::shared_ptr<WebSocketConnection>>)> on_connected) {
  auto& io = *static_cast<asio::io_context*>(scheduler.native_io_context());
  asio::co_spawn(io, open_websocket(io, endpoint, std::move(target), std::move(on_connected)),
                 asio::detached);
}

}  // namespace colibri::net
