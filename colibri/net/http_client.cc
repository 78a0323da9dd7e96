// HttpClient and connect_websocket over Boost.Beast. One of the two Beast translation units.

#include "colibri/net/http_client.h"

#include <charconv>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/http.hpp>

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
void serialize(const HttpRequestRef& request, std::string_view host, std::string& out) {
  using namespace std::string_view_literals;  // append(sv): no strlen per piece
  out.clear();
  out.append(request.method).append(" "sv).append(request.path);
  if (!request.query.empty()) out.append("?"sv).append(request.query);
  out.append(" HTTP/1.1\r\nHost: "sv).append(host);
  out.append("\r\nUser-Agent: colibri\r\n"sv);
  for (const HttpHeaderRef& h : request.headers) {
    out.append(h.name).append(": "sv).append(h.value).append("\r\n"sv);
  }
  if (!request.body.empty() || request.method == "POST" || request.method == "PUT") {
    char digits[24];
    const auto [end, ec] = std::to_chars(digits, digits + sizeof digits, request.body.size());
    out.append("Content-Length: "sv).append(digits, end).append("\r\n"sv);
  }
  out.append("\r\n"sv).append(request.body);
}

HttpResponse to_plain(const http::response<http::string_body>& res) {
  HttpResponse out;
  out.status = static_cast<int>(res.result_int());
  for (const auto& field : res)
    out.headers.push_back({std::string(field.name_string()), std::string(field.value())});
  out.body = res.body();
  return out;
}

// One connection: its stream (plain or TLS), and the buffer and parser of the answer being read.
// Every operation started on it holds a reference to it, so it lives until the last of them has
// completed, even after the client dropped it (closing the socket completes them at once).
struct Connection {
  std::optional<beast::tcp_stream> plain;
  std::optional<beast::ssl_stream<beast::tcp_stream>> tls;
  beast::flat_buffer buffer;
  std::optional<http::response_parser<http::string_body>> parser;

  // Pending operations complete with an error; the streams stay allocated.
  void close_socket() {
    beast::error_code ignored;
    if (plain) plain->socket().close(ignored);
    if (tls) beast::get_lowest_layer(*tls).socket().close(ignored);
  }
  // fn(stream) on whichever stream is engaged.
  template <class Fn>
  void with_stream(Fn&& fn) {
    if (tls) {
      fn(*tls);
    } else {
      fn(*plain);
    }
  }
};

// One queued request: its text as it goes on the wire, and who hears the answer.
struct Pending {
  std::string wire;
  HttpClient::Callback callback;
};

// The method and the path (without the query) of a serialised request, for error messages.
std::pair<std::string_view, std::string_view> request_line(std::string_view wire) {
  const std::size_t space = wire.find(' ');
  if (space == std::string_view::npos) return {wire, {}};
  const std::string_view rest = wire.substr(space + 1);
  return {wire.substr(0, space), rest.substr(0, rest.find_first_of("? "))};
}

}  // namespace

// The life of a request: send() serialises it into the queue; when the connection is open and no
// request is in flight, write_front() writes the oldest one at once (in_flight); the answer comes
// through the read kept pending on the connection (on_read), or an error through on_written() or
// on_read(); finish_front() hands the result to the callback and starts the next one. A closed
// connection is reopened by a coroutine (open_connection) when a request needs it.
//
// Why a read is always pending on an open connection: a kept-alive connection the server closes
// while idle (an EOF, over TLS a close_notify first) completes it, and the connection is dropped
// before the next request, which then opens a new one instead of being written into a closed
// connection (its outcome would be needlessly ambiguous). The check costs no system call when a
// request is written (it used to be a recv(MSG_PEEK) there); the read is started right after each
// answer, off the request path. A close that reaches the socket after an answer but before the loop
// has run again is still seen only when the request is written: that request is then Ambiguous, as
// a close arriving just after any check would make it.
//
// Invariants: (1) in_flight implies `connection` is open and not connecting, and `writing` holds
// queue[head]'s text; (2) a read is pending on `connection` whenever it is open and not connecting;
// (3) once `destroyed`, no callback runs; (4) while `in_flight`, the deadline timer is armed
// (`deadline_armed`) to fire at or before `deadline`; (5) queue[head, end) are the requests not
// yet answered, oldest first.
struct HttpClient::State : std::enable_shared_from_this<HttpClient::State> {
  State(asio::io_context& io_context, Endpoint ep)
      : io(io_context),
        endpoint(std::move(ep)),
        host_header(endpoint.host + ":" + std::to_string(endpoint.port)),
        deadline_timer(io_context) {}
  asio::io_context& io;
  Endpoint endpoint;
  std::string host_header;  // "host:port"
  std::shared_ptr<ssl::context> ssl;
  std::shared_ptr<Connection> connection;  // null: none
  bool connecting = false;                 // `connection` is being opened (open_connection)
  bool in_flight = false;                  // queue[head] is written (or being written)
  bool destroyed = false;
  std::vector<Pending> queue;  // a vector and an index, not a deque: no allocation per request
  std::size_t head = 0;
  std::string writing;                    // the text of the request in flight (swapped out of its Pending)
  std::vector<std::string> spare_wires;   // buffers of answered requests, for the next ones
  std::uint64_t exchange_serial = 0;      // the exchange a write completion belongs to
  // The bound of the exchange in progress (write + read): see start_deadline().
  asio::steady_timer deadline_timer;
  std::chrono::steady_clock::time_point deadline{};
  bool deadline_armed = false;
  bool timed_out = false;  // the deadline passed: the socket was closed under the exchange
  ClientStats stats;

