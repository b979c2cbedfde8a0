// CMS (PKCS#7): SignedData sign/verify (attached or detached), EnvelopedData
// and AuthEnvelopedData encrypt/decrypt, certs-only bundles and certificate
// extraction. Inputs are DER; the TypeScript side unwraps PEM and maps
// verification results to typed errors.
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/pkcs7.h>
#include <openssl/rsa.h>

#include <string>
#include <vector>

#include "common/decode.h"
#include "common/module.h"
#include "pkey/der.h"

namespace jsec {
namespace {

// A stack whose certificates are owned elsewhere (CMS_get0_signers).
inline void FreeStackOnly(STACK_OF(X509) * s) { sk_X509_free(s); }
using BorrowedX509Stack = Owned<STACK_OF(X509), FreeStackOnly>;
using Pkcs7Ptr = Owned<PKCS7, PKCS7_free>;

CmsPtr ReadCms(const Bytes& der, PendingError& err) {
  return DecodeDer<CmsPtr>(err, der, d2i_CMS_ContentInfo, "CMS / PKCS#7 structure", "ERR_JSEC_CRYPTO_INVALID_CMS");
}

Bytes WriteCms(CMS_ContentInfo* cms, PendingError& err) {
  BioPtr out(BIO_new(BIO_s_mem()));
  if (!out || i2d_CMS_bio(out.get(), cms) != 1) {
    err.Capture("ERR_JSEC_OPENSSL", "could not encode the CMS structure");
    return {};
  }
  return BioToBytes(out.get());
}

bool CertStack(const std::vector<Bytes>& list, STACK_OF(X509) * out, const char* what, PendingError& err) {
  for (size_t i = 0; i < list.size(); i++) {
    X509Ptr c = der::Cert(list[i]);
    if (!c) {
      err.Capture("ERR_JSEC_CRYPTO_INVALID_CERTIFICATE", std::string("could not read ") + what + " " + std::to_string(i));
      return false;
    }
    if (!sk_X509_push(out, c.get())) {
      err.Capture("ERR_JSEC_OPENSSL", "out of memory");
      return false;
    }
    c.release();
  }
  return true;
}

// --- sign ---------------------------------------------------------------

struct SignArgs {
  Bytes data, cert, key;
  std::vector<Bytes> extra;
  std::string hash;
  bool detached = false;
};

Bytes Sign(const SignArgs& a, PendingError& err) {
  X509Ptr cert = der::Cert(a.cert);
  if (!cert) {
    err.Capture("ERR_JSEC_CRYPTO_INVALID_CERTIFICATE", "could not read the signer certificate");
    return {};
  }
  PkeyPtr key = der::PrivateKey(a.key);
  if (!key) {
    err.Capture("ERR_JSEC_CRYPTO_INVALID_KEY", "could not read the signer key");
    return {};
  }
  if (X509_check_private_key(cert.get(), key.get()) != 1) {
    err.Capture("ERR_JSEC_CRYPTO_KEY_MISMATCH", "the signer key does not match the signer certificate");
    return {};
  }
  X509StackPtr extra(sk_X509_new_null());
  if (!CertStack(a.extra, extra.get(), "extra certificate", err)) return {};
  const EVP_MD* md = nullptr;
  if (!a.hash.empty() && (md = EVP_get_digestbyname(a.hash.c_str())) == nullptr) {
    err.Capture("ERR_JSEC_UNSUPPORTED", "digest " + a.hash + " is not available");
    return {};
  }
  unsigned int flags = CMS_BINARY | CMS_PARTIAL | (a.detached ? CMS_DETACHED : 0);
  CmsPtr cms(CMS_sign(nullptr, nullptr, extra.get(), nullptr, flags));
  if (!cms || CMS_add1_signer(cms.get(), cert.get(), key.get(), md, flags) == nullptr) {
    err.Capture("ERR_JSEC_OPENSSL", "could not add the CMS signer");
    return {};
  }
  BioPtr in = BioFromBytes(a.data);
  if (!in) {
    err.Capture("ERR_OUT_OF_RANGE", "the content is too large to sign in memory", false);
    return {};
  }
  if (CMS_final(cms.get(), in.get(), nullptr, flags) != 1) {
    err.Capture("ERR_JSEC_OPENSSL", "CMS signing failed");
    return {};
  }
  return WriteCms(cms.get(), err);
}

// --- verify -------------------------------------------------------------

struct VerifyArgs {
  Bytes cms, content;
  bool hasContent = false, anyPurpose = false;
  std::vector<Bytes> trusted, untrusted;
  double time = -1;
};

struct VerifyResult {
  Bytes content;
  std::vector<Bytes> signers, certs;
  bool chainOk = true;
  int verifyCode = 0, depth = 0, signerIndex = 0;
  std::string verifyError;
};

VerifyResult Verify(const VerifyArgs& a, PendingError& err) {
  VerifyResult r;
  CmsPtr cms = ReadCms(a.cms, err);
  if (!cms) return r;
  if (OBJ_obj2nid(CMS_get0_type(cms.get())) != NID_pkcs7_signed) {
    err.Capture("ERR_JSEC_CRYPTO_INVALID_CMS", "the CMS structure is not SignedData", false);
    return r;
  }
  bool detached = CMS_is_detached(cms.get()) == 1;
  if (detached && !a.hasContent) {
    err.Capture("ERR_MISSING_OPTION", "the signature is detached: pass the signed content as `content`", false);
    return r;
  }
  if (!detached && a.hasContent) {
    err.Capture("ERR_JSEC_CONFLICTING_OPTIONS", "the CMS structure carries its own content; do not pass `content`", false);
    return r;
  }
  X509StorePtr store(X509_STORE_new());
  X509StackPtr trusted(sk_X509_new_null());
  X509StackPtr untrusted(sk_X509_new_null());
  if (!store || !CertStack(a.trusted, trusted.get(), "trusted certificate", err) ||
      !CertStack(a.untrusted, untrusted.get(), "intermediate certificate", err))
    return r;
  for (int i = 0; i < sk_X509_num(trusted.get()); i++) X509_STORE_add_cert(store.get(), sk_X509_value(trusted.get(), i));
  BioPtr dcont = a.hasContent ? BioFromBytes(a.content) : BioPtr();
  if (a.hasContent && !dcont) {
    err.Capture("ERR_OUT_OF_RANGE", "the detached content is too large to verify in memory", false);
    return r;
  }
  BioPtr out(BIO_new(BIO_s_mem()));
  unsigned int flags = CMS_BINARY | CMS_NO_SIGNER_CERT_VERIFY;
  if (CMS_verify(cms.get(), untrusted.get(), store.get(), dcont.get(), out.get(), flags) != 1) {
    auto q = DrainErrors();
    bool noSigner = false;
    for (auto& e : q) noSigner = noSigner || ERR_GET_REASON(e.code) == CMS_R_SIGNER_CERTIFICATE_NOT_FOUND;
    err.code = noSigner ? "ERR_JSEC_CRYPTO_CMS_SIGNER_NOT_FOUND" : "ERR_JSEC_CRYPTO_CMS_SIGNATURE_INVALID";
    err.message = noSigner ? "the signer certificate is neither in the CMS structure nor in `intermediates`"
                           : "the CMS signature does not verify";
    if (!q.empty() && !q.back().reason.empty()) err.message += ": " + q.back().reason;
    err.queue = q;
    err.set = true;
    return r;
  }
  r.content = BioToBytes(out.get());
  // All certificates the chain builder may use: the bundle's and the caller's.
  X509StackPtr pool(CMS_get1_certs(cms.get()));
  if (!pool) pool.reset(sk_X509_new_null());
  for (int i = 0; i < sk_X509_num(pool.get()); i++) r.certs.push_back(der::OfCert(sk_X509_value(pool.get(), i)));
  for (int i = 0; i < sk_X509_num(untrusted.get()); i++) {
    X509* c = sk_X509_value(untrusted.get(), i);
    X509_up_ref(c);
    sk_X509_push(pool.get(), c);
  }
  BorrowedX509Stack signers(CMS_get0_signers(cms.get()));
  int n = signers ? sk_X509_num(signers.get()) : 0;
  if (n == 0) {
    err.Capture("ERR_JSEC_CRYPTO_CMS_SIGNER_NOT_FOUND", "the CMS structure has no signer", false);
    return r;
  }
  for (int i = 0; i < n; i++) {
    X509* s = sk_X509_value(signers.get(), i);
    r.signers.push_back(der::OfCert(s));
    if (!r.chainOk) continue;
    X509StoreCtxPtr ctx(X509_STORE_CTX_new());
    if (!ctx || X509_STORE_CTX_init(ctx.get(), store.get(), s, pool.get()) != 1) {
      err.Capture("ERR_JSEC_OPENSSL", "could not set up certificate verification");
      return r;
    }
    // S/MIME signing purpose unless the caller accepts any purpose (the
    // purpose cannot be widened once set, so "default" is left in place).
    if (!a.anyPurpose) X509_STORE_CTX_set_default(ctx.get(), "smime_sign");
    X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
    if (a.time >= 0) X509_VERIFY_PARAM_set_time(param, static_cast<time_t>(a.time));
    if (X509_verify_cert(ctx.get()) != 1) {
      r.chainOk = false;
      r.verifyCode = X509_STORE_CTX_get_error(ctx.get());
      r.depth = X509_STORE_CTX_get_error_depth(ctx.get());
      r.verifyError = X509_verify_cert_error_string(r.verifyCode);
      r.signerIndex = i;
    }
  }
  return r;
}

// --- encrypt / decrypt ----------------------------------------------------

struct EncryptArgs {
  Bytes data;
  std::vector<Bytes> recipients;
  std::string cipher;
  bool oaep = true;
};

Bytes Encrypt(const EncryptArgs& a, PendingError& err) {
  const EVP_CIPHER* cipher = EVP_get_cipherbyname(a.cipher.c_str());
  if (cipher == nullptr) {
    err.Capture("ERR_JSEC_UNSUPPORTED", "cipher " + a.cipher + " is not available");
    return {};
  }
  X509StackPtr certs(sk_X509_new_null());
  if (!CertStack(a.recipients, certs.get(), "recipient certificate", err)) return {};
  unsigned int flags = CMS_BINARY | CMS_PARTIAL;
  CmsPtr cms(CMS_encrypt(nullptr, nullptr, cipher, flags));
  if (!cms) {
    err.Capture("ERR_JSEC_OPENSSL", "could not create the enveloped structure");
    return {};
  }
  for (int i = 0; i < sk_X509_num(certs.get()); i++) {
    X509* x = sk_X509_value(certs.get(), i);
    CMS_RecipientInfo* ri = CMS_add1_recipient_cert(cms.get(), x, flags | CMS_KEY_PARAM);
    if (ri == nullptr) {
      err.Capture("ERR_JSEC_CRYPTO_WRONG_KEY_TYPE",
                  "recipient certificate " + std::to_string(i) + " has a key that cannot receive CMS content (use RSA or EC)");
      return {};
    }
    if (a.oaep && CMS_RecipientInfo_type(ri) == CMS_RECIPINFO_TRANS) {
      EVP_PKEY_CTX* pctx = CMS_RecipientInfo_get0_pkey_ctx(ri);
      if (pctx == nullptr || EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_OAEP_PADDING) <= 0 ||
          EVP_PKEY_CTX_set_rsa_oaep_md(pctx, EVP_sha256()) <= 0 || EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()) <= 0) {
        err.Capture("ERR_JSEC_OPENSSL", "could not select RSA-OAEP for a recipient");
        return {};
      }
    }
  }
  BioPtr in = BioFromBytes(a.data);
  if (!in) {
    err.Capture("ERR_OUT_OF_RANGE", "the content is too large to encrypt in memory", false);
    return {};
  }
  if (CMS_final(cms.get(), in.get(), nullptr, flags) != 1) {
    err.Capture("ERR_JSEC_OPENSSL", "CMS encryption failed");
    return {};
  }
  return WriteCms(cms.get(), err);
}

