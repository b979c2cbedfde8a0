// One-shot AEAD seal/open (AES-GCM, AES-CCM, ChaCha20-Poly1305). node:crypto
// has these ciphers, but its Cipheriv is a stream object whose setup costs
// several microseconds per message, a third of the throughput at 16 KiB.
// Here one call does the whole message: the cipher is fetched once per
// algorithm, input bytes are read in place and the output is written straight
// into the returned Buffer. TypeScript checks every size first.
#include <openssl/err.h>
#include <openssl/evp.h>

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
  int outl = 0;
  if (!ctx || EVP_EncryptInit_ex2(ctx.get(), cipher, nullptr, nullptr, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_SET_IVLEN, static_cast<int>(iv.size), nullptr) != 1 ||
      (ccm && EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_SET_TAG, tagLen, nullptr) != 1) ||
      EVP_EncryptInit_ex2(ctx.get(), nullptr, key.data, iv.data, nullptr) != 1 ||
      (ccm && EVP_EncryptUpdate(ctx.get(), nullptr, &outl, nullptr, static_cast<int>(pt.size)) != 1) ||
      (aad.size > 0 && EVP_EncryptUpdate(ctx.get(), nullptr, &outl, aad.data, static_cast<int>(aad.size)) != 1)) {
    ThrowOpenSSL(env, "AEAD setup failed");
  }
  auto out = Napi::Buffer<unsigned char>::New(env, pt.size + static_cast<size_t>(tagLen));
  unsigned char* o = out.Data();
  // Re-read the input: allocating the output may not move it (JS is paused),
  // but the view must be taken after every allocation that could run GC.
  pt = ViewOf(info[4]);
  if ((pt.size > 0 || ccm) && EVP_EncryptUpdate(ctx.get(), o, &outl, pt.data, static_cast<int>(pt.size)) != 1) {
    ThrowOpenSSL(env, "AEAD encryption failed");
  }
  int fin = 0;
  if (EVP_EncryptFinal_ex(ctx.get(), o + outl, &fin) != 1 ||
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
  int outl = 0;
  auto* tagp = const_cast<unsigned char*>(tag.data);
  if (!ctx || EVP_DecryptInit_ex2(ctx.get(), cipher, nullptr, nullptr, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_SET_IVLEN, static_cast<int>(iv.size), nullptr) != 1 ||
      (ccm && EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_SET_TAG, static_cast<int>(tag.size), tagp) != 1) ||
      EVP_DecryptInit_ex2(ctx.get(), nullptr, key.data, iv.data, nullptr) != 1 ||
      (ccm && EVP_DecryptUpdate(ctx.get(), nullptr, &outl, nullptr, static_cast<int>(ct.size)) != 1) ||
      (aad.size > 0 && EVP_DecryptUpdate(ctx.get(), nullptr, &outl, aad.data, static_cast<int>(aad.size)) != 1)) {
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
    ok = (ct.size == 0 || EVP_DecryptUpdate(ctx.get(), o, &outl, ct.data, static_cast<int>(ct.size)) == 1) &&
         EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_SET_TAG, static_cast<int>(tag.size), const_cast<unsigned char*>(tag.data)) == 1 &&
         EVP_DecryptFinal_ex(ctx.get(), o + outl, &fin) == 1;
  }
  if (!ok) {
    OPENSSL_cleanse(o, ct.size);
    ERR_clear_error();
    ThrowError(env, "ERR_JSEC_CRYPTO_AUTH_FAILED", "AEAD authentication failed");
  }
  return out;
}

void Init(Napi::Env env, Napi::Object exports) {
  exports.Set("aeadSeal", Napi::Function::New(env, Seal, "aeadSeal"));
  exports.Set("aeadOpen", Napi::Function::New(env, Open, "aeadOpen"));
}

}  // namespace

JSEC_REGISTER(aead, Init);

}  // namespace jsec
