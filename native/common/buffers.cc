#include "common/buffers.h"

namespace jsec {

Bytes ToBytes(const Napi::Value& v) {
  // napi_is_buffer accepts every ArrayBufferView, but napi_get_buffer_info
  // fails on a DataView ("Invalid argument", an untyped Error): read it here.
  if (v.IsDataView()) {
    auto d = v.As<Napi::DataView>();
    const auto* p = static_cast<const unsigned char*>(d.ArrayBuffer().Data()) + d.ByteOffset();
    return d.ByteLength() == 0 ? Bytes() : Bytes(p, p + d.ByteLength());
  }
  if (v.IsBuffer()) {
    auto b = v.As<Napi::Buffer<unsigned char>>();
    return Bytes(b.Data(), b.Data() + b.Length());
  }
  if (v.IsTypedArray()) {
    auto t = v.As<Napi::Uint8Array>();
    return Bytes(t.Data(), t.Data() + t.ByteLength());
  }
  if (v.IsString()) {
    std::string s = v.As<Napi::String>().Utf8Value();
    return Bytes(s.begin(), s.end());
  }
  return Bytes();
}

Napi::Buffer<unsigned char> ToBuffer(Napi::Env env, const unsigned char* data, size_t len) {
  return Napi::Buffer<unsigned char>::Copy(env, data, len);
}

Bytes BioToBytes(BIO* bio) {
  char* p = nullptr;
  long n = BIO_get_mem_data(bio, &p);
  if (n <= 0 || p == nullptr) return Bytes();
  return Bytes(reinterpret_cast<unsigned char*>(p), reinterpret_cast<unsigned char*>(p) + n);
}

std::string BioToString(BIO* bio) {
  char* p = nullptr;
  long n = BIO_get_mem_data(bio, &p);
  if (n <= 0 || p == nullptr) return std::string();
  return std::string(p, static_cast<size_t>(n));
}

BioPtr BioFromBytes(const Bytes& data) {
  // BIO_new_mem_buf does not copy; a fresh memory BIO owns its copy.
  BioPtr bio(BIO_new(BIO_s_mem()));
  // BIO_write takes an int and a memory BIO stops growing near 1.5 GiB: a
  // write that does not take everything is a failure (null), never a
  // silently truncated (or, past 2 GiB, empty) input.
  size_t off = 0;
  while (bio && off < data.size()) {
    size_t n = 0;
    if (BIO_write_ex(bio.get(), data.data() + off, data.size() - off, &n) != 1 || n == 0) return BioPtr();
    off += n;
  }
  return bio;
}

}  // namespace jsec