struct DecryptArgs {
  Bytes cms, key, cert;
};

Bytes Decrypt(const DecryptArgs& a, PendingError& err) {
  CmsPtr cms = ReadCms(a.cms, err);
  if (!cms) return {};
  int type = OBJ_obj2nid(CMS_get0_type(cms.get()));
  if (type != NID_pkcs7_enveloped && type != NID_id_smime_ct_authEnvelopedData) {
    err.Capture("ERR_JSEC_CRYPTO_INVALID_CMS", "the CMS structure is not EnvelopedData", false);
    return {};
  }
  PkeyPtr key = der::PrivateKey(a.key);
  if (!key) {
    err.Capture("ERR_JSEC_CRYPTO_INVALID_KEY", "could not read the recipient key");
    return {};
  }
  X509Ptr cert = der::Cert(a.cert);
  if (!cert) {
    err.Capture("ERR_JSEC_CRYPTO_INVALID_CERTIFICATE", "could not read the recipient certificate");
    return {};
  }
  if (X509_check_private_key(cert.get(), key.get()) != 1) {
    err.Capture("ERR_JSEC_CRYPTO_KEY_MISMATCH", "the key does not match the recipient certificate");
    return {};
  }
  // Find the RecipientInfo for this certificate ourselves: OpenSSL does not
  // always say "no matching recipient" when none matches.
  bool matched = false;
  STACK_OF(CMS_RecipientInfo)* ris = CMS_get0_RecipientInfos(cms.get());
  for (int i = 0; ris != nullptr && !matched && i < sk_CMS_RecipientInfo_num(ris); i++) {
    CMS_RecipientInfo* ri = sk_CMS_RecipientInfo_value(ris, i);
    int t = CMS_RecipientInfo_type(ri);
    if (t == CMS_RECIPINFO_TRANS) {
      matched = CMS_RecipientInfo_ktri_cert_cmp(ri, cert.get()) == 0;
    } else if (t == CMS_RECIPINFO_AGREE) {
      STACK_OF(CMS_RecipientEncryptedKey)* reks = CMS_RecipientInfo_kari_get0_reks(ri);
      for (int j = 0; reks != nullptr && !matched && j < sk_CMS_RecipientEncryptedKey_num(reks); j++) {
        matched = CMS_RecipientEncryptedKey_cert_cmp(sk_CMS_RecipientEncryptedKey_value(reks, j), cert.get()) == 0;
      }
    }
  }
  ERR_clear_error();
  if (!matched) {
    err.Capture("ERR_JSEC_CRYPTO_NOT_RECIPIENT", "the certificate is not among the recipients", false);
    return {};
  }
  if (CMS_decrypt_set1_pkey_and_peer(cms.get(), key.get(), cert.get(), nullptr) != 1) {
    auto q = DrainErrors();
    bool none = false;
    for (auto& e : q) none = none || ERR_GET_REASON(e.code) == CMS_R_NO_MATCHING_RECIPIENT;
    err.code = none ? "ERR_JSEC_CRYPTO_NOT_RECIPIENT" : "ERR_JSEC_CRYPTO_DECRYPT_FAILED";
    err.message = none ? "the certificate is not among the recipients" : "the content key could not be decrypted";
    err.queue = q;
    err.set = true;
    return {};
  }
  BioPtr out(BIO_new(BIO_s_mem()));
  if (CMS_decrypt(cms.get(), nullptr, nullptr, nullptr, out.get(), CMS_BINARY) != 1) {
    err.Capture("ERR_JSEC_CRYPTO_DECRYPT_FAILED", "CMS decryption failed");
    return {};
  }
  return BioToBytes(out.get());
}

