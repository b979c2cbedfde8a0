// DER helpers shared by the crypto families (pkey, pkcs12, cms, ec). The
// TypeScript side hands keys over as unencrypted PKCS#8 / SPKI DER and
// certificates as DER, so native code never parses PEM or passphrases.
#pragma once
#include <napi.h>

#include <string>
#include <vector>

#include "common/buffers.h"
#include "common/errors.h"
#include "common/handles.h"

namespace jsec {
namespace der {

inline PkeyPtr PrivateKey(const Bytes& d) {
  const unsigned char* p = d.data();
  return PkeyPtr(d2i_AutoPrivateKey(nullptr, &p, static_cast<long>(d.size())));
}

inline PkeyPtr PublicKey(const Bytes& d) {
  const unsigned char* p = d.data();
  return PkeyPtr(d2i_PUBKEY(nullptr, &p, static_cast<long>(d.size())));
}

inline X509Ptr Cert(const Bytes& d) {
  const unsigned char* p = d.data();
  X509Ptr x(d2i_X509(nullptr, &p, static_cast<long>(d.size())));
  if (x && p != d.data() + d.size()) return X509Ptr();  // trailing bytes
  return x;
}

inline Bytes OfCert(X509* x) {
  int n = i2d_X509(x, nullptr);
  if (n <= 0) return Bytes();
  Bytes out(static_cast<size_t>(n));
  unsigned char* p = out.data();
  i2d_X509(x, &p);
  return out;
}

inline Bytes OfPrivateKey(EVP_PKEY* k) {
  // PKCS#8 PrivateKeyInfo, unencrypted (it goes straight to createPrivateKey).
  PKCS8_PRIV_KEY_INFO* p8 = EVP_PKEY2PKCS8(k);
  if (p8 == nullptr) return Bytes();
  int n = i2d_PKCS8_PRIV_KEY_INFO(p8, nullptr);
  Bytes out(n > 0 ? static_cast<size_t>(n) : 0);
  unsigned char* p = out.data();
  if (n <= 0 || i2d_PKCS8_PRIV_KEY_INFO(p8, &p) != n) out.clear();
  PKCS8_PRIV_KEY_INFO_free(p8);
  return out;
}

// Reads an array of Buffers (TS validated the shape).
inline std::vector<Bytes> BytesList(const Napi::Value& v) {
  std::vector<Bytes> out;
  if (!v.IsArray()) return out;
  Napi::Array a = v.As<Napi::Array>();
  for (uint32_t i = 0; i < a.Length(); i++) out.push_back(ToBytes(a.Get(i)));
  return out;
}

inline Napi::Array ToArray(Napi::Env env, const std::vector<Bytes>& list) {
  Napi::Array a = Napi::Array::New(env, list.size());
  for (uint32_t i = 0; i < list.size(); i++) a.Set(i, ToBuffer(env, list[i]));
  return a;
}

inline std::string Str(const Napi::Object& o, const char* k) {
  Napi::Value v = o.Get(k);
  return v.IsString() ? v.As<Napi::String>().Utf8Value() : std::string();
}
inline bool Bool(const Napi::Object& o, const char* k) {
  Napi::Value v = o.Get(k);
  return v.IsBoolean() && v.As<Napi::Boolean>().Value();
}
inline int Int(const Napi::Object& o, const char* k, int dflt) {
  Napi::Value v = o.Get(k);
  return v.IsNumber() ? v.As<Napi::Number>().Int32Value() : dflt;
}
inline bool Has(const Napi::Object& o, const char* k) {
  Napi::Value v = o.Get(k);
  return !v.IsUndefined() && !v.IsNull();
}

// Whether a drained error queue names an algorithm the loaded providers do
// not implement (legacy ciphers on OpenSSL 3).
bool Unsupported(const std::vector<OpenSSLErrorEntry>& queue);

// Loads OpenSSL's legacy provider into the default library context once;
// false when the running OpenSSL has none.
bool EnsureLegacyProvider();

}  // namespace der
}  // namespace jsec

#include "common/async.h"

namespace jsec {
namespace der {

// Runs `work` on the libuv pool (Promise) or right here (sync variant), with
// the same error path either way.
template <typename R>
Napi::Value Run(Napi::Env env, bool async, const char* name, typename PromiseWorker<R>::Work work,
                typename PromiseWorker<R>::Done done) {
  if (async) return RunAsync<R>(env, name, std::move(work), std::move(done));
  PendingError err;
  R r{};
  {
    ErrorQueueGuard guard;
    // node-addon-api turns only Napi::Error into a JS throw; any other C++
    // exception leaving a callback aborts the process.
    try {
      r = work(err);
    } catch (const std::exception& e) {
      err.Capture("ERR_JSEC_INTERNAL", std::string("native work failed: ") + e.what(), false);
    }
  }
  if (err.set) throw err.ToError(env);
  return done(env, r);
}

}  // namespace der
}  // namespace jsec
