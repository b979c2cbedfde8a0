// One-shot AEAD seal/open (AES-GCM, AES-CCM, ChaCha20-Poly1305). node:crypto
// has these ciphers, but its Cipheriv is a stream object whose setup costs
// several microseconds per message, a third of the throughput at 16 KiB.
// Here one call does the whole message: the cipher is fetched once per
// algorithm, input bytes are read in place and the output is written straight
// into the returned Buffer. TypeScript checks every size first.
#include <openssl/err.h>
#include <openssl/evp.h>

#include <climits>
#include <cstring>
#include <mutex>
#include <string>

#include "common/module.h"
#include "pkey/der.h"

namespace jsec {
namespace {

struct View {
  const unsigned char* data = nullptr;
  size_t size = 0;
};

// Reads a Buffer / TypedArray / ArrayBuffer in place (no copy).
View ViewOf(const Napi::Value& v) {
  View out;
  if (v.IsTypedArray()) {
    auto t = v.As<Napi::TypedArray>();
    out.data = static_cast<const unsigned char*>(t.ArrayBuffer().Data()) + t.ByteOffset();
    out.size = t.ByteLength();
  } else if (v.IsArrayBuffer()) {
    auto a = v.As<Napi::ArrayBuffer>();
    out.data = static_cast<const unsigned char*>(a.Data());
    out.size = a.ByteLength();
  } else if (v.IsDataView()) {
    auto d = v.As<Napi::DataView>();
    out.data = static_cast<const unsigned char*>(d.ArrayBuffer().Data()) + d.ByteOffset();
    out.size = d.ByteLength();
  }
  static const unsigned char kEmpty = 0;
  if (out.data == nullptr) out.data = &kEmpty;
  return out;
}

enum Alg { kAes128Gcm, kAes192Gcm, kAes256Gcm, kChaCha, kAes128Ccm, kAes192Ccm, kAes256Ccm, kAlgCount };
const char* const kNames[kAlgCount] = {"AES-128-GCM", "AES-192-GCM", "AES-256-GCM", "ChaCha20-Poly1305",
                                       "AES-128-CCM", "AES-192-CCM", "AES-256-CCM"};

// Fetched once, never freed (they live as long as the process's providers).
EVP_CIPHER* Cipher(int alg) {
  static EVP_CIPHER* cache[kAlgCount] = {};
  static std::once_flag once[kAlgCount];
  std::call_once(once[alg], [alg] { cache[alg] = EVP_CIPHER_fetch(nullptr, kNames[alg], nullptr); });
  return cache[alg];
}

bool IsCcm(int alg) { return alg >= kAes128Ccm; }

using CipherCtxPtr = Owned<EVP_CIPHER_CTX, EVP_CIPHER_CTX_free>;

// EVP_{En,De}cryptUpdate take an int length, and the TypeScript limits
// (GCM 2^36 - 32 bytes, ChaCha20-Poly1305 256 GiB) are far above INT_MAX: a
// plain cast would truncate a 4 GiB + k message to k bytes and return the
// rest of the output uninitialised. GCM and ChaCha20-Poly1305 stream, so
// their data and AAD go in slices; CCM takes its input in one call and
// refuses anything larger.
constexpr size_t kSlice = size_t{1} << 30;

bool Update(EVP_CIPHER_CTX* ctx, bool encrypt, unsigned char* out, const unsigned char* in, size_t len, size_t* written) {
  size_t total = 0;
  while (len > 0) {
    int n = static_cast<int>(len < kSlice ? len : kSlice);
    int outl = 0;
    unsigned char* dst = out != nullptr ? out + total : nullptr;
    if ((encrypt ? EVP_EncryptUpdate(ctx, dst, &outl, in, n) : EVP_DecryptUpdate(ctx, dst, &outl, in, n)) != 1) return false;
    total += static_cast<size_t>(outl);
    in += n;
    len -= static_cast<size_t>(n);
  }
  if (written != nullptr) *written = total;
  return true;
}

void CheckCcmSizes(Napi::Env env, bool ccm, size_t data, size_t aad) {
  if (ccm && (data > static_cast<size_t>(INT_MAX) || aad > static_cast<size_t>(INT_MAX)))
    ThrowError(env, "ERR_OUT_OF_RANGE", "CCM messages and AAD are limited to 2^31 - 1 bytes here");
}

// aeadSeal(alg, key, nonce, aad | null, plaintext, tagLength) -> Buffer(ciphertext || tag)
Napi::Value Seal(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ErrorQueueGuard guard;
  int alg = info[0].As<Napi::Number>().Int32Value();
  View key = ViewOf(info[1]), iv = ViewOf(info[2]), pt = ViewOf(info[4]);
  View aad = info[3].IsNull() || info[3].IsUndefined() ? View() : ViewOf(info[3]);
  int tagLen = info[5].As<Napi::Number>().Int32Value();
  EVP_CIPHER* cipher = Cipher(alg);
  if (cipher == nullptr) ThrowOpenSSL(env, std::string(kNames[alg]) + " is not available", "ERR_JSEC_UNSUPPORTED");
  CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  bool ccm = IsCcm(alg);
  CheckCcmSizes(env, ccm, pt.size, aad.size);
  int outl = 0;
  if (!ctx || EVP_EncryptInit_ex2(ctx.get(), cipher, nullptr, nullptr, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_SET_IVLEN, static_cast<int>(iv.size), nullptr) != 1 ||
      (ccm && EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_SET_TAG, tagLen, nullptr) != 1) ||
      EVP_EncryptInit_ex2(ctx.get(), nullptr, key.data, iv.data, nullptr) != 1 ||
      (ccm && EVP_EncryptUpdate(ctx.get(), nullptr, &outl, nullptr, static_cast<int>(pt.size)) != 1) ||
      (aad.size > 0 && !Update(ctx.get(), true, nullptr, aad.data, aad.size, nullptr))) {
    ThrowOpenSSL(env, "AEAD setup failed");
  }
  auto out = Napi::Buffer<unsigned char>::New(env, pt.size + static_cast<size_t>(tagLen));
  unsigned char* o = out.Data();
  // Re-read the input: allocating the output may not move it (JS is paused),
  // but the view must be taken after every allocation that could run GC.
  pt = ViewOf(info[4]);
  size_t done = 0;
  if (ccm ? EVP_EncryptUpdate(ctx.get(), o, &outl, pt.data, static_cast<int>(pt.size)) != 1
          : !Update(ctx.get(), true, o, pt.data, pt.size, &done)) {
    ThrowOpenSSL(env, "AEAD encryption failed");
  }
  if (ccm) done = static_cast<size_t>(outl);
  int fin = 0;
  if (EVP_EncryptFinal_ex(ctx.get(), o + done, &fin) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_GET_TAG, tagLen, o + pt.size) != 1) {
    ThrowOpenSSL(env, "AEAD finalisation failed");
  }
  return out;
}

