#pragma once
// Serving a ServerHandler without a transport, for tests and fuzzers of handlers (the exchange
// simulator): a request goes straight to the handler and its answer into a LoopbackReply; a
// WebSocket is a LoopbackWebSocket that keeps the frames the handler sends and lets the test send
// frames and close it as the peer. Where a handler can tell, it behaves as HttpServer's transport:
// abort() and the peer's close end the connection and run on_close once, synchronously, and no
// handler runs after it. close() ends it at once too (the transport first writes the queued frames
// and the close handshake; here every frame is already delivered), and nothing is sent after it.
//
// Thread-safety: none; the thread that drives the handler.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "colibri/net/http/server_handler.h"

namespace colibri::net {

// One request's answer as the handler gave it.
struct LoopbackReply final : ReplySink {
  void finish(std::optional<HttpResponse> answer) override;

  int finishes = 0;                      // HttpReply promises at most one
  std::optional<HttpResponse> response;  // the answer; nullopt before it or when dropped
  // Called with each finish (the answer, or nullopt when dropped).
  std::function<void(const std::optional<HttpResponse>&)> on_finish;
};

// Hands `request` to `handler`; the answer is in the returned reply once the handler sends it (at
// once, or later for a handler that answers from a timer). `on_finish`, when given, hears it.
std::shared_ptr<LoopbackReply> serve(ServerHandler& handler, HttpRequest request,
                                     std::function<void(const std::optional<HttpResponse>&)> on_finish = {});

class LoopbackWebSocket final : public WebSocketConnection {
 public:
  // A connection to `handler` on `upgrade` when it accepts the target (nullptr otherwise), after
  // on_websocket_open. `on_frame`, when given, hears each frame the handler sends.
  static std::shared_ptr<LoopbackWebSocket> open(ServerHandler& handler, const HttpRequest& upgrade,
                                                 std::function<void(const std::string&)> on_frame = {});

  void set_handlers(WebSocketHandlers handlers) override { handlers_ = std::move(handlers); }
  void send(std::string text) override;
  void close() override { end("closed"); }
  void abort() override { end("aborted"); }
  [[nodiscard]] bool is_open() const noexcept override { return open_; }
  [[nodiscard]] std::size_t queued() const noexcept override { return 0; }

  // The peer's text frame (ignored once the connection has ended).
  void receive(std::string_view text);
  // The peer closes the connection.
  void close_from_peer() { end("closed by peer"); }

  [[nodiscard]] const std::vector<std::string>& frames() const noexcept { return frames_; }

 private:
  void end(const char* reason);

  bool open_ = true;
  WebSocketHandlers handlers_;
  std::function<void(const std::string&)> on_frame_;
  std::vector<std::string> frames_;
};

}  // namespace colibri::net
