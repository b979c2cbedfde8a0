// One-shot AEAD seal/open (AES-GCM, AES-CCM, ChaCha20-Poly1305). node:crypto
// has these ciphers, but its Cipheriv is a stream object whose setup costs
// several microseconds per message, a third of the throughput at 16 KiB.
// Here one call does the whole message: the cipher is fetched once per
// algorithm, input bytes are read in place and the output is written straight
// into the returned Buffer. TypeScript checks every size first.
#include <openssl/err.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <climits>
#include <cstring>
#include <memory>
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

// Reads a Buffer / TypedArray / DataView / ArrayBuffer in place (no copy).
// TypeScript hands every argument over as a Buffer, so the common case is
// one napi_get_buffer_info call, which takes any ArrayBufferView and gives
// its bytes at its offset (node-addon-api's typed-array wrappers make four
// calls, each walking V8's typed-array kinds).
View ViewOf(const Napi::Value& v) {
  View out;
  void* data = nullptr;
  size_t length = 0;
  if (napi_get_buffer_info(v.Env(), v, &data, &length) == napi_ok) {
    out.data = static_cast<const unsigned char*>(data);
    out.size = length;
  } else if (v.IsArrayBuffer()) {
    auto a = v.As<Napi::ArrayBuffer>();
    out.data = static_cast<const unsigned char*>(a.Data());
    out.size = a.ByteLength();
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

// The tag goes straight through the provider's parameters: the same
// OSSL_CIPHER_PARAM_AEAD_TAG that EVP_CIPHER_CTX_ctrl builds, without the
// ctrl translation layer on every message.
bool GetTag(EVP_CIPHER_CTX* ctx, unsigned char* out, int len) {
  OSSL_PARAM params[2] = {OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG, out, static_cast<size_t>(len)),
                          OSSL_PARAM_construct_end()};
  return EVP_CIPHER_CTX_get_params(ctx, params) == 1;
}

bool SetTag(EVP_CIPHER_CTX* ctx, const View& tag) {
  OSSL_PARAM params[2] = {
      OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG, const_cast<unsigned char*>(tag.data), tag.size),
      OSSL_PARAM_construct_end()};
  return EVP_CIPHER_CTX_set_params(ctx, params) == 1;
}

void CheckCcmSizes(Napi::Env env, bool ccm, size_t data, size_t aad) {
  if (ccm && (data > static_cast<size_t>(INT_MAX) || aad > static_cast<size_t>(INT_MAX)))
    ThrowError(env, "ERR_OUT_OF_RANGE", "CCM messages and AAD are limited to 2^31 - 1 bytes here");
}

// A caller-owned output (TypeScript checked its size and overlap) or, with
// `*allocated` set, a new Buffer.
unsigned char* OutputOf(const Napi::CallbackInfo& info, size_t index, size_t size, Napi::Value* result, bool* allocated) {
  View given = info.Length() > index ? ViewOf(info[index]) : View();
  *allocated = given.size == 0;
  if (!*allocated) {
    *result = info[index];
    return const_cast<unsigned char*>(given.data);
  }
  auto out = Napi::Buffer<unsigned char>::New(info.Env(), size);
  *result = out;
  return out.Data();
}

// One message's arguments: nonce, AAD (null: none), data, then the tag
// length (sealing) or the tag (opening), then an optional output; `at` is
// the nonce's index (the one-shot calls have algorithm and key before it).
struct Message {
  View iv, aad, data, tag;
  int tagLen = 0;
  size_t out = 0;  // index of the optional output argument

  Message(const Napi::CallbackInfo& info, size_t at, bool seal)
      : iv(ViewOf(info[at])), aad(ViewOf(info[at + 1])), data(ViewOf(info[at + 2])), out(at + 4) {
    if (seal) {
      tagLen = info[at + 3].As<Napi::Number>().Int32Value();
    } else {
      tag = ViewOf(info[at + 3]);
      tagLen = static_cast<int>(tag.size);
    }
  }
};

// The per-message setup on a context that has its cipher (and its key,
// except for CCM, which takes `key` again per message): the nonce length
// (only when it differs from *ivLen; every time when ivLen is null or for
// CCM), CCM's tag and message lengths, the nonce, then the AAD.
bool Begin(EVP_CIPHER_CTX* ctx, bool seal, bool ccm, const unsigned char* key, const Message& m, size_t* ivLen) {
  if (ccm || ivLen == nullptr || *ivLen != m.iv.size) {
    if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, static_cast<int>(m.iv.size), nullptr) != 1) {
      if (ivLen != nullptr) *ivLen = 0;
      return false;
    }
    if (ivLen != nullptr) *ivLen = m.iv.size;
  }
  int outl = 0;
  void* ccmTag = seal ? nullptr : const_cast<unsigned char*>(m.tag.data);
  int len = static_cast<int>(m.data.size);
  return (!ccm || EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, m.tagLen, ccmTag) == 1) &&
         (seal ? EVP_EncryptInit_ex2(ctx, nullptr, key, m.iv.data, nullptr) : EVP_DecryptInit_ex2(ctx, nullptr, key, m.iv.data, nullptr)) == 1 &&
         (!ccm || (seal ? EVP_EncryptUpdate(ctx, nullptr, &outl, nullptr, len) : EVP_DecryptUpdate(ctx, nullptr, &outl, nullptr, len)) == 1) &&
         (m.aad.size == 0 || Update(ctx, seal, nullptr, m.aad.data, m.aad.size, nullptr));
}

