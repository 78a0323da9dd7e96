// HttpServer over Boost.Beast: one coroutine accepts, one coroutine per connection serves requests
// in turn, then hands a WebSocket upgrade to BeastWebSocket. One of the two Beast translation units.

#include "colibri/net/http_server.h"

#include <limits>
#include <unordered_map>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
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

// One request's answer slot. The connection's coroutine waits on `signal` until it is done: the
// handler answered or dropped the reply, or the connection ended (close()).
struct HttpReplyState final : ReplySink {
  explicit HttpReplyState(const asio::any_io_executor& executor) : signal(executor) {}
  asio::steady_timer signal;
  std::optional<HttpResponse> response;
  bool done = false;
  void finish(std::optional<HttpResponse> answer) override {
    if (done) return;  // the connection ended first: the answer has nowhere to go
    response = std::move(answer);
    close();
  }
  void close() {
    done = true;
    signal.cancel();
  }
};

// Invariants: (1) `closers` holds one entry per live connection or WebSocket, removed when it ends;
// (2) once `stopped`, no handler is called.
struct HttpServer::State : std::enable_shared_from_this<HttpServer::State> {
  State(asio::io_context& io_context, ServerOptions opts, ServerHandler& h)
      : io(io_context), handler(&h), options(std::move(opts)), acceptor(io_context) {}
  asio::io_context& io;
  ServerHandler* handler;
  ServerOptions options;
  std::optional<ssl::context> ssl;
  tcp::acceptor acceptor;
  ServerStats stats;
  std::uint16_t port = 0;
  bool stopped = false;
  std::uint64_t next_id = 1;
  std::unordered_map<std::uint64_t, std::function<void()>> closers;
};

namespace {

using State = HttpServer::State;

HttpRequest to_plain(const http::request<http::string_body>& req) {
  HttpRequest out;
  out.method = std::string(req.method_string());
  out.target = std::string(req.target());
  for (const auto& field : req)
    out.headers.push_back({std::string(field.name_string()), std::string(field.value())});
  out.body = req.body();
  return out;
}

http::response<http::string_body> to_beast(const HttpResponse& response, unsigned version, bool keep_alive) {
  http::response<http::string_body> res{static_cast<http::status>(response.status), version};
  res.set(http::field::server, "colibri");
  for (const HttpHeader& h : response.headers) res.insert(h.name, h.value);
  if (response.header("Content-Type") == nullptr) res.set(http::field::content_type, "application/json");
  res.body() = response.body;
  res.keep_alive(keep_alive);
  res.prepare_payload();
  return res;
}

template <class Stream>
constexpr bool kIsTls = !std::is_same_v<Stream, beast::tcp_stream>;

// Removes a closer when its scope ends.
struct CloserGuard {
  State* state;
  std::uint64_t id;
  ~CloserGuard() { release(); }
  void release() {
    if (state != nullptr) state->closers.erase(id);
    state = nullptr;
  }
};

template <class Stream>
asio::awaitable<void> open_websocket(std::shared_ptr<State> st, Stream stream,
                                     http::request<http::string_body> req, HttpRequest request) {
  beast::get_lowest_layer(stream).expires_never();
  websocket::stream<Stream> ws(std::move(stream));
  ws.set_option(detail::websocket_timeouts(st->options.handshake_timeout));
  ws.set_option(websocket::stream_base::decorator(
      [](websocket::response_type& res) { res.set(http::field::server, "colibri"); }));
  auto [ec] = co_await ws.async_accept(req, kUse);
  if (ec || st->stopped) co_return;
  ++st->stats.websockets;
  auto connection = std::make_shared<detail::BeastWebSocket<Stream>>(std::move(ws), nullptr);
  const std::uint64_t id = st->next_id++;
  std::weak_ptr<detail::BeastWebSocket<Stream>> weak = connection;
  st->closers.emplace(id, [weak] {
    if (auto c = weak.lock()) c->shut_down_silently();
  });
  std::weak_ptr<State> weak_state = st;
  connection->set_on_finished([weak_state, id] {
    if (auto s = weak_state.lock()) s->closers.erase(id);
  });
  st->handler->on_websocket_open(request, connection);
  connection->start_reading();
}

template <class Stream>
asio::awaitable<void> serve_http(std::shared_ptr<State> st, Stream stream) {
  std::shared_ptr<HttpReplyState> pending;
  const std::uint64_t id = st->next_id++;
  st->closers.emplace(id, [&stream, &pending] {
    beast::error_code ignored;
    beast::get_lowest_layer(stream).socket().close(ignored);
    if (pending) pending->close();
  });
  CloserGuard guard{st.get(), id};
  beast::flat_buffer buffer;
  bool graceful = true;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(st->options.max_body_bytes);
    beast::get_lowest_layer(stream).expires_after(st->options.request_timeout);
    auto [read_error, read_bytes] = co_await http::async_read(stream, buffer, parser, kUse);
    if (read_error || st->stopped) {
      graceful = !st->stopped && read_error == http::error::end_of_stream;
      break;
    }
    http::request<http::string_body> req = parser.release();
    ++st->stats.requests;
    HttpRequest request = to_plain(req);
    if (websocket::is_upgrade(req)) {
      if (st->handler->accept_websocket(request)) {
        guard.release();
        co_await open_websocket(st, std::move(stream), std::move(req), std::move(request));
        co_return;
      }
      HttpResponse not_found{404, {}, R"({"code":-1,"msg":"No such stream."})"};
      auto res = to_beast(not_found, req.version(), false);
      beast::get_lowest_layer(stream).expires_after(st->options.request_timeout);
      co_await http::async_write(stream, res, kUse);
      break;
    }
    pending = std::make_shared<HttpReplyState>(stream.get_executor());
    const unsigned version = req.version();
    const bool keep_alive = req.keep_alive();
    st->handler->on_http(std::move(request), HttpReply(pending));
    if (!pending->done) {
      pending->signal.expires_at(asio::steady_timer::time_point::max());
      co_await pending->signal.async_wait(kUse);
    }
    std::optional<HttpResponse> response = std::move(pending->response);
    pending.reset();
    if (st->stopped || !response) {
      graceful = false;  // dropped: end the connection without an answer
      break;
    }
    auto res = to_beast(*response, version, keep_alive);
    beast::get_lowest_layer(stream).expires_after(st->options.request_timeout);
    auto [write_error, written] = co_await http::async_write(stream, res, kUse);
    if (write_error || st->stopped) {
      graceful = false;
      break;
    }
    if (!res.keep_alive()) break;
  }
  guard.release();
  beast::error_code ignored;
  if (graceful && !st->stopped) {
    if constexpr (kIsTls<Stream>) {
      // Asynchronous and bounded: a synchronous TLS shutdown here would block the loop.
      beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(2));
      co_await stream.async_shutdown(kUse);
    } else {
      stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    }
  }
  beast::get_lowest_layer(stream).socket().close(ignored);
}