// --- certs ----------------------------------------------------------------

Bytes CertsOnly(const std::vector<Bytes>& list, PendingError& err) {
  // The degenerate SignedData (no signers, no content) of RFC 5652 §5 / .p7b.
  X509StackPtr certs(sk_X509_new_null());
  if (!CertStack(list, certs.get(), "certificate", err)) return {};
  Pkcs7Ptr p7(PKCS7_new());
  if (!p7 || PKCS7_set_type(p7.get(), NID_pkcs7_signed) != 1 || PKCS7_content_new(p7.get(), NID_pkcs7_data) != 1) {
    err.Capture("ERR_JSEC_OPENSSL", "could not build a certs-only structure");
    return {};
  }
  for (int i = 0; i < sk_X509_num(certs.get()); i++) {
    if (PKCS7_add_certificate(p7.get(), sk_X509_value(certs.get(), i)) != 1) {
      err.Capture("ERR_JSEC_OPENSSL", "could not add a certificate");
      return {};
    }
  }
  return EncodeDer(err, p7.get(), i2d_PKCS7, "certs-only structure", "ERR_JSEC_OPENSSL");
}

std::vector<Bytes> Certs(const Bytes& der, PendingError& err) {
  std::vector<Bytes> out;
  CmsPtr cms = ReadCms(der, err);
  if (!cms) return out;
  if (OBJ_obj2nid(CMS_get0_type(cms.get())) != NID_pkcs7_signed) return out;
  X509StackPtr certs(CMS_get1_certs(cms.get()));
  for (int i = 0; certs && i < sk_X509_num(certs.get()); i++) out.push_back(der::OfCert(sk_X509_value(certs.get(), i)));
  return out;
}