// Seals the message on a prepared context: setup, then ciphertext || tag
// into the caller's output or a new Buffer.
Napi::Value SealWith(const Napi::CallbackInfo& info, EVP_CIPHER_CTX* ctx, bool ccm, const unsigned char* key, Message m, size_t* ivLen) {
  Napi::Env env = info.Env();
  CheckCcmSizes(env, ccm, m.data.size, m.aad.size);
  if (!Begin(ctx, true, ccm, key, m, ivLen)) ThrowOpenSSL(env, "AEAD setup failed");
  Napi::Value result;
  bool allocated = false;
  unsigned char* o = OutputOf(info, m.out, m.data.size + static_cast<size_t>(m.tagLen), &result, &allocated);
  // Allocating the output may not move the input (JS is paused), but take
  // the view again after any allocation all the same.
  if (allocated) m.data = ViewOf(info[m.out - 2]);
  int outl = 0, fin = 0;
  size_t done = 0;
  bool updated = ccm ? EVP_EncryptUpdate(ctx, o, &outl, m.data.data, static_cast<int>(m.data.size)) == 1
                     : Update(ctx, true, o, m.data.data, m.data.size, &done);
  if (ccm) done = static_cast<size_t>(outl);
  if (!updated || EVP_EncryptFinal_ex(ctx, o + done, &fin) != 1 || !GetTag(ctx, o + m.data.size, m.tagLen)) {
    ThrowOpenSSL(env, "AEAD encryption failed");
  }
  return result;
}

// Opens the message on a prepared context: the plaintext into the caller's
// output or a new Buffer; on a bad tag the output is wiped and
// ERR_JSEC_CRYPTO_AUTH_FAILED thrown.
Napi::Value OpenWith(const Napi::CallbackInfo& info, EVP_CIPHER_CTX* ctx, bool ccm, const unsigned char* key, Message m, size_t* ivLen) {
  Napi::Env env = info.Env();
  CheckCcmSizes(env, ccm, m.data.size, m.aad.size);
  if (!Begin(ctx, false, ccm, key, m, ivLen)) ThrowOpenSSL(env, "AEAD setup failed");
  Napi::Value result;
  bool allocated = false;
  unsigned char* o = OutputOf(info, m.out, m.data.size, &result, &allocated);
  if (allocated) {
    m.data = ViewOf(info[m.out - 2]);
    m.tag = ViewOf(info[m.out - 1]);
  }
  int outl = 0, fin = 0;
  size_t done = 0;
  // CCM verifies the tag inside its one update call (even for no data).
  bool ok = ccm ? EVP_DecryptUpdate(ctx, o, &outl, m.data.data, static_cast<int>(m.data.size)) == 1
                : Update(ctx, false, o, m.data.data, m.data.size, &done) && SetTag(ctx, m.tag) &&
                      EVP_DecryptFinal_ex(ctx, o + done, &fin) == 1;
  if (!ok) {
    OPENSSL_cleanse(o, m.data.size);
    ERR_clear_error();
    ThrowError(env, "ERR_JSEC_CRYPTO_AUTH_FAILED", "AEAD authentication failed");
  }
  return result;
}

// A fresh context for one message of `alg` (the one-shot calls).
CipherCtxPtr OneShotContext(Napi::Env env, int alg, bool seal) {
  EVP_CIPHER* cipher = Cipher(alg);
  if (cipher == nullptr) ThrowOpenSSL(env, std::string(kNames[alg]) + " is not available", "ERR_JSEC_UNSUPPORTED");
  CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  if (!ctx || (seal ? EVP_EncryptInit_ex2(ctx.get(), cipher, nullptr, nullptr, nullptr) : EVP_DecryptInit_ex2(ctx.get(), cipher, nullptr, nullptr, nullptr)) != 1)
    ThrowOpenSSL(env, "AEAD setup failed");
  return ctx;
}

// aeadSeal(alg, key, nonce, aad | null, plaintext, tagLength, output?) -> ciphertext || tag
Napi::Value Seal(const Napi::CallbackInfo& info) {
  ErrorQueueGuard guard;
  int alg = info[0].As<Napi::Number>().Int32Value();
  CipherCtxPtr ctx = OneShotContext(info.Env(), alg, true);
  return SealWith(info, ctx.get(), IsCcm(alg), ViewOf(info[1]).data, Message(info, 2, true), nullptr);
}

