#pragma once
// HttpServer: an HTTP/1.1 server (plain or TLS) with WebSocket upgrade, on the event loop of a
// LiveScheduler (no Boost in this header; Beast lives in http_server.cc).
//
// Each connection reads requests one after another (keep-alive); a request goes to
// ServerHandler::on_http (colibri/net/http/server_handler.h) with an HttpReply the handler answers
// through, now or later (the next request of that connection is read only after the reply is sent). A request whose Upgrade header
// asks for a WebSocket is accepted when ServerHandler::accept_websocket says yes (otherwise 404)
// and then handed over as a WebSocketConnection.
//
// Timeouts: a request must arrive within `request_timeout` of the previous reply (or of the
// connection's start); a reply must be written within it; TLS handshake and shutdown have their
// own bound. TLS shutdown is asynchronous (a synchronous one in a coroutine on a one-thread loop
// hangs). WebSockets get pinged when idle and are closed when the peer stops answering.
//
// Thread-safety: everything runs on the scheduler's event-loop thread; start, stop and the
// handler's callbacks included. The handler must outlive the server; after stop() no callback
// runs.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "colibri/core/live_scheduler.h"
#include "colibri/core/result.h"
#include "colibri/net/http/message.h"
#include "colibri/net/http/server_handler.h"
#include "colibri/net/http/websocket.h"
#include "colibri/net/tls.h"

namespace colibri::net {

struct ServerOptions {
  std::string address = "127.0.0.1";   // the address to listen on
  std::uint16_t port = 0;              // 0: any free port (see HttpServer::port())
  std::optional<TlsCertificates> tls;  // serve HTTPS and WSS with these
  Duration request_timeout = std::chrono::seconds(60);
  Duration handshake_timeout = std::chrono::seconds(10);
  std::size_t max_body_bytes = 1 << 20;
};

struct ServerStats {
  std::uint64_t connections = 0;
  std::uint64_t requests = 0;
  std::uint64_t websockets = 0;
  std::uint64_t tls_handshake_failures = 0;
};

class HttpServer {
 public:
  // Binds and listens at once (so port() is known), serves once the loop runs. Io error naming the
  // address and port when it cannot listen, InvalidArgument for bad TLS material.
  [[nodiscard]] static Result<std::unique_ptr<HttpServer>> start(LiveScheduler& scheduler,
                                                                 ServerOptions options,
                                                                 ServerHandler& handler);
  ~HttpServer();  // stop()
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  [[nodiscard]] std::uint16_t port() const noexcept;
  [[nodiscard]] bool tls() const noexcept;
  [[nodiscard]] const ServerStats& stats() const noexcept;
  // Stops listening, closes every connection and WebSocket (handlers are not called after this).
  void stop();

  struct State;  // http_server.cc

 private:
  explicit HttpServer(std::shared_ptr<State> state) noexcept : state_(std::move(state)) {}
  std::shared_ptr<State> state_;
};

}  // namespace colibri::net
