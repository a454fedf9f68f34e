#include "support/test_pki.h"

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <cstdlib>

namespace ketcd::testing {
namespace {

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "test PKI: %s failed\n", what);
    std::abort();
  }
}

EVP_PKEY* NewKey() {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  Check(key != nullptr, "EC key generation");
  return key;
}

void AddExtension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  Check(ext != nullptr, "extension");
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

struct CertSpec {
  const char* common_name;
  bool is_ca = false;
  const char* subject_alt_names = nullptr;  // e.g. "IP:127.0.0.1,DNS:localhost"
  const char* extended_key_usage = nullptr;
  long not_before_seconds = -3600;  // relative to now
  long not_after_seconds = 24 * 3600;
};

// Signs `key`'s certificate with issuer_key (self-signed when issuer is null).
X509* NewCert(const CertSpec& spec, EVP_PKEY* key, X509* issuer, EVP_PKEY* issuer_key) {
  static long serial = 1;
  X509* cert = X509_new();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), serial++);
  X509_gmtime_adj(X509_getm_notBefore(cert), spec.not_before_seconds);
  X509_gmtime_adj(X509_getm_notAfter(cert), spec.not_after_seconds);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(spec.common_name), -1, -1, 0);
  X509_set_issuer_name(cert, issuer ? X509_get_subject_name(issuer) : name);
  X509* signer = issuer ? issuer : cert;
  if (spec.is_ca) {
    AddExtension(cert, signer, NID_basic_constraints, "critical,CA:TRUE");
    AddExtension(cert, signer, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    AddExtension(cert, signer, NID_basic_constraints, "CA:FALSE");
    AddExtension(cert, signer, NID_key_usage, "critical,digitalSignature,keyEncipherment");
  }
  if (spec.subject_alt_names) {
    AddExtension(cert, signer, NID_subject_alt_name, spec.subject_alt_names);
  }
  if (spec.extended_key_usage) {
    AddExtension(cert, signer, NID_ext_key_usage, spec.extended_key_usage);
  }
  Check(X509_sign(cert, issuer_key ? issuer_key : key, EVP_sha256()) > 0, "signing");
  return cert;
}

void WriteCert(const std::string& path, X509* cert) {
  FILE* f = std::fopen(path.c_str(), "w");
  Check(f && PEM_write_X509(f, cert), "writing certificate");
  std::fclose(f);
}

void WriteKey(const std::string& path, EVP_PKEY* key) {
  FILE* f = std::fopen(path.c_str(), "w");
  Check(f && PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr), "writing key");
  std::fclose(f);
}

// Issues a leaf certificate and writes cert + key to <dir>/<name>.{crt,key}.
void Issue(const std::string& dir, const std::string& name, const CertSpec& spec, X509* ca,
           EVP_PKEY* ca_key, std::string& cert_path, std::string& key_path) {
  EVP_PKEY* key = NewKey();
  X509* cert = NewCert(spec, key, ca, ca_key);
  cert_path = dir + "/" + name + ".crt";
  key_path = dir + "/" + name + ".key";
  WriteCert(cert_path, cert);
  WriteKey(key_path, key);
  X509_free(cert);
  EVP_PKEY_free(key);
}

}  // namespace

TestPki MakeTestPki(const std::string& dir) {
  TestPki pki;
  EVP_PKEY* ca_key = NewKey();
  X509* ca = NewCert({.common_name = "ketcd test CA", .is_ca = true}, ca_key, nullptr, nullptr);
  pki.ca_cert = dir + "/ca.crt";
  WriteCert(pki.ca_cert, ca);

  Issue(dir, "server",
        {.common_name = "etcd server",
         .subject_alt_names = "IP:127.0.0.1,DNS:localhost",
         .extended_key_usage = "serverAuth,clientAuth"},
        ca, ca_key, pki.server_cert, pki.server_key);
  Issue(dir, "client", {.common_name = "root", .extended_key_usage = "clientAuth"}, ca, ca_key,
        pki.client_cert, pki.client_key);
  Issue(dir, "expired-client",
        {.common_name = "root",
         .extended_key_usage = "clientAuth",
         .not_before_seconds = -7 * 24 * 3600,
         .not_after_seconds = -24 * 3600},
        ca, ca_key, pki.expired_client_cert, pki.expired_client_key);

  EVP_PKEY* other_key = NewKey();
  X509* other =
      NewCert({.common_name = "unrelated CA", .is_ca = true}, other_key, nullptr, nullptr);
  pki.other_ca_cert = dir + "/other-ca.crt";
  WriteCert(pki.other_ca_cert, other);

  X509_free(other);
  EVP_PKEY_free(other_key);
  X509_free(ca);
  EVP_PKEY_free(ca_key);
  return pki;
}

}  // namespace ketcd::testing
