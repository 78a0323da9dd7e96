#pragma once
// TLS certificates for a local server: a self-signed CA made at start and a server certificate it
// signs for 127.0.0.1 and localhost (OpenSSL; no Boost). The CA's PEM goes to a file a client
// trusts (Endpoint::ca_file); nothing is ever written to a system trust store.
//
// Keys are EC P-256, made fresh on every call and never written anywhere by this module; the
// server's private key is a Secret (it never reaches a log). Certificates are valid from one hour
// ago (clock differences) for `valid_days`.

#include <filesystem>
#include <string>

#include "colibri/core/result.h"
#include "colibri/core/secret.h"

namespace colibri::net {

struct TlsCertificates {
  std::string ca_certificate_pem;      // the CA a client trusts
  std::string server_certificate_pem;  // the server's certificate, signed by the CA
  Secret server_private_key_pem;       // the server's key (PKCS#8 PEM)
};

// A fresh CA and a server certificate with subjectAltName DNS:localhost, IP:127.0.0.1.
// Io error (with OpenSSL's reason) when OpenSSL fails.
[[nodiscard]] Result<TlsCertificates> make_local_certificates(int valid_days = 30);

// Writes `text` to `path` (replacing it). Io error naming the path.
[[nodiscard]] Result<void> write_text_file(const std::filesystem::path& path, std::string_view text);

}  // namespace colibri::net
