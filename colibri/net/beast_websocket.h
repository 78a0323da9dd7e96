#pragma once
// Private to colibri/net: the WebSocketConnection over Boost.Beast, shared by http_server.cc and
// http_client.cc. Nothing else includes this header (it is what makes a translation unit slow).

#include <deque>
#include <memory>
#include <string>
#include <utility>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include "colibri/net/http/websocket.h"

namespace colibri::net::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;

// Completion token: (error_code, results...) tuples instead of exceptions.
inline constexpr auto kUse = asio::as_tuple(asio::use_awaitable);

inline websocket::stream_base::timeout websocket_timeouts(std::chrono::nanoseconds handshake) {
  websocket::stream_base::timeout t{};
  t.handshake_timeout = std::chrono::duration_cast<std::chrono::steady_clock::duration>(handshake);
  t.idle_timeout = std::chrono::seconds(60);  // a ping goes out after 30 s of silence
  t.keep_alive_pings = true;
  return t;
}

// Invariants: (1) open_ is true from construction until finish(); (2) at most one write operation
// (frame or close) is outstanding: writing_ guards the writer coroutine; (3) on_close runs once,
// from finish(), and no handler runs after it.
template <class Stream>
class BeastWebSocket final : public WebSocketConnection,
                             public std::enable_shared_from_this<BeastWebSocket<Stream>> {
 public:
  // `owner` is kept alive as long as this object (e.g. the TLS context of a client).
  BeastWebSocket(websocket::stream<Stream> ws, std::shared_ptr<void> owner)
      : ws_(std::move(ws)), owner_(std::move(owner)) {}

  void set_handlers(WebSocketHandlers handlers) override { handlers_ = std::move(handlers); }

  void send(std::string text) override {
    if (!open_ || closing_) return;
    queue_.push_back(std::move(text));
    start_writer();
  }

  void close() override {
    if (!open_ || closing_) return;
    closing_ = true;
    start_writer();
  }

  void abort() override { finish("connection aborted"); }

  [[nodiscard]] bool is_open() const noexcept override { return open_; }
  [[nodiscard]] std::size_t queued() const noexcept override { return queue_.size(); }

  // Ends the connection without calling any handler (the server is stopping).
  void shut_down_silently() {
    handlers_ = {};
    finish("server stopped");
  }

  // Called once when the connection has ended (after on_close): the server forgets it.
  void set_on_finished(std::function<void()> fn) { on_finished_ = std::move(fn); }

  // Starts reading frames. Call once, after the handshake and the handlers are set.
  void start_reading() {
    asio::co_spawn(ws_.get_executor(), read_loop(this->shared_from_this()), asio::detached);
  }

 private:
  static asio::awaitable<void> read_loop(std::shared_ptr<BeastWebSocket> self) {
    beast::flat_buffer buffer;
    for (;;) {
      auto [ec, n] = co_await self->ws_.async_read(buffer, kUse);
      if (!self->open_) co_return;
      if (ec) {
        self->finish(ec == websocket::error::closed ? std::string("closed by peer") : ec.message());
        co_return;
      }
      const auto data = buffer.cdata();
      if (self->handlers_.on_message) {
        self->handlers_.on_message(std::string_view(static_cast<const char*>(data.data()), data.size()));
      }
      buffer.consume(buffer.size());
    }
  }

  void start_writer() {
    if (writing_) return;
    writing_ = true;
    asio::co_spawn(ws_.get_executor(), write_loop(this->shared_from_this()), asio::detached);
  }

  static asio::awaitable<void> write_loop(std::shared_ptr<BeastWebSocket> self) {
    while (self->open_ && !self->queue_.empty()) {
      self->ws_.text(true);
      auto [ec, n] = co_await self->ws_.async_write(asio::buffer(self->queue_.front()), kUse);
      if (!self->open_) co_return;
      if (ec) {
        self->finish(ec.message());
        co_return;
      }
      self->queue_.pop_front();
    }
    if (self->open_ && self->closing_) {
      auto [ec] = co_await self->ws_.async_close(websocket::close_code::normal, kUse);
      // The read loop sees the peer's close reply and finishes; make sure it ends regardless.
      if (self->open_ && ec) self->finish(ec.message());
    }
    self->writing_ = false;
  }

  void finish(std::string reason) {
    if (!open_) return;
    open_ = false;
    queue_.clear();
    beast::error_code ignored;
    beast::get_lowest_layer(ws_).socket().close(ignored);
    WebSocketHandlers handlers = std::move(handlers_);
    handlers_ = {};
    if (handlers.on_close) handlers.on_close(Error(ErrorCode::Disconnected, "WebSocket: " + reason));
    if (on_finished_) std::exchange(on_finished_, nullptr)();
  }

  websocket::stream<Stream> ws_;
  std::shared_ptr<void> owner_;
  WebSocketHandlers handlers_;
  std::function<void()> on_finished_;
  std::deque<std::string> queue_;
  bool open_ = true;
  bool closing_ = false;
  bool writing_ = false;
};

}  // namespace colibri::net::detail
