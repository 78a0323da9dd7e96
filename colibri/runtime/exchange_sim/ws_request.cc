#include "colibri/runtime/exchange_sim/ws_request.h"

#include <simdjson.h>

#include "colibri/core/json_text.h"

namespace colibri::exchange_sim {

namespace od = simdjson::ondemand;

namespace {

// raw_json_token() runs up to the next token: drop the whitespace after it.
std::string_view trimmed(std::string_view token) {
  while (!token.empty() && (token.back() == ' ' || token.back() == '\t' || token.back() == '\n' ||
                            token.back() == '\r')) {
    token.remove_suffix(1);
  }
  return token;
}

// The text of a string (unescaped) or a number (as written), nullopt for other types; `broken`
// when the value cannot be read.
std::optional<std::string> scalar_text(od::value value, bool& broken) {
  od::json_type type;
  if (value.type().get(type) != simdjson::SUCCESS) {
    broken = true;
    return std::nullopt;
  }
  if (type == od::json_type::string) {
    std::string_view s;
    if (value.get_string().get(s) != simdjson::SUCCESS) {
      broken = true;
      return std::nullopt;
    }
    return std::string(s);
  }
  if (type == od::json_type::number) {
    return std::string(trimmed(value.raw_json_token()));
  }
  return std::nullopt;
}

bool read_id(od::value value, WsRequest& out) {
  od::json_type type;
  if (value.type().get(type) != simdjson::SUCCESS) return false;
  switch (type) {
    case od::json_type::null: {
      bool is_null = false;
      if (value.is_null().get(is_null) != simdjson::SUCCESS || !is_null) return false;
      out.id = "null";
      return true;
    }
    case od::json_type::string: {
      std::string_view s;
      if (value.get_string().get(s) != simdjson::SUCCESS) return false;
      out.id = json_string(s);
      return true;
    }
    case od::json_type::number: {
      std::int64_t i = 0;
      std::uint64_t u = 0;
      if (value.get_int64().get(i) == simdjson::SUCCESS) {
        out.id = std::to_string(i);
        return true;
      }
      if (value.get_uint64().get(u) == simdjson::SUCCESS) {
        out.id = std::to_string(u);
        return true;
      }
      out.id_valid = false;  // a float or an integer out of range
      double d = 0;
      return value.get_double().get(d) == simdjson::SUCCESS;
    }
    default:
      out.id_valid = false;  // skipped by the object's iteration
      return true;
  }
}

}  // namespace

const std::string* WsRequest::param(std::string_view name) const {
  for (const auto& [key, value] : params) {
    if (key == name) return &value;
  }
  return nullptr;
}

std::optional<WsRequest> parse_ws_request(std::string_view text) {
  // The DOM parser validates the whole frame (On Demand only checks what it visits); On Demand
  // then reads it keeping the text of numbers.
  static thread_local simdjson::dom::parser validator;
  static thread_local od::parser parser;
  const simdjson::padded_string json(text);
  simdjson::dom::element ignored;
  if (validator.parse(json).get(ignored) != simdjson::SUCCESS) return std::nullopt;
  od::document doc;
  if (parser.iterate(json).get(doc) != simdjson::SUCCESS) return std::nullopt;
  od::object root;
  if (doc.get_object().get(root) != simdjson::SUCCESS) return std::nullopt;
  WsRequest out;
  bool broken = false;
  for (auto member : root) {
    std::string_view key;
    od::value value;
    if (member.unescaped_key().get(key) != simdjson::SUCCESS || member.value().get(value) != simdjson::SUCCESS) {
      return std::nullopt;
    }
    if (key == "id") {
      if (!read_id(value, out)) return std::nullopt;
      if (!out.id_valid) out.id = "null";
    } else if (key == "method") {
      std::string_view method;
      od::json_type type;
      if (value.type().get(type) != simdjson::SUCCESS) return std::nullopt;
      if (type == od::json_type::string) {
        if (value.get_string().get(method) != simdjson::SUCCESS) return std::nullopt;
        out.method = std::string(method);
      }
    } else if (key == "params") {
      out.has_params = true;
      od::json_type type;
      if (value.type().get(type) != simdjson::SUCCESS) return std::nullopt;
      if (type == od::json_type::object) {
        out.params_is_object = true;
        od::object params;
        if (value.get_object().get(params) != simdjson::SUCCESS) return std::nullopt;
        for (auto param : params) {
          std::string_view name;
          od::value v;
          if (param.unescaped_key().get(name) != simdjson::SUCCESS || param.value().get(v) != simdjson::SUCCESS) {
            return std::nullopt;
          }
          std::string owned_name(name);  // the key's storage is reused by the next string
          if (auto scalar = scalar_text(v, broken)) {
            out.params.emplace_back(std::move(owned_name), std::move(*scalar));
          } else if (broken) {
            return std::nullopt;
          } else {
            out.other_params.push_back(std::move(owned_name));
          }
        }
      } else if (type == od::json_type::array) {
        out.params_is_list = true;
        od::array list;
        if (value.get_array().get(list) != simdjson::SUCCESS) return std::nullopt;
        for (auto element : list) {
          od::value v;
          if (element.get(v) != simdjson::SUCCESS) return std::nullopt;
          od::json_type t;
          if (v.type().get(t) != simdjson::SUCCESS) return std::nullopt;
          if (t == od::json_type::string) {
            std::string_view s;
            if (v.get_string().get(s) != simdjson::SUCCESS) return std::nullopt;
            out.list.emplace_back(s);
          }
        }
      }
    }
  }
  return out;  // trailing content was refused by the validator
}

}  // namespace colibri::exchange_sim