// aeadOpen(alg, key, nonce, aad | null, ciphertext, tag) -> Buffer(plaintext)
// Throws ERR_JSEC_CRYPTO_AUTH_FAILED (and wipes the output) on a bad tag.
Napi::Value Open(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ErrorQueueGuard guard;
  int alg = info[0].As<Napi::Number>().Int32Value();
  View key = ViewOf(info[1]), iv = ViewOf(info[2]), ct = ViewOf(info[4]), tag = ViewOf(info[5]);
  View aad = info[3].IsNull() || info[3].IsUndefined() ? View() : ViewOf(info[3]);
  EVP_CIPHER* cipher = Cipher(alg);
  if (cipher == nullptr) ThrowOpenSSL(env, std::string(kNames[alg]) + " is not available", "ERR_JSEC_UNSUPPORTED");
  CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  bool ccm = IsCcm(alg);
  CheckCcmSizes(env, ccm, ct.size, aad.size);
  int outl = 0;
  auto* tagp = const_cast<unsigned char*>(tag.data);
  if (!ctx || EVP_DecryptInit_ex2(ctx.get(), cipher, nullptr, nullptr, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_SET_IVLEN, static_cast<int>(iv.size), nullptr) != 1 ||
      (ccm && EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_SET_TAG, static_cast<int>(tag.size), tagp) != 1) ||
      EVP_DecryptInit_ex2(ctx.get(), nullptr, key.data, iv.data, nullptr) != 1 ||
      (ccm && EVP_DecryptUpdate(ctx.get(), nullptr, &outl, nullptr, static_cast<int>(ct.size)) != 1) ||
      (aad.size > 0 && !Update(ctx.get(), false, nullptr, aad.data, aad.size, nullptr))) {
    ThrowOpenSSL(env, "AEAD setup failed");
  }
  auto out = Napi::Buffer<unsigned char>::New(env, ct.size);
  unsigned char* o = out.Data();
  ct = ViewOf(info[4]);
  tag = ViewOf(info[5]);
  bool ok;
  if (ccm) {
    // CCM verifies the tag inside the one update call (even for no data).
    ok = EVP_DecryptUpdate(ctx.get(), o, &outl, ct.data, static_cast<int>(ct.size)) == 1;
  } else {
    int fin = 0;
    size_t done = 0;
    ok = Update(ctx.get(), false, o, ct.data, ct.size, &done) &&
         EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_SET_TAG, static_cast<int>(tag.size), const_cast<unsigned char*>(tag.data)) == 1 &&
         EVP_DecryptFinal_ex(ctx.get(), o + done, &fin) == 1;
  }
  if (!ok) {
    OPENSSL_cleanse(o, ct.size);
    ERR_clear_error();
    ThrowError(env, "ERR_JSEC_CRYPTO_AUTH_FAILED", "AEAD authentication failed");
  }
  return out;
}

