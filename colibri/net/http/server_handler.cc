#include "colibri/net/http/server_handler.h"

namespace colibri::net {

HttpReply& HttpReply::operator=(HttpReply&& other) noexcept {
  if (this != &other) {
    drop();
    sink_ = std::move(other.sink_);
  }
  return *this;
}

HttpReply::~HttpReply() { drop(); }

void HttpReply::send(HttpResponse response) {
  if (!sink_) return;
  // Reset first: the sink may resume the transport, which must not see this reply pending.
  std::shared_ptr<ReplySink> sink = std::move(sink_);
  sink->finish(std::move(response));
}

void HttpReply::drop() {
  if (!sink_) return;
  std::shared_ptr<ReplySink> sink = std::move(sink_);
  sink->finish(std::nullopt);
}

}  // namespace colibri::net
