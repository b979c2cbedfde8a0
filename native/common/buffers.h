// Conversions between JS byte containers and OpenSSL objects.
#pragma once
#include <napi.h>

#include <string>
#include <vector>

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

// A read-only memory BIO over a copy of `data`.
BioPtr BioFromBytes(const Bytes& data);

}  // namespace jsec