// --- bindings -------------------------------------------------------------

Napi::Value BytesOut(Napi::Env env, Bytes& b) { return ToBuffer(env, b); }

Napi::Value SignJs(const Napi::CallbackInfo& info) {
  Napi::Object o = info[0].As<Napi::Object>();
  SignArgs a;
  a.data = ToBytes(o.Get("data"));
  a.cert = ToBytes(o.Get("cert"));
  a.key = ToBytes(o.Get("key"));
  a.extra = der::BytesList(o.Get("extraCerts"));
  a.hash = der::Str(o, "hash");
  a.detached = der::Bool(o, "detached");
  return der::Run<Bytes>(info.Env(), info[1].ToBoolean(), "jsec.cmsSign", [a](PendingError& e) { return Sign(a, e); }, BytesOut);
}

Napi::Value VerifyJs(const Napi::CallbackInfo& info) {
  Napi::Object o = info[0].As<Napi::Object>();
  VerifyArgs a;
  a.cms = ToBytes(o.Get("cms"));
  a.hasContent = der::Has(o, "content");
  if (a.hasContent) a.content = ToBytes(o.Get("content"));
  a.trusted = der::BytesList(o.Get("trusted"));
  a.untrusted = der::BytesList(o.Get("untrusted"));
  a.anyPurpose = der::Bool(o, "anyPurpose");
  if (o.Get("time").IsNumber()) a.time = o.Get("time").As<Napi::Number>().DoubleValue();
  return der::Run<VerifyResult>(
      info.Env(), info[1].ToBoolean(), "jsec.cmsVerify", [a](PendingError& e) { return Verify(a, e); },
      [](Napi::Env env, VerifyResult& r) -> Napi::Value {
        Napi::Object o = Napi::Object::New(env);
        o.Set("content", ToBuffer(env, r.content));
        o.Set("signers", der::ToArray(env, r.signers));
        o.Set("certs", der::ToArray(env, r.certs));
        o.Set("chainOk", Napi::Boolean::New(env, r.chainOk));
        if (!r.chainOk) {
          o.Set("verifyCode", Napi::Number::New(env, r.verifyCode));
          o.Set("verifyError", r.verifyError);
          o.Set("depth", Napi::Number::New(env, r.depth));
          o.Set("signerIndex", Napi::Number::New(env, r.signerIndex));
        }
        return o;
      });
}

