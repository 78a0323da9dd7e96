#include "colibri/net/http/message.h"

#include "colibri/core/ascii.h"

namespace colibri::net {
namespace {

const std::string* find_header(const std::vector<HttpHeader>& headers, std::string_view name) noexcept {
  for (const HttpHeader& h : headers) {
    if (equals_ignoring_case(h.name, name)) return &h.value;
  }
  return nullptr;
}

int hex_digit(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string_view HttpRequest::path() const noexcept {
  const std::string_view t = target;
  return t.substr(0, t.find('?'));
}

std::string_view HttpRequest::query() const noexcept {
  const std::string_view t = target;
  const std::size_t q = t.find('?');
  return q == std::string_view::npos ? std::string_view{} : t.substr(q + 1);
}

const std::string* HttpRequest::header(std::string_view name) const noexcept {
  return find_header(headers, name);
}

const std::string* HttpResponse::header(std::string_view name) const noexcept {
  return find_header(headers, name);
}

std::string url_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '+') {
      out.push_back(' ');
    } else if (c == '%' && i + 2 < text.size() && hex_digit(text[i + 1]) >= 0 &&
               hex_digit(text[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex_digit(text[i + 1]) * 16 + hex_digit(text[i + 2])));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace colibri::net
