#include "etcd/tls_files.h"
#include "util/read_file.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cerrno>
#include <cstring>
#include <memory>

namespace ketcd::etcd {
namespace {

Result<std::string> ReadFile(const std::string& path, const char* flag) {
  auto text = ReadWholeFile(path);
  if (!text.ok()) return InvalidArgument(std::string("--") + flag + " " + text.status().message());
  return text;
}

struct BioDeleter {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct X509Deleter {
  void operator()(X509* x) const { X509_free(x); }
};
struct KeyDeleter {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using BioPtr = std::unique_ptr<BIO, BioDeleter>;
using X509Ptr = std::unique_ptr<X509, X509Deleter>;
using KeyPtr = std::unique_ptr<EVP_PKEY, KeyDeleter>;

BioPtr MemoryBio(const std::string& pem) {
  return BioPtr(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
}

std::string Asn1TimeText(const ASN1_TIME* time) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  ASN1_TIME_print(bio.get(), time);
  char* data = nullptr;
  long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(size));
}

Status CheckCaBundle(const std::string& pem, const std::string& path) {
  BioPtr bio = MemoryBio(pem);
  X509Ptr first(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  ERR_clear_error();
  if (!first) return InvalidArgument("--cacert " + path + ": no PEM certificate found");
  return Status::Ok();
}

Status CheckClientPair(const TlsMaterial& material, const ConnectionConfig& config) {
  BioPtr cert_bio = MemoryBio(material.cert_pem);
  X509Ptr cert(PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr));
  BioPtr key_bio = MemoryBio(material.key_pem);
  KeyPtr key(PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr));
  ERR_clear_error();
  if (!cert) return InvalidArgument("--cert " + config.cert_file + ": no PEM certificate found");
  if (!key) return InvalidArgument("--key " + config.key_file + ": no PEM private key found");
  if (X509_check_private_key(cert.get(), key.get()) != 1) {
    ERR_clear_error();
    return InvalidArgument("--key " + config.key_file + " does not match --cert " +
                           config.cert_file);
  }
  if (X509_cmp_current_time(X509_get0_notAfter(cert.get())) < 0) {
    return Unauthenticated("client certificate " + config.cert_file + " expired on " +
                           Asn1TimeText(X509_get0_notAfter(cert.get())));
  }
  if (X509_cmp_current_time(X509_get0_notBefore(cert.get())) > 0) {
    return Unauthenticated("client certificate " + config.cert_file + " is not valid before " +
                           Asn1TimeText(X509_get0_notBefore(cert.get())));
  }
  return Status::Ok();
}

}  // namespace

Result<TlsMaterial> LoadTlsMaterial(const ConnectionConfig& config) {
  TlsMaterial material;
  if (!config.ca_file.empty()) {
    auto ca = ReadFile(config.ca_file, "cacert");
    if (!ca.ok()) return ca.status();
    material.ca_pem = std::move(*ca);
    KETCD_RETURN_IF_ERROR(CheckCaBundle(material.ca_pem, config.ca_file));
  }
  if (!config.cert_file.empty()) {
    auto cert = ReadFile(config.cert_file, "cert");
    if (!cert.ok()) return cert.status();
    auto key = ReadFile(config.key_file, "key");
    if (!key.ok()) return key.status();
    material.cert_pem = std::move(*cert);
    material.key_pem = std::move(*key);
    KETCD_RETURN_IF_ERROR(CheckClientPair(material, config));
  }
  return material;
}

}  // namespace ketcd::etcd
