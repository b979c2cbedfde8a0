// Conversions between JS byte containers and OpenSSL objects.
#pragma once
#include <napi.h>

#include <string>
#include <vector>

#include "common/errors.h"
#include "common/handles.h"

namespace jsec {

using Bytes = std::vector<unsigned char>;

// Copies a Buffer / Uint8Array argument (TS validated its type).
Bytes ToBytes(const Napi::Value& v);

// Returns a new Buffer holding a copy of `data`.
Napi::Buffer<unsigned char> ToBuffer(Napi::Env env, const unsigned char* data, size_t len);
inline Napi::Buffer<unsigned char> ToBuffer(Napi::Env env, const Bytes& b) {
  return ToBuffer(env, b.data(), b.size());
}

// Everything written to a memory BIO, as bytes or a string.
Bytes BioToBytes(BIO* bio);
std::string BioToString(BIO* bio);

// Encodes `obj` with its OpenSSL i2d function; false (the error queue says
// why) when encoding fails.
template <typename T, typename I2d>
bool TryEncodeDer(T* obj, I2d i2d, Bytes* out) {
  unsigned char* der = nullptr;
  int n = i2d(obj, &der);
  if (n <= 0 || der == nullptr) return false;
  out->assign(der, der + n);
  OPENSSL_free(der);
  return true;
}

// Encodes `obj` with its OpenSSL i2d function; throws `code` (with the drained
// error queue) when encoding fails.
template <typename T, typename I2d>
Bytes EncodeDer(Napi::Env env, T* obj, I2d i2d, const char* what, const std::string& code) {
  Bytes out;
  if (!TryEncodeDer(obj, i2d, &out)) ThrowOpenSSL(env, std::string("cannot encode the ") + what, code);
  return out;
}

// The same off the main thread: an empty result with the failure recorded in `err`.
template <typename T, typename I2d>
Bytes EncodeDer(PendingError& err, T* obj, I2d i2d, const char* what, const std::string& code) {
  Bytes out;
  if (!TryEncodeDer(obj, i2d, &out)) err.Capture(code, std::string("cannot encode the ") + what);
  return out;
}

// A memory BIO over a copy of `data`; null when it cannot hold all of it
// (out of memory, or more than a memory BIO's ~1.5 GiB).
BioPtr BioFromBytes(const Bytes& data);

}  // namespace jsec