  void enqueue(const HttpRequestRef& request, Callback callback) {
    Pending& pending = queue.emplace_back();
    if (!spare_wires.empty()) {
      pending.wire = std::move(spare_wires.back());
      spare_wires.pop_back();
    }
    serialize(request, host_header, pending.wire);
    pending.callback = std::move(callback);
    start_next();
  }

  // Writes the oldest queued request, opening a connection first when there is none.
  void start_next() {
    if (destroyed || in_flight || connecting || head == queue.size()) return;
    if (!connection) {
      connecting = true;
      connection = std::make_shared<Connection>();
      asio::co_spawn(io, open_connection(shared_from_this(), connection), asio::detached);
      return;
    }
    write_front();
  }

  void write_front() {
    in_flight = true;
    writing.swap(queue[head].wire);  // a stable buffer for the write, whatever the queue does
    start_deadline();
    ++stats.requests_sent;
    const std::uint64_t serial = ++exchange_serial;
    connection->with_stream([&](auto& stream) {
      asio::async_write(stream, asio::buffer(writing),
                        [self = shared_from_this(), c = connection, serial](beast::error_code ec, std::size_t) {
                          self->on_written(c, serial, ec);
                        });
    });
  }

  void on_written(const std::shared_ptr<Connection>& c, std::uint64_t serial, beast::error_code ec) {
    if (!ec || destroyed || c != connection || !in_flight || serial != exchange_serial) return;
    const auto [method, path] = request_line(writing);
    Result<HttpResponse> failed = fail(ErrorCode::Ambiguous, "{} {}: writing the request failed: {}", method,
                                       path, timed_out ? std::string("timed out") : ec.message());
    drop_connection();
    finish_front(std::move(failed));
  }

  // Reads the next answer on `c`: kept pending while the connection is idle (see the top).
  void start_read(const std::shared_ptr<Connection>& c) {
    c->parser.emplace();
    c->parser->body_limit(64 << 20);
    c->with_stream([&](auto& stream) {
      http::async_read(stream, c->buffer, *c->parser,
                       [self = shared_from_this(), c](beast::error_code ec, std::size_t) { self->on_read(c, ec); });
    });
  }

  void on_read(const std::shared_ptr<Connection>& c, beast::error_code ec) {
    if (destroyed || c != connection) return;
    if (!in_flight) {
      // Idle: the server closed the connection, or sent something nobody asked for.
      drop_connection();
      return;
    }
    if (ec) {
      const auto [method, path] = request_line(writing);
      Result<HttpResponse> failed = fail(ErrorCode::Ambiguous, "{} {}: no answer ({})", method, path,
                                         timed_out ? std::string("timed out") : ec.message());
      drop_connection();
      finish_front(std::move(failed));
      return;
    }
    ++stats.responses;
    auto res = c->parser->release();
    if (res.keep_alive()) {
      start_read(c);
    } else {
      drop_connection();
    }
    finish_front(to_plain(res));
  }

  // Ends the oldest request with `result`: its callback runs, then the next request starts.
  void finish_front(Result<HttpResponse> result) {
    in_flight = false;
    Pending& front = queue[head];
    Callback callback = std::move(front.callback);
    spare_wires.push_back(std::move(front.wire));  // after a write: the buffer `writing` had before
    if (++head == queue.size()) {
      queue.clear();  // keeps its capacity
      head = 0;
    }
    callback(std::move(result));
    if (!destroyed) start_next();  // the callback may have destroyed the client
  }

