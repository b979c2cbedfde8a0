// MemoryBio: an OpenSSL memory BIO exposed to JS (write, read, peek, pending,
// close). Bytes written are read back in order; reads consume, peeks do not.
#include <openssl/bio.h>

#include <climits>

#include "common/buffers.h"
#include "common/errors.h"
#include "common/module.h"
#include "engine/live.h"

namespace jsec {
namespace {

class MemoryBio : public Napi::ObjectWrap<MemoryBio>, public Releasable {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "MemoryBio",
                       {InstanceMethod("write", &MemoryBio::Write), InstanceMethod("read", &MemoryBio::Read),
                        InstanceMethod("peek", &MemoryBio::Peek), InstanceMethod("pending", &MemoryBio::Pending),
                        InstanceMethod("close", &MemoryBio::Close)});
  }

  explicit MemoryBio(const Napi::CallbackInfo& info) : Napi::ObjectWrap<MemoryBio>(info) {
    ErrorQueueGuard guard;
    bio_ = BIO_new(BIO_s_mem());
    if (bio_ == nullptr) ThrowOpenSSL(info.Env(), "BIO_new failed");
    BIO_set_mem_eof_return(bio_, -1);
    Track(info.Env(), LiveKind::kMemoryBio);
  }
  ~MemoryBio() override { Release(); }

  void Release() override {
    if (bio_ != nullptr) {
      BIO_free(bio_);
      bio_ = nullptr;
    }
    Untrack();
  }

 private:
  void Open(Napi::Env env) {
    if (bio_ == nullptr) ThrowError(env, "ERR_JSEC_CLOSED", "The MemoryBio is closed");
  }

  Napi::Value Write(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    ErrorQueueGuard guard;
    Open(env);
    auto buf = info[0].As<Napi::Uint8Array>();
    if (buf.ByteLength() == 0) return Napi::Number::New(env, 0);
    // BIO_write takes an int: 4 GiB + k bytes would write only k.
    if (buf.ByteLength() > static_cast<size_t>(INT_MAX)) ThrowError(env, "ERR_OUT_OF_RANGE", "at most 2^31 - 1 bytes per write");
    int n = BIO_write(bio_, buf.Data(), static_cast<int>(buf.ByteLength()));
    if (n <= 0) ThrowOpenSSL(env, "BIO_write failed");
    return Napi::Number::New(env, n);
  }

  Napi::Value Read(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    ErrorQueueGuard guard;
    Open(env);
    size_t want = static_cast<size_t>(info[0].As<Napi::Number>().Int64Value());
    size_t pending = BIO_ctrl_pending(bio_);
    if (pending == 0) return env.Null();
    size_t n = want < pending ? want : pending;
    auto out = Napi::Buffer<unsigned char>::New(env, n);
    if (n == 0) return out;
    int r = BIO_read(bio_, out.Data(), static_cast<int>(n));
    if (r <= 0) return env.Null();
    return static_cast<size_t>(r) == n ? out : ToBuffer(env, out.Data(), static_cast<size_t>(r));
  }

  Napi::Value Peek(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Open(env);
    char* p = nullptr;
    long n = BIO_get_mem_data(bio_, &p);
    return ToBuffer(env, reinterpret_cast<unsigned char*>(p), n > 0 && p != nullptr ? static_cast<size_t>(n) : 0);
  }

  Napi::Value Pending(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Open(env);
    return Napi::Number::New(env, static_cast<double>(BIO_ctrl_pending(bio_)));
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    Release();
    return info.Env().Undefined();
  }

  BIO* bio_ = nullptr;
};

void Init(Napi::Env env, Napi::Object exports) { exports.Set("MemoryBio", MemoryBio::Define(env)); }

}  // namespace

JSEC_REGISTER(bio, Init);

}  // namespace jsec
