// PKCS#10 certificate signing requests: build (csrBuild) and parse
// (csrParse, which also checks the self-signature).
#include <openssl/err.h>

#include "common/decode.h"
#include "common/errors.h"
#include "common/module.h"
#include "x509/x509_util.h"

namespace jsec {
namespace {

using namespace x509;

// csrBuild({ subject, signingKey, digest, extensions }): DER.
Napi::Value Build(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ErrorQueueGuard guard;
  Napi::Object spec = info[0].As<Napi::Object>();
  PkeyPtr key = PrivateKeyFromDer(env, spec.Get("signingKey"));
  const EVP_MD* md = DigestFromJs(env, spec.Get("digest"));
  X509ReqPtr req(X509_REQ_new());
  if (!req || !X509_REQ_set_version(req.get(), 0)) ThrowOpenSSL(env, "out of memory", "ERR_JSEC_CERT_BUILD");
  X509NamePtr subject = NameFromJs(env, spec.Get("subject"));
  if (!X509_REQ_set_subject_name(req.get(), subject.get()) || !X509_REQ_set_pubkey(req.get(), key.get()))
    ThrowOpenSSL(env, "cannot set subject or key", "ERR_JSEC_CERT_BUILD");
  Napi::Value ev = spec.Get("extensions");
  if (ev.IsObject()) {
    ExtensionStackPtr exts(sk_X509_EXTENSION_new_null());
    BuildExtensions(env, ev.As<Napi::Object>(), KeyIdOfPubkey(X509_REQ_get_X509_PUBKEY(req.get())), Bytes(), exts.get());
    if (sk_X509_EXTENSION_num(exts.get()) > 0 && !X509_REQ_add_extensions(req.get(), exts.get()))
      ThrowOpenSSL(env, "cannot add the extension request", "ERR_JSEC_CERT_BUILD");
  }
  if (X509_REQ_sign(req.get(), key.get(), md) <= 0) ThrowOpenSSL(env, "cannot sign the request", "ERR_JSEC_CERT_BUILD");
  return ToBuffer(env, EncodeDer(env, req.get(), i2d_X509_REQ, "request", "ERR_JSEC_CERT_BUILD"));
}

Napi::Value Parse(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ErrorQueueGuard guard;
  X509ReqPtr req = DecodeDer<X509ReqPtr>(env, ToBytes(info[0]), d2i_X509_REQ, "certificate request", "ERR_JSEC_CSR_PARSE");
  X509_REQ* r = req.get();
  Napi::Object o = Napi::Object::New(env);
  o.Set("version", Napi::Number::New(env, static_cast<double>(X509_REQ_get_version(r) + 1)));
  o.Set("subject", NameToJs(env, X509_REQ_get_subject_name(r)));
  EVP_PKEY* pub = X509_REQ_get0_pubkey(r);
  ERR_clear_error();
  o.Set("publicKey", PublicKeyInfo(env, pub, X509_REQ_get_X509_PUBKEY(r)));
  const X509_ALGOR* alg = nullptr;
  X509_REQ_get0_signature(r, nullptr, &alg);
  SetSignatureAlgorithm(env, alg, o);
  o.Set("signatureValid", pub != nullptr && X509_REQ_verify(r, pub) == 1);
  ERR_clear_error();
  STACK_OF(X509_EXTENSION)* raw = X509_REQ_get_extensions(r);
  ERR_clear_error();
  ExtensionStackPtr exts(raw != nullptr ? raw : sk_X509_EXTENSION_new_null());
  ExtensionsToJs(env, exts.get(), o);
  Napi::Array attrs = Napi::Array::New(env);
  for (int i = 0; i < X509_REQ_get_attr_count(r); i++) {
    X509_ATTRIBUTE* a = X509_REQ_get_attr(r, i);
    Napi::Object ao = Napi::Object::New(env);
    ao.Set("oid", ObjToOid(X509_ATTRIBUTE_get0_object(a)));
    ao.Set("name", ObjToName(X509_ATTRIBUTE_get0_object(a)));
    attrs.Set(static_cast<uint32_t>(i), ao);
  }
  o.Set("attributes", attrs);
  return o;
}

void Init(Napi::Env env, Napi::Object exports) {
  ExportFunctions(env, exports, {{"csrBuild", Build}, {"csrParse", Parse}});
}

}  // namespace

JSEC_REGISTER(csr, Init);

}  // namespace jsec
