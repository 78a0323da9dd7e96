#pragma once
// HTTP(S) and WebSocket clients on the event loop of a LiveScheduler (no Boost in this header;
// Beast lives in http_client.cc).
//
// HttpClient keeps one connection to one endpoint open and reuses it (keep-alive): requests go out
// one at a time in the order given; the connection is (re)opened when needed. TLS verifies the
// server's chain against Endpoint::ca_file (or the system store) and its name against
// Endpoint::host. Every request completes exactly once, on the loop thread:
//   * an HttpResponse, whatever its status (a 4xx/5xx is the venue's answer, not a transport error);
//   * Disconnected: the request was never written (cannot connect, TLS or verification failure);
//   * Ambiguous: written but no complete answer (timeout, connection dropped): the server may have
//     acted on it.
// Destroying the client closes its connection and drops queued requests: their callbacks never run.
//
// Thread-safety: none; the loop thread only.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "colibri/core/live_scheduler.h"
#include "colibri/core/result.h"
#include "colibri/net/http/message.h"
#include "colibri/net/http/websocket.h"

namespace colibri::net {

struct ClientStats {
  std::uint64_t connections_opened = 0;
  std::uint64_t requests_sent = 0;
  std::uint64_t responses = 0;
};

class HttpClient {
 public:
  using Callback = std::function<void(Result<HttpResponse>)>;

  HttpClient(LiveScheduler& scheduler, Endpoint endpoint);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Queues `request` (Host, Content-Length and Connection are set here). The callback runs later,
  // never inside this call.
  void request(HttpRequest request, Callback callback);
  // Closes the connection (a queued request reopens it).
  void close();
  [[nodiscard]] const ClientStats& stats() const noexcept;

  struct State;  // http_client.cc

 private:
  std::shared_ptr<State> state_;
};

// Opens a WebSocket to `target` ("/ws/btcusdt@trade") at `endpoint` (ws:// or wss:// by
// Endpoint::tls), bounded by Endpoint::connect_timeout. `on_connected` runs once on the loop thread
// with the open connection (set its handlers there; messages are read after it returns) or with
// Disconnected naming the step that failed.
void connect_websocket(LiveScheduler& scheduler, const Endpoint& endpoint, std::string target,
                       std::function<void(Result<std::shared_ptr<WebSocketConnection>>)> on_connected);

}  // namespace colibri::net