// aeadOpen(alg, key, nonce, aad | null, ciphertext, tag, output?) -> plaintext
Napi::Value Open(const Napi::CallbackInfo& info) {
  ErrorQueueGuard guard;
  int alg = info[0].As<Napi::Number>().Int32Value();
  CipherCtxPtr ctx = OneShotContext(info.Env(), alg, false);
  return OpenWith(info, ctx.get(), IsCcm(alg), ViewOf(info[1]).data, Message(info, 2, false), nullptr);
}

// A keyed AEAD: the key schedule (and GCM's hash table) is computed once and
// each message only sets its nonce, as a long-lived TLS record layer does.
// JS holds it as an External (the per-message calls read it back with one
// napi_get_value_external; an ObjectWrap unwrap costs a private-symbol
// lookup on every message). The contexts are freed (and cleansed by OpenSSL)
// on close() or when the External is collected.
struct KeyState {
  int alg = 0;
  Bytes key;  // CCM only: it sets its key again per message
  CipherCtxPtr enc;
  CipherCtxPtr dec;
  size_t encIvLen = 0;
  size_t decIvLen = 0;

  void Release() {
    enc.reset();
    dec.reset();
    if (!key.empty()) OPENSSL_cleanse(key.data(), key.size());
    key.clear();
  }
  ~KeyState() { Release(); }
};

// The state behind an aeadKeyNew() External. TypeScript passes only the
// External it was given (it is never exposed), so the cast is sound.
KeyState* StateOf(const Napi::CallbackInfo& info, bool live = true) {
  void* p = nullptr;
  if (napi_get_value_external(info.Env(), info[0], &p) != napi_ok || p == nullptr)
    ThrowError(info.Env(), "ERR_INVALID_ARG_TYPE", "not an AEAD key handle");
  auto* k = static_cast<KeyState*>(p);
  if (live && !k->enc) ThrowError(info.Env(), "ERR_JSEC_CLOSED", "the AEAD key was closed");
  return k;
}

// aeadKeyNew(alg, key) -> External
Napi::Value KeyNew(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ErrorQueueGuard guard;
  auto state = std::make_unique<KeyState>();
  state->alg = info[0].As<Napi::Number>().Int32Value();
  View key = ViewOf(info[1]);
  if (IsCcm(state->alg)) state->key.assign(key.data, key.data + key.size);
  EVP_CIPHER* cipher = Cipher(state->alg);
  if (cipher == nullptr) ThrowOpenSSL(env, std::string(kNames[state->alg]) + " is not available", "ERR_JSEC_UNSUPPORTED");
  state->enc.reset(EVP_CIPHER_CTX_new());
  state->dec.reset(EVP_CIPHER_CTX_new());
  if (!state->enc || !state->dec || EVP_EncryptInit_ex2(state->enc.get(), cipher, key.data, nullptr, nullptr) != 1 ||
      EVP_DecryptInit_ex2(state->dec.get(), cipher, key.data, nullptr, nullptr) != 1) {
    ThrowOpenSSL(env, "AEAD key setup failed");
  }
  return Napi::External<KeyState>::New(env, state.release(), [](Napi::Env, KeyState* k) { delete k; });
}

// aeadKeySeal(handle, nonce, aad | null, plaintext, tagLength, output?) -> ciphertext || tag
// The nonce length stays in the context between messages, so it is set only
// when it changes (one provider round trip less per message).
Napi::Value KeySeal(const Napi::CallbackInfo& info) {
  KeyState* k = StateOf(info);
  ErrorQueueGuard guard;
  bool ccm = IsCcm(k->alg);
  return SealWith(info, k->enc.get(), ccm, ccm ? k->key.data() : nullptr, Message(info, 1, true), &k->encIvLen);
}

// aeadKeyOpen(handle, nonce, aad | null, ciphertext, tag, output?) -> plaintext
Napi::Value KeyOpen(const Napi::CallbackInfo& info) {
  KeyState* k = StateOf(info);
  ErrorQueueGuard guard;
  bool ccm = IsCcm(k->alg);
  return OpenWith(info, k->dec.get(), ccm, ccm ? k->key.data() : nullptr, Message(info, 1, false), &k->decIvLen);
}

// aeadKeyClose(handle): frees the contexts now; idempotent.
Napi::Value KeyClose(const Napi::CallbackInfo& info) {
  StateOf(info, false)->Release();
  return info.Env().Undefined();
}

void Init(Napi::Env env, Napi::Object exports) {
  exports.Set("aeadSeal", Napi::Function::New(env, Seal, "aeadSeal"));
  exports.Set("aeadOpen", Napi::Function::New(env, Open, "aeadOpen"));
  exports.Set("aeadKeyNew", Napi::Function::New(env, KeyNew, "aeadKeyNew"));
  exports.Set("aeadKeySeal", Napi::Function::New(env, KeySeal, "aeadKeySeal"));
  exports.Set("aeadKeyOpen", Napi::Function::New(env, KeyOpen, "aeadKeyOpen"));
  exports.Set("aeadKeyClose", Napi::Function::New(env, KeyClose, "aeadKeyClose"));
}

}  // namespace

JSEC_REGISTER(aead, Init);

}  // namespace jsec