  // Closes the connection; its pending operations complete with errors and let it go.
  void drop_connection() {
    if (!connection) return;
    connection->close_socket();
    connection.reset();
  }

  static asio::awaitable<void> open_connection(std::shared_ptr<State> st, std::shared_ptr<Connection> c);
  void start_deadline();
};

namespace {

using ClientState = HttpClient::State;

// Connects and (TLS) handshakes `c`; "" on success.
asio::awaitable<std::string> connect(const std::shared_ptr<ClientState>& st, Connection& c) {
  if (!st->endpoint.tls) {
    c.plain.emplace(st->io);
    std::string error = co_await connect_tcp(*c.plain, st->endpoint);
    if (!error.empty()) co_return error;
  } else {
    if (!st->ssl) {
      auto context = client_context(st->endpoint);
      if (!context) co_return context.error().message();
      st->ssl = std::move(*context);
    }
    c.tls.emplace(st->io, *st->ssl);
    std::string error = co_await connect_tcp(beast::get_lowest_layer(*c.tls), st->endpoint);
    if (error.empty()) error = co_await handshake_tls(*c.tls, st->endpoint);
    if (!error.empty()) co_return error;
  }
  // The connect and handshake deadlines end here: exchanges are bounded by start_deadline().
  if (c.plain) c.plain->expires_never();
  if (c.tls) beast::get_lowest_layer(*c.tls).expires_never();
  co_return std::string{};
}

void arm_deadline_timer(const std::shared_ptr<ClientState>& st) {
  st->deadline_armed = true;
  st->deadline_timer.expires_at(st->deadline);
  st->deadline_timer.async_wait([weak = std::weak_ptr<ClientState>(st)](beast::error_code ec) {
    auto st = weak.lock();
    if (!st) return;
    st->deadline_armed = false;
    if (ec || st->destroyed || !st->in_flight) return;
    if (std::chrono::steady_clock::now() < st->deadline) {
      arm_deadline_timer(st);  // armed for an earlier exchange: wait for what is left of this one
      return;
    }
    st->timed_out = true;
    if (st->connection) st->connection->close_socket();  // the pending write or read completes with an error
  });
}

}  // namespace

asio::awaitable<void> HttpClient::State::open_connection(std::shared_ptr<State> st, std::shared_ptr<Connection> c) {
  std::string error = co_await connect(st, *c);
  if (st->destroyed || st->connection != c) {
    c->close_socket();
    co_return;
  }
  st->connecting = false;
  if (!error.empty()) {
    st->drop_connection();
    const auto [method, path] = request_line(st->queue[st->head].wire);
    st->finish_front(fail(ErrorCode::Disconnected, "{} {}: {}", method, path, error));
    co_return;
  }
  ++st->stats.connections_opened;
  st->start_read(c);
  st->start_next();
}

// Bounds the exchange that starts now by request_timeout. One timer per client does it, armed only
// when none is pending: a new exchange just moves the deadline, and a timer that fires early re-arms
// for the time left. (Beast's per-operation timeouts armed a timer for every write and read, each
// time a system call, on the order path.)
void HttpClient::State::start_deadline() {
  deadline = std::chrono::steady_clock::now() + steady(endpoint.request_timeout);
  timed_out = false;
  if (!deadline_armed) arm_deadline_timer(shared_from_this());
}

HttpClient::HttpClient(LiveScheduler& scheduler, Endpoint endpoint)
    : state_(std::make_shared<State>(*static_cast<asio::io_context*>(scheduler.native_io_context()),
                                     std::move(endpoint))) {}

HttpClient::~HttpClient() {
  state_->destroyed = true;
  state_->queue.clear();
  state_->head = 0;
  state_->drop_connection();  // pending operations wake up, see `destroyed` and let the state go
}

void HttpClient::send(const HttpRequestRef& request, Callback callback) {
  state_->enqueue(request, std::move(callback));
}

void HttpClient::request(const HttpRequest& request, Callback callback) {
  std::vector<HttpHeaderRef> headers;
  headers.reserve(request.headers.size());
  for (const HttpHeader& h : request.headers) headers.push_back({h.name, h.value});
  send({request.method, request.target, {}, headers, request.body}, std::move(callback));
}

void HttpClient::close() {
  if (!state_->in_flight && !state_->connecting) state_->drop_connection();
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