// A keyed AEAD: the key schedule (and GCM's hash table) is computed once and
// each message only sets its nonce, as a long-lived TLS record layer does.
// The contexts are freed (and cleansed by OpenSSL) on close() or collection.
class AeadKey : public Napi::ObjectWrap<AeadKey> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "AeadKey",
                       {InstanceMethod<&AeadKey::SealM>("seal"), InstanceMethod<&AeadKey::OpenM>("open"),
                        InstanceMethod<&AeadKey::CloseM>("close")});
  }

  explicit AeadKey(const Napi::CallbackInfo& info) : Napi::ObjectWrap<AeadKey>(info) {
    Napi::Env env = info.Env();
    ErrorQueueGuard guard;
    alg_ = info[0].As<Napi::Number>().Int32Value();
    View key = ViewOf(info[1]);
    // CCM bakes the tag and length-field sizes into its key setup, so it
    // sets the key again per message; the other modes keep the schedule.
    if (IsCcm(alg_)) key_.assign(key.data, key.data + key.size);
    EVP_CIPHER* cipher = Cipher(alg_);
    if (cipher == nullptr) ThrowOpenSSL(env, std::string(kNames[alg_]) + " is not available", "ERR_JSEC_UNSUPPORTED");
    enc_.reset(EVP_CIPHER_CTX_new());
    dec_.reset(EVP_CIPHER_CTX_new());
    if (!enc_ || !dec_ || EVP_EncryptInit_ex2(enc_.get(), cipher, key.data, nullptr, nullptr) != 1 ||
        EVP_DecryptInit_ex2(dec_.get(), cipher, key.data, nullptr, nullptr) != 1) {
      ThrowOpenSSL(env, "AEAD key setup failed");
    }
  }

 private:
  void Check(Napi::Env env) {
    if (!enc_) ThrowError(env, "ERR_JSEC_CLOSED", "the AEAD key was closed");
  }

  // seal(nonce, aad | null, plaintext, tagLength) -> ciphertext || tag
  Napi::Value SealM(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Check(env);
    ErrorQueueGuard guard;
    View iv = ViewOf(info[0]), pt = ViewOf(info[2]);
    View aad = info[1].IsNull() || info[1].IsUndefined() ? View() : ViewOf(info[1]);
    int tagLen = info[3].As<Napi::Number>().Int32Value();
    bool ccm = IsCcm(alg_);
    CheckCcmSizes(env, ccm, pt.size, aad.size);
    EVP_CIPHER_CTX* ctx = enc_.get();
    int outl = 0;
    if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, static_cast<int>(iv.size), nullptr) != 1 ||
        (ccm && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, tagLen, nullptr) != 1) ||
        EVP_EncryptInit_ex2(ctx, nullptr, ccm ? key_.data() : nullptr, iv.data, nullptr) != 1 ||
        (ccm && EVP_EncryptUpdate(ctx, nullptr, &outl, nullptr, static_cast<int>(pt.size)) != 1) ||
        (aad.size > 0 && !Update(ctx, true, nullptr, aad.data, aad.size, nullptr))) {
      ThrowOpenSSL(env, "AEAD setup failed");
    }
    // An optional caller-owned output (TS checked its size) avoids one
    // allocation per message.
    Napi::Value result;
    unsigned char* o;
    if (info.Length() > 4 && info[4].IsTypedArray()) {
      result = info[4];
      o = const_cast<unsigned char*>(ViewOf(info[4]).data);
    } else {
      auto out = Napi::Buffer<unsigned char>::New(env, pt.size + static_cast<size_t>(tagLen));
      o = out.Data();
      result = out;
    }
    pt = ViewOf(info[2]);
    int fin = 0;
    size_t done = 0;
    bool updated = ccm ? EVP_EncryptUpdate(ctx, o, &outl, pt.data, static_cast<int>(pt.size)) == 1
                       : Update(ctx, true, o, pt.data, pt.size, &done);
    if (ccm) done = static_cast<size_t>(outl);
    if (!updated || EVP_EncryptFinal_ex(ctx, o + done, &fin) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, tagLen, o + pt.size) != 1) {
      ThrowOpenSSL(env, "AEAD encryption failed");
    }
    return result;
  }

  // open(nonce, aad | null, ciphertext, tag) -> plaintext (wiped and thrown on a bad tag)
  Napi::Value OpenM(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Check(env);
    ErrorQueueGuard guard;
    View iv = ViewOf(info[0]), ct = ViewOf(info[2]), tag = ViewOf(info[3]);
    View aad = info[1].IsNull() || info[1].IsUndefined() ? View() : ViewOf(info[1]);
    bool ccm = IsCcm(alg_);
    CheckCcmSizes(env, ccm, ct.size, aad.size);
    EVP_CIPHER_CTX* ctx = dec_.get();
    int outl = 0;
    if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, static_cast<int>(iv.size), nullptr) != 1 ||
        (ccm && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, static_cast<int>(tag.size), const_cast<unsigned char*>(tag.data)) != 1) ||
        EVP_DecryptInit_ex2(ctx, nullptr, ccm ? key_.data() : nullptr, iv.data, nullptr) != 1 ||
        (ccm && EVP_DecryptUpdate(ctx, nullptr, &outl, nullptr, static_cast<int>(ct.size)) != 1) ||
        (aad.size > 0 && !Update(ctx, false, nullptr, aad.data, aad.size, nullptr))) {
      ThrowOpenSSL(env, "AEAD setup failed");
    }
    Napi::Value result;
    unsigned char* o;
    if (info.Length() > 4 && info[4].IsTypedArray()) {
      result = info[4];
      o = const_cast<unsigned char*>(ViewOf(info[4]).data);
    } else {
      auto out = Napi::Buffer<unsigned char>::New(env, ct.size);
      o = out.Data();
      result = out;
    }
    ct = ViewOf(info[2]);
    tag = ViewOf(info[3]);
    bool ok;
    if (ccm) {
      ok = EVP_DecryptUpdate(ctx, o, &outl, ct.data, static_cast<int>(ct.size)) == 1;
    } else {
      int fin = 0;
      size_t done = 0;
      ok = Update(ctx, false, o, ct.data, ct.size, &done) &&
           EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, static_cast<int>(tag.size), const_cast<unsigned char*>(tag.data)) == 1 &&
           EVP_DecryptFinal_ex(ctx, o + done, &fin) == 1;
    }
    if (!ok) {
      OPENSSL_cleanse(o, ct.size);
      ERR_clear_error();
      ThrowError(env, "ERR_JSEC_CRYPTO_AUTH_FAILED", "AEAD authentication failed");
    }
    return result;
  }

  Napi::Value CloseM(const Napi::CallbackInfo& info) {
    Release();
    return info.Env().Undefined();
  }

  void Release() {
    enc_.reset();
    dec_.reset();
    if (!key_.empty()) OPENSSL_cleanse(key_.data(), key_.size());
    key_.clear();
  }

 public:
  ~AeadKey() override { Release(); }

 private:
  int alg_ = 0;
  Bytes key_;
  CipherCtxPtr enc_;
  CipherCtxPtr dec_;
};

void Init(Napi::Env env, Napi::Object exports) {
  exports.Set("aeadSeal", Napi::Function::New(env, Seal, "aeadSeal"));
  exports.Set("aeadOpen", Napi::Function::New(env, Open, "aeadOpen"));
  exports.Set("AeadKey", AeadKey::Define(env));
}

}  // namespace

JSEC_REGISTER(aead, Init);

}  // namespace jsec
