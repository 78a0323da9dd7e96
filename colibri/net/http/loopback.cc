#include "colibri/net/http/loopback.h"

namespace colibri::net {

void LoopbackReply::finish(std::optional<HttpResponse> answer) {
  ++finishes;
  response = std::move(answer);
  if (on_finish) on_finish(response);
}

std::shared_ptr<LoopbackReply> serve(ServerHandler& handler, HttpRequest request,
                                     std::function<void(const std::optional<HttpResponse>&)> on_finish) {
  auto reply = std::make_shared<LoopbackReply>();
  reply->on_finish = std::move(on_finish);
  handler.on_http(std::move(request), HttpReply(reply));
  return reply;
}

std::shared_ptr<LoopbackWebSocket> LoopbackWebSocket::open(ServerHandler& handler, const HttpRequest& upgrade,
                                                           std::function<void(const std::string&)> on_frame) {
  if (!handler.accept_websocket(upgrade)) return nullptr;
  auto connection = std::make_shared<LoopbackWebSocket>();
  connection->on_frame_ = std::move(on_frame);
  handler.on_websocket_open(upgrade, connection);
  return connection;
}

void LoopbackWebSocket::send(std::string text) {
  if (!open_) return;
  if (on_frame_) on_frame_(text);
  frames_.push_back(std::move(text));
}

void LoopbackWebSocket::receive(std::string_view text) {
  if (open_ && handlers_.on_message) handlers_.on_message(text);
}

void LoopbackWebSocket::end(const char* reason) {
  if (!open_) return;
  open_ = false;
  WebSocketHandlers handlers = std::move(handlers_);
  handlers_ = {};
  if (handlers.on_close) handlers.on_close(Error(ErrorCode::Disconnected, std::string("WebSocket: ") + reason));
}

}  // namespace colibri::net
