#pragma once
// WsRequest: one text frame a client sends the simulator over a WebSocket, read as Binance reads
// it: a JSON object {"id": ..., "method": "...", "params": ...}. The WebSocket API
// (/ws-api/v3: params is an object) and the market streams' live control (/ws: SUBSCRIBE,
// UNSUBSCRIBE, LIST_SUBSCRIPTIONS; params is an array of stream names) share it.
//
// Only JSON is accepted (a frame that is not one JSON object is malformed), and the id is echoed
// back as JSON, so an answer built from a WsRequest is always JSON whatever the client sent.
// Parameters keep the exact text the client wrote (numbers as written, strings unescaped): the
// WebSocket API signs that text.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace colibri::exchange_sim {

struct WsRequest {
  // The id to echo, as JSON: an integer, a string (quoted, escaped) or null (absent or null).
  std::string id = "null";
  bool id_valid = true;  // false: the id was another type (a float, an object...); `id` is null
  std::string method;    // empty when absent or not a string
  bool has_params = false;
  // params as an object: each member whose value is a string or a number, with its text.
  std::vector<std::pair<std::string, std::string>> params;
  // params as an object: members whose value is something else (object, array, bool, null).
  std::vector<std::string> other_params;
  // params as an array: its strings, in order (other elements are skipped).
  std::vector<std::string> list;
  bool params_is_object = false;
  bool params_is_list = false;

  // The text of a string or number parameter, nullptr when there is none (the first one when a
  // name appears twice).
  [[nodiscard]] const std::string* param(std::string_view name) const;
};

// Reads one frame. nullopt when it is not one JSON object (malformed JSON, trailing content,
// another type at the top).
[[nodiscard]] std::optional<WsRequest> parse_ws_request(std::string_view text);

}  // namespace colibri::exchange_sim