Napi::Value EncryptJs(const Napi::CallbackInfo& info) {
  Napi::Object o = info[0].As<Napi::Object>();
  EncryptArgs a;
  a.data = ToBytes(o.Get("data"));
  a.recipients = der::BytesList(o.Get("recipients"));
  a.cipher = der::Str(o, "cipher");
  a.oaep = der::Bool(o, "oaep");
  return der::Run<Bytes>(info.Env(), info[1].ToBoolean(), "jsec.cmsEncrypt", [a](PendingError& e) { return Encrypt(a, e); }, BytesOut);
}

Napi::Value DecryptJs(const Napi::CallbackInfo& info) {
  Napi::Object o = info[0].As<Napi::Object>();
  DecryptArgs a;
  a.cms = ToBytes(o.Get("cms"));
  a.key = ToBytes(o.Get("key"));
  a.cert = ToBytes(o.Get("cert"));
  return der::Run<Bytes>(info.Env(), info[1].ToBoolean(), "jsec.cmsDecrypt", [a](PendingError& e) { return Decrypt(a, e); }, BytesOut);
}

Napi::Value CertsOnlyJs(const Napi::CallbackInfo& info) {
  auto list = der::BytesList(info[0]);
  return der::Run<Bytes>(info.Env(), false, "jsec.cmsCertsOnly", [list](PendingError& e) { return CertsOnly(list, e); }, BytesOut);
}

Napi::Value CertsJs(const Napi::CallbackInfo& info) {
  Bytes d = ToBytes(info[0]);
  return der::Run<std::vector<Bytes>>(
      info.Env(), false, "jsec.cmsCerts", [d](PendingError& e) { return Certs(d, e); },
      [](Napi::Env env, std::vector<Bytes>& l) -> Napi::Value { return der::ToArray(env, l); });
}

Napi::Value ContentTypeJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ErrorQueueGuard guard;
  PendingError err;
  CmsPtr cms = ReadCms(ToBytes(info[0]), err);
  if (err.set) throw err.ToError(env);
  int nid = OBJ_obj2nid(CMS_get0_type(cms.get()));
  Napi::Object o = Napi::Object::New(env);
  o.Set("type", nid == NID_undef ? "unknown" : OBJ_nid2sn(nid));
  o.Set("detached", Napi::Boolean::New(env, nid == NID_pkcs7_signed && CMS_is_detached(cms.get()) == 1));
  return o;
}

void Init(Napi::Env env, Napi::Object exports) {
  ExportFunctions(env, exports, {
      {"cmsSign", SignJs},
      {"cmsVerify", VerifyJs},
      {"cmsEncrypt", EncryptJs},
      {"cmsDecrypt", DecryptJs},
      {"cmsCertsOnly", CertsOnlyJs},
      {"cmsCerts", CertsJs},
      {"cmsContentType", ContentTypeJs},
  });
}

}  // namespace

JSEC_REGISTER(cms, Init);

}  // namespace jsec
