#pragma once
// ServerHandler: what an HTTP server hands its requests and WebSocket upgrades to, and HttpReply,
// the one answer to one request. No transport here: net::HttpServer (colibri/net/http_server.h)
// drives a handler over real sockets; a test or a fuzzer can drive the same handler directly,
// giving each HttpReply a ReplySink of its own.
//
// Thread-safety: none; the handler's calls and the replies run on the event-loop thread of the
// server that owns them.

#include <memory>
#include <optional>

#include "colibri/net/http/message.h"
#include "colibri/net/http/websocket.h"

namespace colibri::net {

// The transport's end of one reply: told once what became of it.
class ReplySink {
 public:
  virtual ~ReplySink() = default;
  // The answer, or nullopt when there is none (the connection is to end without one). Called at
  // most once per sink, by HttpReply.
  virtual void finish(std::optional<HttpResponse> response) = 0;
};

// The one answer to one request. Move-only. send() answers; destroying an HttpReply that was never
// sent, or drop(), tells the sink there is no answer (the server then closes the connection).
class HttpReply {
 public:
  explicit HttpReply(std::shared_ptr<ReplySink> sink) noexcept : sink_(std::move(sink)) {}
  HttpReply(HttpReply&&) noexcept = default;
  HttpReply& operator=(HttpReply&& other) noexcept;
  HttpReply(const HttpReply&) = delete;
  HttpReply& operator=(const HttpReply&) = delete;
  ~HttpReply();

  // Answers; a second call, or a call after drop(), does nothing.
  void send(HttpResponse response);
  // Ends the connection now without an answer.
  void drop();
  [[nodiscard]] bool pending() const noexcept { return sink_ != nullptr; }

 private:
  std::shared_ptr<ReplySink> sink_;
};

class ServerHandler {
 public:
  virtual ~ServerHandler() = default;
  virtual void on_http(HttpRequest request, HttpReply reply) = 0;
  // Whether a WebSocket upgrade to this target is served (false: 404).
  [[nodiscard]] virtual bool accept_websocket(const HttpRequest& upgrade) = 0;
  // The new connection; set its handlers here.
  virtual void on_websocket_open(const HttpRequest& upgrade,
                                 std::shared_ptr<WebSocketConnection> connection) = 0;
};

}  // namespace colibri::net
