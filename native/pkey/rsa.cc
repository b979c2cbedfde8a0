// RSA operations node:crypto cannot express: OAEP and PSS with an MGF1 hash
// that differs from the message hash (EVP_PKEY_CTX_set_rsa_mgf1_md). Keys
// arrive as PKCS#8 (private) or SPKI (public) DER.
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <cstring>
#include <string>

#include "common/module.h"
#include "pkey/der.h"

namespace jsec {
namespace {

const EVP_MD* Md(Napi::Env env, const Napi::Value& v) {
  std::string n = v.As<Napi::String>().Utf8Value();
  const EVP_MD* md = EVP_get_digestbyname(n.c_str());
  if (md == nullptr) ThrowError(env, "ERR_JSEC_UNSUPPORTED", "digest " + n + " is not available");
  return md;
}

PkeyPtr Key(Napi::Env env, const Napi::Value& v, bool priv) {
  Bytes d = ToBytes(v);
  PkeyPtr k = priv ? der::PrivateKey(d) : der::PublicKey(d);
  if (!k) ThrowOpenSSL(env, "could not read the RSA key", "ERR_JSEC_CRYPTO_INVALID_KEY");
  return k;
}

// rsaOaep(encrypt, keyDer, data, hash, mgf1Hash, label | null) -> Buffer
Napi::Value Oaep(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ErrorQueueGuard guard;
  bool encrypt = info[0].ToBoolean();
  PkeyPtr key = Key(env, info[1], !encrypt);
  Bytes in = ToBytes(info[2]);
  const EVP_MD* md = Md(env, info[3]);
  const EVP_MD* mgf1 = Md(env, info[4]);
  Bytes label = info[5].IsNull() || info[5].IsUndefined() ? Bytes() : ToBytes(info[5]);
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new(key.get(), nullptr));
  if (!ctx || (encrypt ? EVP_PKEY_encrypt_init(ctx.get()) : EVP_PKEY_decrypt_init(ctx.get())) != 1 ||
      EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_OAEP_PADDING) <= 0 ||
      EVP_PKEY_CTX_set_rsa_oaep_md(ctx.get(), md) <= 0 || EVP_PKEY_CTX_set_rsa_mgf1_md(ctx.get(), mgf1) <= 0) {
    ThrowOpenSSL(env, "could not set up RSA-OAEP", "ERR_JSEC_CRYPTO_WRONG_KEY_TYPE");
  }
  if (!label.empty()) {
    // The context takes ownership of an OPENSSL_malloc'd copy.
    auto* l = static_cast<unsigned char*>(OPENSSL_malloc(label.size()));
    if (l == nullptr) ThrowOpenSSL(env, "out of memory");
    std::memcpy(l, label.data(), label.size());
    if (EVP_PKEY_CTX_set0_rsa_oaep_label(ctx.get(), l, static_cast<int>(label.size())) <= 0) {
      OPENSSL_free(l);
      ThrowOpenSSL(env, "could not set the OAEP label");
    }
  }
  size_t outLen = 0;
  auto op = encrypt ? EVP_PKEY_encrypt : EVP_PKEY_decrypt;
  if (op(ctx.get(), nullptr, &outLen, in.data(), in.size()) != 1) {
    ThrowOpenSSL(env, encrypt ? "RSA-OAEP encryption failed" : "RSA-OAEP decryption failed",
                 encrypt ? "ERR_JSEC_CRYPTO_PLAINTEXT_TOO_LONG" : "ERR_JSEC_CRYPTO_DECRYPT_FAILED");
  }
  Bytes out(outLen);
  if (op(ctx.get(), out.data(), &outLen, in.data(), in.size()) != 1) {
    if (encrypt) ThrowOpenSSL(env, "RSA-OAEP encryption failed (plaintext too long?)", "ERR_JSEC_CRYPTO_PLAINTEXT_TOO_LONG");
    // One error for every decryption failure: no padding oracle in the code.
    ERR_clear_error();
    ThrowError(env, "ERR_JSEC_CRYPTO_DECRYPT_FAILED", "RSA-OAEP decryption failed");
  }
  out.resize(outLen);
  Napi::Value v = ToBuffer(env, out);
  OPENSSL_cleanse(out.data(), out.size());
  return v;
}

// rsaPss(sign, keyDer, data, hash, mgf1Hash, saltLength, signature | null)
//   -> Buffer (sign) or boolean (verify).
Napi::Value Pss(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ErrorQueueGuard guard;
  bool sign = info[0].ToBoolean();
  PkeyPtr key = Key(env, info[1], sign);
  Bytes data = ToBytes(info[2]);
  const EVP_MD* md = Md(env, info[3]);
  const EVP_MD* mgf1 = Md(env, info[4]);
  int salt = info[5].As<Napi::Number>().Int32Value();
  MdCtxPtr mctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;  // owned by mctx
  int init = sign ? EVP_DigestSignInit(mctx.get(), &pctx, md, nullptr, key.get())
                  : EVP_DigestVerifyInit(mctx.get(), &pctx, md, nullptr, key.get());
  if (!mctx || init != 1 || EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) <= 0 ||
      EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, mgf1) <= 0 || EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, salt) <= 0) {
    ThrowOpenSSL(env, "could not set up RSA-PSS", "ERR_JSEC_CRYPTO_WRONG_KEY_TYPE");
  }
  if (sign) {
    size_t len = 0;
    if (EVP_DigestSign(mctx.get(), nullptr, &len, data.data(), data.size()) != 1) ThrowOpenSSL(env, "RSA-PSS signing failed");
    Bytes sig(len);
    if (EVP_DigestSign(mctx.get(), sig.data(), &len, data.data(), data.size()) != 1) ThrowOpenSSL(env, "RSA-PSS signing failed");
    sig.resize(len);
    return ToBuffer(env, sig);
  }
  Bytes sig = ToBytes(info[6]);
  int ok = EVP_DigestVerify(mctx.get(), sig.data(), sig.size(), data.data(), data.size());
  return Napi::Boolean::New(env, ok == 1);
}

void Init(Napi::Env env, Napi::Object exports) {
  ExportFunctions(env, exports, {{"rsaOaep", Oaep}, {"rsaPss", Pss}});
}

}  // namespace

JSEC_REGISTER(pkey, Init);

}  // namespace jsec
