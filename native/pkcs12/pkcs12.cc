// PKCS#12 create and parse. Keys arrive as PKCS#8 DER and certificates as
// DER; the KDF-heavy work (PBKDF2 / PKCS#12 KDF for every bag and the MAC)
// runs on the libuv pool.
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pkcs12.h>

#include <string>
#include <vector>

#include "common/decode.h"
#include "common/module.h"
#include "pkey/der.h"

namespace jsec {
namespace {

int PbeNid(const std::string& name) {
  if (name == "aes-256-cbc") return NID_aes_256_cbc;
  if (name == "aes-192-cbc") return NID_aes_192_cbc;
  if (name == "aes-128-cbc") return NID_aes_128_cbc;
  if (name == "des-ede3-cbc") return NID_pbe_WithSHA1And3_Key_TripleDES_CBC;
  if (name == "rc2-40-cbc") return NID_pbe_WithSHA1And40BitRC2_CBC;
  return -1;  // "none": no encryption for the certificate bags
}

struct CreateArgs {
  bool hasKey = false, hasCert = false, legacy = false;
  Bytes key, cert;
  std::vector<Bytes> chain;
  std::string password, name, keyPbe, certPbe, macHash;
  int iterations = 0, macIterations = 0;
};

Bytes Create(const CreateArgs& a, PendingError& err) {
  if (a.legacy && !der::EnsureLegacyProvider()) {
    err.Capture("ERR_JSEC_UNSUPPORTED", "the OpenSSL legacy provider is not available in this Node.js", false);
    return {};
  }
  PkeyPtr key;
  X509Ptr cert;
  if (a.hasKey && !(key = der::PrivateKey(a.key))) {
    err.Capture("ERR_JSEC_CRYPTO_INVALID_KEY", "could not read the private key");
    return {};
  }
  if (a.hasCert && !(cert = der::Cert(a.cert))) {
    err.Capture("ERR_JSEC_CRYPTO_INVALID_CERTIFICATE", "could not read the certificate");
    return {};
  }
  X509StackPtr ca(sk_X509_new_null());
  for (size_t i = 0; i < a.chain.size(); i++) {
    X509Ptr c = der::Cert(a.chain[i]);
    if (!c) {
      err.Capture("ERR_JSEC_CRYPTO_INVALID_CERTIFICATE", "could not read chain certificate " + std::to_string(i));
      return {};
    }
    if (!sk_X509_push(ca.get(), c.get())) {
      err.Capture("ERR_JSEC_OPENSSL", "out of memory");
      return {};
    }
    c.release();
  }
  const EVP_MD* md = EVP_get_digestbyname(a.macHash.c_str());
  if (md == nullptr) {
    err.Capture("ERR_JSEC_UNSUPPORTED", "MAC digest " + a.macHash + " is not available");
    return {};
  }
  // mac_iter -1: no MAC from PKCS12_create (it would use SHA-1); set it below.
  Pkcs12Ptr p12(PKCS12_create(a.password.c_str(), a.name.empty() ? nullptr : a.name.c_str(), key.get(), cert.get(),
                              sk_X509_num(ca.get()) > 0 ? ca.get() : nullptr, PbeNid(a.keyPbe), PbeNid(a.certPbe),
                              a.iterations, -1, 0));
  if (!p12) {
    auto q = DrainErrors();
    if (der::Unsupported(q)) err.Set("ERR_JSEC_UNSUPPORTED", "an algorithm of this PKCS#12 profile is not available", std::move(q));
    else err.Set("ERR_JSEC_OPENSSL", "PKCS12_create failed", std::move(q));
    return {};
  }
  if (PKCS12_set_mac(p12.get(), a.password.c_str(), -1, nullptr, 0, a.macIterations, md) != 1) {
    err.Capture("ERR_JSEC_OPENSSL", "PKCS12_set_mac failed");
    return {};
  }
  return EncodeDer(err, p12.get(), i2d_PKCS12, "PKCS#12 file", "ERR_JSEC_OPENSSL");
}

struct Parsed {
  bool hasKey = false, hasCert = false;
  Bytes key, cert;
  std::string name;
  bool hasName = false;
  std::vector<Bytes> chain;
  std::vector<std::string> chainNames;
  bool mac = false;
};

std::string Alias(X509* x, bool* has) {
  int len = 0;
  unsigned char* a = X509_alias_get0(x, &len);
  *has = a != nullptr;
  return a ? std::string(reinterpret_cast<char*>(a), static_cast<size_t>(len)) : std::string();
}

Parsed Parse(const Bytes& der, const std::string& password, bool legacy, PendingError& err) {
  Parsed r;
  if (legacy && !der::EnsureLegacyProvider()) {
    err.Capture("ERR_JSEC_UNSUPPORTED", "the OpenSSL legacy provider is not available in this Node.js", false);
    return r;
  }
  Pkcs12Ptr p12 = DecodeDer<Pkcs12Ptr>(err, der, d2i_PKCS12, "PKCS#12 file", "ERR_JSEC_CRYPTO_INVALID_PKCS12");
  if (!p12) return r;
  r.mac = PKCS12_mac_present(p12.get()) == 1;
  if (r.mac && PKCS12_verify_mac(p12.get(), password.c_str(), static_cast<int>(password.size())) != 1) {
    auto q = DrainErrors();
    // A MAC algorithm we cannot compute is not a wrong password.
    if (der::Unsupported(q)) {
      err.Set("ERR_JSEC_UNSUPPORTED", legacy ? "the PKCS#12 MAC algorithm is not available" : "the PKCS#12 MAC algorithm is not available (try legacy: true)", std::move(q));
    } else if (!q.empty() && ERR_GET_REASON(q.back().code) != PKCS12_R_MAC_VERIFY_FAILURE &&
               ERR_GET_REASON(q.front().code) != PKCS12_R_MAC_VERIFY_FAILURE) {
      err.Set("ERR_JSEC_CRYPTO_INVALID_PKCS12", "the PKCS#12 MAC could not be checked", std::move(q));
    } else {
      err.Set("ERR_JSEC_CRYPTO_BAD_PASSWORD", "wrong PKCS#12 password (MAC verification failed)", std::move(q));
    }
    return r;
  }
  if (!r.mac) {
    // PKCS12_parse insists on a MAC, so a file written without one (openssl
    // pkcs12 -export -nomac) gets a throwaway MAC under the caller's password.
    // Its bags still decrypt only with the right password; unencrypted bags
    // were never protected by one.
    if (PKCS12_set_mac(p12.get(), password.c_str(), -1, nullptr, 0, 1, EVP_sha256()) != 1) {
      err.Capture("ERR_JSEC_CRYPTO_INVALID_PKCS12", "the PKCS#12 contents could not be read");
      return r;
    }
  }
  EVP_PKEY* key = nullptr;
  X509* cert = nullptr;
  STACK_OF(X509)* ca = nullptr;
  int ok = PKCS12_parse(p12.get(), password.c_str(), &key, &cert, &ca);
  PkeyPtr keyOwned(key);
  X509Ptr certOwned(cert);
  X509StackPtr caOwned(ca);
  if (ok != 1) {
    auto q = DrainErrors();
    if (der::Unsupported(q)) {
      err.Set("ERR_JSEC_UNSUPPORTED", legacy ? "an algorithm of this PKCS#12 file is not available" : "this PKCS#12 file uses a legacy algorithm (RC2/RC4/DES); pass legacy: true", std::move(q));
    } else if (!r.mac) {
      err.Set("ERR_JSEC_CRYPTO_BAD_PASSWORD", "the PKCS#12 file could not be decrypted (wrong password?)", std::move(q));
    } else {
      err.Set("ERR_JSEC_CRYPTO_INVALID_PKCS12", "the PKCS#12 contents could not be read", std::move(q));
    }
    return r;
  }
  if (key != nullptr) {
    r.key = der::OfPrivateKey(key);
    r.hasKey = !r.key.empty();
  }
  if (cert != nullptr) {
    r.cert = der::OfCert(cert);
    r.hasCert = true;
    r.name = Alias(cert, &r.hasName);
  }
  for (int i = 0; ca != nullptr && i < sk_X509_num(ca); i++) {
    X509* c = sk_X509_value(ca, i);
    bool has = false;
    r.chain.push_back(der::OfCert(c));
    r.chainNames.push_back(Alias(c, &has));
  }
  return r;
}

Napi::Value CreateJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = info[0].As<Napi::Object>();
  bool async = info[1].ToBoolean();
  CreateArgs a;
  a.hasKey = der::Has(o, "key");
  a.hasCert = der::Has(o, "cert");
  if (a.hasKey) a.key = ToBytes(o.Get("key"));
  if (a.hasCert) a.cert = ToBytes(o.Get("cert"));
  a.chain = der::BytesList(o.Get("chain"));
  a.password = der::Str(o, "password");
  a.name = der::Str(o, "friendlyName");
  a.keyPbe = der::Str(o, "keyEncryption");
  a.certPbe = der::Str(o, "certEncryption");
  a.macHash = der::Str(o, "macHash");
  a.iterations = der::Int(o, "iterations", 2048);
  a.macIterations = der::Int(o, "macIterations", 2048);
  a.legacy = der::Bool(o, "legacy");
  return der::Run<Bytes>(
      env, async, "jsec.pkcs12Create", [a](PendingError& e) { return Create(a, e); },
      [](Napi::Env env, Bytes& out) -> Napi::Value { return ToBuffer(env, out); });
}

Napi::Value ParseJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Bytes der = ToBytes(info[0]);
  std::string password = info[1].As<Napi::String>().Utf8Value();
  bool legacy = info[2].ToBoolean();
  bool async = info[3].ToBoolean();
  return der::Run<Parsed>(
      env, async, "jsec.pkcs12Parse", [der, password, legacy](PendingError& e) { return Parse(der, password, legacy, e); },
      [](Napi::Env env, Parsed& r) -> Napi::Value {
        Napi::Object o = Napi::Object::New(env);
        o.Set("key", r.hasKey ? Napi::Value(ToBuffer(env, r.key)) : env.Null());
        o.Set("cert", r.hasCert ? Napi::Value(ToBuffer(env, r.cert)) : env.Null());
        o.Set("friendlyName", r.hasName ? Napi::Value(Napi::String::New(env, r.name)) : env.Null());
        o.Set("chain", der::ToArray(env, r.chain));
        Napi::Array names = Napi::Array::New(env, r.chainNames.size());
        for (uint32_t i = 0; i < r.chainNames.size(); i++) {
          names.Set(i, r.chainNames[i].empty() ? env.Null() : Napi::Value(Napi::String::New(env, r.chainNames[i])));
        }
        o.Set("chainFriendlyNames", names);
        o.Set("mac", Napi::Boolean::New(env, r.mac));
        return o;
      });
}

void Init(Napi::Env env, Napi::Object exports) {
  ExportFunctions(env, exports, {{"pkcs12Create", CreateJs}, {"pkcs12Parse", ParseJs}});
}

}  // namespace

JSEC_REGISTER(pkcs12, Init);

}  // namespace jsec
