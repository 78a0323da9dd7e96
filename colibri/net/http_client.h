#pragma once
// HTTP(S) and WebSocket clients on the event loop of a LiveScheduler (no Boost in this header;
// Beast lives in http_client.cc).
//
// HttpClient keeps one connection to one endpoint open and reuses it (keep-alive): requests go out
// one at a time in the order given; the connection is (re)opened when needed. While the connection
// is open a read is kept pending on it, so a connection the server closes while idle is noticed
// (and dropped) by the loop before the next request is written, without a system call on the
// request path. TLS verifies the
// server's chain against Endpoint::ca_file (or the system store) and its name against
// Endpoint::host. Every request completes exactly once, on the loop thread:
//   * an HttpResponse, whatever its status (a 4xx/5xx is the venue's answer, not a transport error);
//   * Disconnected: the request was never written (cannot connect, TLS or verification failure);
//   * Ambiguous: written but no complete answer (timeout, connection dropped): the server may have
//     acted on it.
// Destroying the client closes its connection and drops queued requests: their callbacks never run.
//
// Allocation: a request is serialised into a buffer the client keeps (its capacity is reused from
// one request to the next), the write is started inside send() when the connection is idle, and
// callbacks of up to Callback's inline size are stored without allocating: in steady state, on a
// kept-alive connection, writing a request does not reach the heap (the order path: DESIGN.md
// decision 9; docs/BENCHMARKS.md, "Depth frame to order request bytes"). Reading the answer does.
//
// Thread-safety: none; the loop thread only.

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "colibri/core/inline_function.h"
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

// One header of an HttpRequestRef: views of text the caller keeps alive during send().
struct HttpHeaderRef {
  std::string_view name;
  std::string_view value;
};

// A request by reference, for HttpClient::send(): nothing here is owned, and nothing needs to
// outlive the call. The target is `path`, then `?` and `query` when the query is not empty.
struct HttpRequestRef {
  std::string_view method = "GET";  // upper case
  std::string_view path = "/";
  std::string_view query;
  std::span<const HttpHeaderRef> headers;
  std::string_view body;
};

class HttpClient {
 public:
  // Big enough for a weak reference and two pointers (what the Binance connector's callbacks hold).
  using Callback = InlineFunction<void(Result<HttpResponse>), 48>;

  HttpClient(LiveScheduler& scheduler, Endpoint endpoint);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Queues `request`, serialised at once (Host, User-Agent and Content-Length are added here), and
  // writes it at once when the connection is open and idle. The callback runs later, never inside
  // this call.
  void send(const HttpRequestRef& request, Callback callback);
  // The same for an owned request.
  void request(const HttpRequest& request, Callback callback);
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
