#include "colibri/net/tls.h"

#include <cstdio>
#include <memory>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace colibri::net {
namespace {

struct Deleter {
  void operator()(EVP_PKEY* p) const noexcept { EVP_PKEY_free(p); }
  void operator()(X509* p) const noexcept { X509_free(p); }
  void operator()(BIO* p) const noexcept { BIO_free(p); }
  void operator()(X509_EXTENSION* p) const noexcept { X509_EXTENSION_free(p); }
};
template <typename T>
using Owned = std::unique_ptr<T, Deleter>;

tl::unexpected<Error> openssl_error(std::string_view what) {
  const unsigned long code = ERR_get_error();
  char reason[256] = "unknown reason";
  if (code != 0) ERR_error_string_n(code, reason, sizeof reason);
  ERR_clear_error();
  return fail(ErrorCode::Io, "TLS certificates: {} failed: {}", what, reason);
}

bool add_extension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  Owned<X509_EXTENSION> ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
  return ext && X509_add_ext(cert, ext.get(), -1) == 1;
}

Result<Owned<X509>> make_certificate(EVP_PKEY* key, const char* common_name, X509* issuer,
                                     EVP_PKEY* issuer_key, int valid_days, bool is_ca) {
  Owned<X509> cert(X509_new());
  if (!cert) return openssl_error("X509_new");
  X509_set_version(cert.get(), 2);
  unsigned char serial[16];
  if (RAND_bytes(serial, sizeof serial) != 1) return openssl_error("RAND_bytes");
  serial[0] &= 0x7f;  // positive
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  if (bn == nullptr || BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get())) == nullptr) {
    BN_free(bn);
    return openssl_error("serial number");
  }
  BN_free(bn);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), static_cast<long>(valid_days) * 86400);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("colibri"), -1,
                             -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(common_name),
                             -1, -1, 0);
  X509* signer = issuer != nullptr ? issuer : cert.get();
  X509_set_issuer_name(cert.get(), X509_get_subject_name(signer));
  const bool ok =
      is_ca ? add_extension(cert.get(), signer, NID_basic_constraints, "critical,CA:TRUE,pathlen:0") &&
                  add_extension(cert.get(), signer, NID_key_usage, "critical,keyCertSign,cRLSign") &&
                  add_extension(cert.get(), signer, NID_subject_key_identifier, "hash")
            : add_extension(cert.get(), signer, NID_basic_constraints, "critical,CA:FALSE") &&
                  add_extension(cert.get(), signer, NID_key_usage, "critical,digitalSignature") &&
                  add_extension(cert.get(), signer, NID_ext_key_usage, "serverAuth") &&
                  add_extension(cert.get(), signer, NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1") &&
                  add_extension(cert.get(), signer, NID_authority_key_identifier, "keyid:always");
  if (!ok) return openssl_error("certificate extensions");
  if (X509_sign(cert.get(), issuer_key, EVP_sha256()) == 0) return openssl_error("X509_sign");
  return cert;
}

Result<std::string> bio_text(BIO* bio) {
  BUF_MEM* mem = nullptr;
  BIO_get_mem_ptr(bio, &mem);
  if (mem == nullptr) return openssl_error("BIO_get_mem_ptr");
  return std::string(mem->data, mem->length);
}

Result<std::string> certificate_pem(X509* cert) {
  Owned<BIO> bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1) return openssl_error("PEM_write_bio_X509");
  return bio_text(bio.get());
}

}  // namespace

Result<TlsCertificates> make_local_certificates(int valid_days) {
  Owned<EVP_PKEY> ca_key(EVP_EC_gen("P-256"));
  Owned<EVP_PKEY> server_key(EVP_EC_gen("P-256"));
  if (!ca_key || !server_key) return openssl_error("EC key generation");
  auto ca = make_certificate(ca_key.get(), "colibri local CA", nullptr, ca_key.get(), valid_days, true);
  if (!ca) return fail(ca.error());
  auto server = make_certificate(server_key.get(), "localhost", ca->get(), ca_key.get(), valid_days, false);
  if (!server) return fail(server.error());

  TlsCertificates out;
  auto ca_pem = certificate_pem(ca->get());
  auto server_pem = certificate_pem(server->get());
  if (!ca_pem) return fail(ca_pem.error());
  if (!server_pem) return fail(server_pem.error());
  out.ca_certificate_pem = std::move(*ca_pem);
  out.server_certificate_pem = std::move(*server_pem);
  Owned<BIO> bio(BIO_new(BIO_s_mem()));
  if (!bio ||
      PEM_write_bio_PrivateKey(bio.get(), server_key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return openssl_error("PEM_write_bio_PrivateKey");
  }
  auto key_pem = bio_text(bio.get());
  if (!key_pem) return fail(key_pem.error());
  out.server_private_key_pem = Secret(std::move(*key_pem));
  return out;
}

Result<void> write_text_file(const std::filesystem::path& path, std::string_view text) {
  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr) return fail(ErrorCode::Io, "cannot write {}", path.string());
  const bool ok = std::fwrite(text.data(), 1, text.size(), file) == text.size();
  if (std::fclose(file) != 0 || !ok) return fail(ErrorCode::Io, "cannot write {}", path.string());
  return {};
}

}  // namespace colibri::net
