#pragma once
// Plain HTTP messages shared by the server and the client (no Boost here): what a handler reads
// and writes. Header names compare case-insensitively, as HTTP says.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "colibri/core/time.h"

namespace colibri::net {

struct HttpHeader {
  std::string name;
  std::string value;
};

struct HttpRequest {
  std::string method = "GET";  // upper case: GET, POST, PUT, DELETE
  std::string target = "/";    // path and query as sent: "/api/v3/order?symbol=BTCUSDT"
  std::vector<HttpHeader> headers;
  std::string body;

  // The target before '?', and after it (empty when there is none).
  [[nodiscard]] std::string_view path() const noexcept;
  [[nodiscard]] std::string_view query() const noexcept;
  // The first header named `name` (any case); nullptr when absent.
  [[nodiscard]] const std::string* header(std::string_view name) const noexcept;
};

struct HttpResponse {
  int status = 200;
  std::vector<HttpHeader> headers;  // Content-Type defaults to application/json when absent
  std::string body;

  [[nodiscard]] const std::string* header(std::string_view name) const noexcept;
};

// Where a client connects. The host is a name or an address; tests use 127.0.0.1 only.
struct Endpoint {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
  bool tls = false;
  // TLS: the PEM file of the CA(s) to trust; empty means the system's default trust store.
  // Verification (chain and host name) is always on.
  std::string ca_file;
  Duration connect_timeout = std::chrono::seconds(5);   // TCP connect + TLS handshake (+ WS handshake)
  Duration request_timeout = std::chrono::seconds(10);  // HTTP: write + read of one exchange
};

// "application/x-www-form-urlencoded" decoding of one component ("%2B" -> '+', '+' -> ' ').
// Malformed escapes are kept as they are.
[[nodiscard]] std::string url_decode(std::string_view text);

// Calls fn(key, value) (both decoded) for each `key=value` of a query string or form body, in order.
template <typename Fn>
void for_each_param(std::string_view text, Fn&& fn) {
  while (!text.empty()) {
    const std::size_t amp = text.find('&');
    const std::string_view pair = text.substr(0, amp);
    text = amp == std::string_view::npos ? std::string_view{} : text.substr(amp + 1);
    if (pair.empty()) continue;
    const std::size_t eq = pair.find('=');
    if (eq == std::string_view::npos) {
      fn(url_decode(pair), std::string{});
    } else {
      fn(url_decode(pair.substr(0, eq)), url_decode(pair.substr(eq + 1)));
    }
  }
}

}  // namespace colibri::net
