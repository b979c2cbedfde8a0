// RSA operations node:crypto cannot express: OAEP and PSS with an MGF1 hash
// that differs from the message hash (EVP_PKEY_CTX_set_rsa_mgf1_md). Keys
// arrive as PKCS#8 (private) or SPKI (public) DER.
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <cstring>
#include <memory>
#include <string>

#include "common/async.h"
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

// RSA-OAEP encrypt or decrypt on plain bytes: the one implementation behind
// rsaOaep and rsaOaepAsync, safe off the main thread (no napi values). A
// failure is recorded in `err`; every decryption failure is the same error
// with an empty queue, so nothing distinguishes a bad padding from a wrong
// label or key (no padding oracle in the code).
struct OaepJob {
  bool encrypt = false;
  Bytes key;   // SPKI (encrypt) or PKCS#8 (decrypt) DER; cleansed once parsed
  Bytes data;  // plaintext (encrypt; cleansed after use) or ciphertext
  const EVP_MD* md = nullptr;
  const EVP_MD* mgf1 = nullptr;
  Bytes label;  // empty: no label
};

// Cleanses a byte vector when the scope ends, on every path.
struct CleanseOnExit {
  Bytes& b;
  ~CleanseOnExit() { OPENSSL_cleanse(b.data(), b.size()); }
};

Bytes OaepRun(OaepJob& job, PendingError& err) {
  ErrorQueueGuard guard;
  Bytes empty;
  CleanseOnExit wipeData{job.encrypt ? job.data : empty};
  PkeyPtr key = job.encrypt ? der::PublicKey(job.key) : der::PrivateKey(job.key);
  OPENSSL_cleanse(job.key.data(), job.key.size());
  if (!key) {
    err.Capture("ERR_JSEC_CRYPTO_INVALID_KEY", "could not read the RSA key");
    return Bytes();
  }
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new(key.get(), nullptr));
  if (!ctx || (job.encrypt ? EVP_PKEY_encrypt_init(ctx.get()) : EVP_PKEY_decrypt_init(ctx.get())) != 1 ||
      EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_OAEP_PADDING) <= 0 ||
      EVP_PKEY_CTX_set_rsa_oaep_md(ctx.get(), job.md) <= 0 || EVP_PKEY_CTX_set_rsa_mgf1_md(ctx.get(), job.mgf1) <= 0) {
    err.Capture("ERR_JSEC_CRYPTO_WRONG_KEY_TYPE", "could not set up RSA-OAEP");
    return Bytes();
  }
  if (!job.label.empty()) {
    // The context takes ownership of an OPENSSL_malloc'd copy.
    auto* l = static_cast<unsigned char*>(OPENSSL_malloc(job.label.size()));
    if (l == nullptr) {
      err.Capture("ERR_JSEC_OPENSSL", "out of memory");
      return Bytes();
    }
    std::memcpy(l, job.label.data(), job.label.size());
    if (EVP_PKEY_CTX_set0_rsa_oaep_label(ctx.get(), l, static_cast<int>(job.label.size())) <= 0) {
      OPENSSL_free(l);
      err.Capture("ERR_JSEC_OPENSSL", "could not set the OAEP label");
      return Bytes();
    }
  }
  auto op = job.encrypt ? EVP_PKEY_encrypt : EVP_PKEY_decrypt;
  const char* code = job.encrypt ? "ERR_JSEC_CRYPTO_PLAINTEXT_TOO_LONG" : "ERR_JSEC_CRYPTO_DECRYPT_FAILED";
  const char* what = job.encrypt ? "RSA-OAEP encryption failed (plaintext too long?)" : "RSA-OAEP decryption failed";
  size_t outLen = 0;
  Bytes out;
  if (op(ctx.get(), nullptr, &outLen, job.data.data(), job.data.size()) == 1) {
    out.resize(outLen);
    if (op(ctx.get(), out.data(), &outLen, job.data.data(), job.data.size()) == 1) {
      out.resize(outLen);
      return out;
    }
  }
  OPENSSL_cleanse(out.data(), out.size());
  if (job.encrypt) {
    err.Capture(code, what);
  } else {
    ERR_clear_error();
    err.Capture(code, what, false);
  }
  return Bytes();
}

// Reads the arguments (encrypt, keyDer, data, hash, mgf1Hash, label | null)
// into a job that owns copies of every input. The digests are resolved
// first, so nothing secret has been copied when an unknown name throws.
OaepJob OaepArgs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  OaepJob job;
  job.encrypt = info[0].ToBoolean();
  job.md = Md(env, info[3]);
  job.mgf1 = Md(env, info[4]);
  job.key = ToBytes(info[1]);
  job.data = ToBytes(info[2]);
  if (!info[5].IsNull() && !info[5].IsUndefined()) job.label = ToBytes(info[5]);
  return job;
}

// Turns the result into a Buffer and cleanses the native copy (a plaintext
// when decrypting).
Napi::Value OaepValue(Napi::Env env, Bytes& out) {
  Napi::Value v = ToBuffer(env, out);
  OPENSSL_cleanse(out.data(), out.size());
  return v;
}

// rsaOaep(encrypt, keyDer, data, hash, mgf1Hash, label | null) -> Buffer
Napi::Value Oaep(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ErrorQueueGuard guard;
  OaepJob job = OaepArgs(info);
  PendingError err;
  Bytes out = OaepRun(job, err);
  if (err.set) throw err.ToError(env);
  return OaepValue(env, out);
}