asio::awaitable<void> serve_connection(std::shared_ptr<State> st, tcp::socket socket) {
  beast::tcp_stream stream(std::move(socket));
  if (!st->ssl) {
    co_await serve_http(st, std::move(stream));
    co_return;
  }
  beast::ssl_stream<beast::tcp_stream> tls(std::move(stream), *st->ssl);
  beast::get_lowest_layer(tls).expires_after(st->options.handshake_timeout);
  auto [ec] = co_await tls.async_handshake(ssl::stream_base::server, kUse);
  if (ec || st->stopped) {
    ++st->stats.tls_handshake_failures;
    co_return;
  }
  co_await serve_http(st, std::move(tls));
}

asio::awaitable<void> accept_loop(std::shared_ptr<State> st) {
  for (;;) {
    auto [ec, socket] = co_await st->acceptor.async_accept(kUse);
    if (st->stopped) co_return;
    if (ec) {
      if (ec == asio::error::operation_aborted) co_return;
      continue;  // e.g. too many open files: keep serving the others
    }
    ++st->stats.connections;
    asio::co_spawn(st->io, serve_connection(st, std::move(socket)), asio::detached);
  }
}

}  // namespace

Result<std::unique_ptr<HttpServer>> HttpServer::start(LiveScheduler& scheduler, ServerOptions options,
                                                      ServerHandler& handler) {
  auto& io = *static_cast<asio::io_context*>(scheduler.native_io_context());
  auto st = std::make_shared<State>(io, std::move(options), handler);
  const ServerOptions& o = st->options;
  if (o.tls) {
    st->ssl.emplace(ssl::context::tls_server);
    st->ssl->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                         ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    beast::error_code ec;
    st->ssl->use_certificate_chain(asio::buffer(o.tls->server_certificate_pem), ec);
    if (!ec) {
      const std::string& key = o.tls->server_private_key_pem.reveal();
      st->ssl->use_private_key(asio::buffer(key), ssl::context::pem, ec);
    }
    if (ec) return fail(ErrorCode::InvalidArgument, "HTTPS server: bad certificate or key: {}", ec.message());
  }
  beast::error_code ec;
  const auto address = asio::ip::make_address(o.address, ec);
  if (ec)
    return fail(ErrorCode::InvalidArgument, "HTTP server: bad listen address '{}': {}", o.address,
                ec.message());
  const tcp::endpoint endpoint(address, o.port);
  st->acceptor.open(endpoint.protocol(), ec);
  if (!ec) st->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) st->acceptor.bind(endpoint, ec);
  if (!ec) st->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (!ec) st->port = st->acceptor.local_endpoint(ec).port();
  if (ec)
    return fail(ErrorCode::Io, "HTTP server: cannot listen on {}:{}: {}", o.address, o.port, ec.message());
  asio::co_spawn(io, accept_loop(st), asio::detached);
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(st)));
}

HttpServer::~HttpServer() { stop(); }

std::uint16_t HttpServer::port() const noexcept { return state_->port; }

bool HttpServer::tls() const noexcept { return state_->ssl.has_value(); }

const ServerStats& HttpServer::stats() const noexcept { return state_->stats; }

void HttpServer::stop() {
  if (state_->stopped) return;
  state_->stopped = true;
  beast::error_code ignored;
  state_->acceptor.close(ignored);
  // Closing may erase entries (a WebSocket forgets itself when it finishes): iterate over a copy.
  auto closers = std::move(state_->closers);
  state_->closers.clear();
  for (auto& [id, close] : closers) close();
}

}  // namespace colibri::net
