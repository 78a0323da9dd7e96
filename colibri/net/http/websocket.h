#pragma once
// WebSocketConnection: one open WebSocket, server or client side (no Boost here). Text frames only.
//
// Thread-safety: none; every call and every handler runs on the event-loop thread that owns the
// connection (the LiveScheduler's). Handlers are set once, before the first message can arrive: in
// the server's on_websocket_open, or in the client's connect callback.
//
// Lifetime: the transport keeps the connection alive while it is open; a holder's shared_ptr keeps
// the object (not the socket) after that. on_close runs exactly once, when the connection ends for
// any reason (peer close, error, timeout, close(), abort(), server stop); no handler runs after it.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "colibri/core/result.h"

namespace colibri::net {

struct WebSocketHandlers {
  std::function<void(std::string_view text)> on_message;
  // Why it ended: Disconnected (peer closed, network error, timeout, aborted) with a message.
  std::function<void(const Error& reason)> on_close;
};

class WebSocketConnection {
 public:
  virtual ~WebSocketConnection() = default;
  virtual void set_handlers(WebSocketHandlers handlers) = 0;
  // Queues a text frame; frames go out in the order sent. Ignored once closing.
  virtual void send(std::string text) = 0;
  // Sends the queued frames, then a close frame (code 1000), then ends the connection.
  virtual void close() = 0;
  // Ends the connection at once, without a close frame (a network failure, for fault injection).
  virtual void abort() = 0;
  [[nodiscard]] virtual bool is_open() const noexcept = 0;
  // Frames queued and not yet written.
  [[nodiscard]] virtual std::size_t queued() const noexcept = 0;
};

}  // namespace colibri::net