// rsaOaepAsync(same arguments) -> Promise of the same result; the RSA work
// runs on the libuv thread pool over copies of the inputs.
Napi::Value OaepAsync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ErrorQueueGuard guard;
  auto job = std::make_shared<OaepJob>(OaepArgs(info));
  return RunAsync<Bytes>(
      env, "jsec.rsaOaep", [job](PendingError& err) -> Bytes { return OaepRun(*job, err); },
      [](Napi::Env e, Bytes& out) -> Napi::Value { return OaepValue(e, out); });
}

// RSA-PSS sign or verify on plain bytes: the one implementation behind rsaPss
// and rsaPssAsync, safe off the main thread (no napi values). A failure is
// recorded in `err` with the drained error queue; verification reports a bad
// signature as `verified == false`, not as a failure.
struct PssJob {
  bool sign = false;
  Bytes key;  // PKCS#8 (sign) or SPKI (verify) DER; cleansed once parsed
  Bytes data;
  const EVP_MD* md = nullptr;
  const EVP_MD* mgf1 = nullptr;
  int salt = 0;
  Bytes signature;  // verify only
};

struct PssResult {
  Bytes signature;  // sign
  bool verified = false;
};

PssResult PssRun(PssJob& job, PendingError& err) {
  ErrorQueueGuard guard;
  PssResult out;
  PkeyPtr key = job.sign ? der::PrivateKey(job.key) : der::PublicKey(job.key);
  OPENSSL_cleanse(job.key.data(), job.key.size());
  if (!key) {
    err.Capture("ERR_JSEC_CRYPTO_INVALID_KEY", "could not read the RSA key");
    return out;
  }
  MdCtxPtr mctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;  // owned by mctx
  int init = !mctx ? 0
             : job.sign ? EVP_DigestSignInit(mctx.get(), &pctx, job.md, nullptr, key.get())
                        : EVP_DigestVerifyInit(mctx.get(), &pctx, job.md, nullptr, key.get());
  if (init != 1 || EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) <= 0 ||
      EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, job.mgf1) <= 0 || EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, job.salt) <= 0) {
    err.Capture("ERR_JSEC_CRYPTO_WRONG_KEY_TYPE", "could not set up RSA-PSS");
    return out;
  }
  if (job.sign) {
    size_t len = 0;
    if (EVP_DigestSign(mctx.get(), nullptr, &len, job.data.data(), job.data.size()) != 1) {
      err.Capture("ERR_JSEC_OPENSSL", "RSA-PSS signing failed");
      return out;
    }
    out.signature.resize(len);
    if (EVP_DigestSign(mctx.get(), out.signature.data(), &len, job.data.data(), job.data.size()) != 1) {
      out.signature.clear();
      err.Capture("ERR_JSEC_OPENSSL", "RSA-PSS signing failed");
      return out;
    }
    out.signature.resize(len);
    return out;
  }
  out.verified = EVP_DigestVerify(mctx.get(), job.signature.data(), job.signature.size(), job.data.data(),
                                  job.data.size()) == 1;
  return out;
}

// Reads the arguments (sign, keyDer, data, hash, mgf1Hash, saltLength,
// signature | null) into a job that owns copies of every input.
PssJob PssArgs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  PssJob job;
  job.sign = info[0].ToBoolean();
  job.key = ToBytes(info[1]);
  job.data = ToBytes(info[2]);
  job.md = Md(env, info[3]);
  job.mgf1 = Md(env, info[4]);
  job.salt = info[5].As<Napi::Number>().Int32Value();
  if (!job.sign) job.signature = ToBytes(info[6]);
  return job;
}

Napi::Value PssValue(Napi::Env env, bool sign, const PssResult& r) {
  if (sign) return ToBuffer(env, r.signature);
  return Napi::Boolean::New(env, r.verified);
}

// rsaPss(sign, keyDer, data, hash, mgf1Hash, saltLength, signature | null)
//   -> Buffer (sign) or boolean (verify).
Napi::Value Pss(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ErrorQueueGuard guard;
  PssJob job = PssArgs(info);
  PendingError err;
  PssResult r = PssRun(job, err);
  if (err.set) throw err.ToError(env);
  return PssValue(env, job.sign, r);
}

// rsaPssAsync(same arguments) -> Promise of the same result; the RSA work runs
// on the libuv thread pool over copies of the inputs.
Napi::Value PssAsync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ErrorQueueGuard guard;
  auto job = std::make_shared<PssJob>(PssArgs(info));
  bool sign = job->sign;
  return RunAsync<PssResult>(
      env, "jsec.rsaPss", [job](PendingError& err) -> PssResult { return PssRun(*job, err); },
      [sign](Napi::Env e, PssResult& r) -> Napi::Value { return PssValue(e, sign, r); });
}

void Init(Napi::Env env, Napi::Object exports) {
  ExportFunctions(env, exports, {{"rsaOaep", Oaep}, {"rsaOaepAsync", OaepAsync}, {"rsaPss", Pss}, {"rsaPssAsync", PssAsync}});
}

}  // namespace

JSEC_REGISTER(pkey, Init);

}  // namespace jsec
