// Chain verification: a reusable TrustStore (X509_STORE of anchors) and
// x509Verify, which runs X509_verify_cert with a callback that records every
// error and continues, so one call reports all the problems of a chain.
#include <openssl/err.h>

#include <cstdint>
#include <vector>

#include "common/decode.h"
#include "common/errors.h"
#include "common/module.h"
#include "x509/x509_util.h"

namespace jsec {
namespace {

void FreeCrlStack(STACK_OF(X509_CRL) * s) { sk_X509_CRL_pop_free(s, X509_CRL_free); }
using CrlStackPtr = Owned<STACK_OF(X509_CRL), FreeCrlStack>;

X509Ptr Der2Cert(Napi::Env env, const Napi::Value& v, const char* what) {
  return x509::CertFromJs(env, v, "ERR_JSEC_CERT_PARSE");
}

Napi::Value CertToBuffer(Napi::Env env, X509* x) {
  if (x == nullptr) return env.Null();
  unsigned char* der = nullptr;
  int n = i2d_X509(x, &der);
  if (n <= 0 || der == nullptr) {
    ERR_clear_error();
    return env.Null();
  }
  Napi::Value b = ToBuffer(env, der, static_cast<size_t>(n));
  OPENSSL_free(der);
  return b;
}

class TrustStore : public Napi::ObjectWrap<TrustStore> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "TrustStore",
                       {InstanceMethod<&TrustStore::Close>("close"), InstanceAccessor<&TrustStore::Size>("size")});
  }

  // new TrustStore(anchorDers[])
  explicit TrustStore(const Napi::CallbackInfo& info) : Napi::ObjectWrap<TrustStore>(info) {
    Napi::Env env = info.Env();
    ErrorQueueGuard guard;
    store_.reset(X509_STORE_new());
    if (!store_) ThrowOpenSSL(env, "out of memory");
    Napi::Array list = info[0].As<Napi::Array>();
    for (uint32_t i = 0; i < list.Length(); i++) {
      X509Ptr x = Der2Cert(env, list.Get(i), "trust anchor");
      // Duplicates are harmless; OpenSSL keeps one.
      X509_STORE_add_cert(store_.get(), x.get());
      ERR_clear_error();
      size_++;
    }
  }

  X509_STORE* get() const { return store_.get(); }

 private:
  Napi::Value Close(const Napi::CallbackInfo& info) {
    store_.reset();
    return info.Env().Undefined();
  }
  Napi::Value Size(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), static_cast<double>(size_)); }

  X509StorePtr store_;
  size_t size_ = 0;
};

struct Recorded {
  int code;
  int depth;
  X509Ptr cert;
};

int RecordingCallback(int ok, X509_STORE_CTX* ctx) {
  if (ok) return 1;
  auto* list = static_cast<std::vector<Recorded>*>(X509_STORE_CTX_get_app_data(ctx));
  X509* cur = X509_STORE_CTX_get_current_cert(ctx);
  if (cur != nullptr) X509_up_ref(cur);
  // No C++ exception may unwind through OpenSSL's frames: on allocation
  // failure the chain is refused instead.
  try {
    list->push_back({X509_STORE_CTX_get_error(ctx), X509_STORE_CTX_get_error_depth(ctx), X509Ptr(cur)});
  } catch (...) {
    return 0;
  }
  // Continue, so that every problem of the chain is reported.
  return 1;
}

std::string Str(const Napi::Object& o, const char* k) {
  Napi::Value v = o.Get(k);
  return v.IsString() ? v.As<Napi::String>().Utf8Value() : std::string();
}

Napi::Value Verify(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ErrorQueueGuard guard;
  Napi::Object req = info[0].As<Napi::Object>();
  TrustStore* ts = Napi::ObjectWrap<TrustStore>::Unwrap(req.Get("store").As<Napi::Object>());
  if (ts == nullptr || ts->get() == nullptr) ThrowError(env, "ERR_JSEC_CLOSED", "the trust store was closed");

  X509Ptr leaf = Der2Cert(env, req.Get("leaf"), "leaf");
  X509StackPtr untrusted(sk_X509_new_null());
  Napi::Array inter = req.Get("intermediates").As<Napi::Array>();
  for (uint32_t i = 0; i < inter.Length(); i++) {
    X509Ptr x = Der2Cert(env, inter.Get(i), "intermediate");
    if (sk_X509_push(untrusted.get(), x.get()) <= 0) ThrowOpenSSL(env, "out of memory");
    x.release();
  }
  CrlStackPtr crls(sk_X509_CRL_new_null());
  Napi::Array crlList = req.Get("crls").As<Napi::Array>();
  for (uint32_t i = 0; i < crlList.Length(); i++) {
    X509CrlPtr c = DecodeDer<X509CrlPtr>(env, ToBytes(crlList.Get(i)), d2i_X509_CRL, "CRL", "ERR_JSEC_CRL_PARSE");
    if (sk_X509_CRL_push(crls.get(), c.get()) <= 0) ThrowOpenSSL(env, "out of memory");
    c.release();
  }

  X509StoreCtxPtr ctx(X509_STORE_CTX_new());
  if (!ctx || !X509_STORE_CTX_init(ctx.get(), ts->get(), leaf.get(), untrusted.get()))
    ThrowOpenSSL(env, "cannot initialise verification");
  X509_STORE_CTX_set0_crls(ctx.get(), crls.get());
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());

  Napi::Value t = req.Get("time");
  if (t.IsNumber()) X509_VERIFY_PARAM_set_time(param, static_cast<time_t>(t.As<Napi::Number>().DoubleValue()));

  bool manual_code_sign = false;
  // OpenSSL's OCSP-helper purpose checks only the CA certificates (the leaf is left to
  // OCSP_basic_verify): jsec also requires the leaf's EKU to name OCSPSigning (RFC 6960 4.2.2.2).
  bool manual_ocsp_sign = false;
  std::string purpose = Str(req, "purpose");
  if (purpose == "ocsphelper") manual_ocsp_sign = true;
  if (!purpose.empty()) {
    int idx = X509_PURPOSE_get_by_sname(purpose.c_str());
    if (idx < 0 && purpose == "codesign") {
      // OpenSSL before 3.2 has no code-signing purpose: check "any", then the leaf's EKU/KU below.
      manual_code_sign = true;
      idx = X509_PURPOSE_get_by_sname("any");
    }
    if (idx < 0) ThrowError(env, "ERR_JSEC_UNSUPPORTED", "unsupported purpose " + purpose);
    ERR_clear_error();
    if (!X509_STORE_CTX_set_purpose(ctx.get(), X509_PURPOSE_get_id(X509_PURPOSE_get0(idx))))
      ThrowOpenSSL(env, "cannot set purpose");
  }
  std::string host = Str(req, "hostname");
  if (!host.empty()) {
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    if (!X509_VERIFY_PARAM_set1_host(param, host.c_str(), host.size())) ThrowOpenSSL(env, "invalid hostname", "ERR_INVALID_ARG_VALUE");
  }
  std::string ip = Str(req, "ip");
  if (!ip.empty() && !X509_VERIFY_PARAM_set1_ip_asc(param, ip.c_str())) ThrowOpenSSL(env, "invalid IP address", "ERR_INVALID_ARG_VALUE");
  std::string email = Str(req, "email");
  if (!email.empty() && !X509_VERIFY_PARAM_set1_email(param, email.c_str(), email.size()))
    ThrowOpenSSL(env, "invalid e-mail address", "ERR_INVALID_ARG_VALUE");

  unsigned long flags = 0;
  std::string crlCheck = Str(req, "crlCheck");
  if (crlCheck == "leaf") flags |= X509_V_FLAG_CRL_CHECK;
  if (crlCheck == "chain") flags |= X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL;
  if (req.Get("partialChain").ToBoolean().Value()) flags |= X509_V_FLAG_PARTIAL_CHAIN;
  if (req.Get("strict").ToBoolean().Value()) flags |= X509_V_FLAG_X509_STRICT;
  if (flags) X509_VERIFY_PARAM_set_flags(param, flags);
  Napi::Value depth = req.Get("maxDepth");
  if (depth.IsNumber()) X509_VERIFY_PARAM_set_depth(param, depth.As<Napi::Number>().Int32Value());

  std::vector<Recorded> errors;
  X509_STORE_CTX_set_app_data(ctx.get(), &errors);
  X509_STORE_CTX_set_verify_cb(ctx.get(), RecordingCallback);
  int rc = X509_verify_cert(ctx.get());
  if (rc <= 0 && errors.empty()) {
    int code = X509_STORE_CTX_get_error(ctx.get());
    errors.push_back({code == X509_V_OK ? X509_V_ERR_UNSPECIFIED : code, X509_STORE_CTX_get_error_depth(ctx.get()), nullptr});
  }
  if (manual_code_sign) {
    uint32_t xku = X509_get_extended_key_usage(leaf.get());
    uint32_t ku = X509_get_key_usage(leaf.get());
    if ((xku != UINT32_MAX && !(xku & XKU_CODE_SIGN)) || (ku != UINT32_MAX && !(ku & KU_DIGITAL_SIGNATURE))) {
      X509_up_ref(leaf.get());
      errors.push_back({X509_V_ERR_INVALID_PURPOSE, 0, X509Ptr(leaf.get())});
    }
  }
  if (manual_ocsp_sign) {
    uint32_t xku = X509_get_extended_key_usage(leaf.get());
    uint32_t ku = X509_get_key_usage(leaf.get());
    if (xku == UINT32_MAX || !(xku & XKU_OCSP_SIGN) || (ku != UINT32_MAX && !(ku & (KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION)))) {
      X509_up_ref(leaf.get());
      errors.push_back({X509_V_ERR_INVALID_PURPOSE, 0, X509Ptr(leaf.get())});
    }
  }
  ERR_clear_error();

  Napi::Object out = Napi::Object::New(env);
  out.Set("valid", Napi::Boolean::New(env, rc > 0 && errors.empty()));
  out.Set("verifyCode", Napi::Number::New(env, errors.empty() ? X509_V_OK : errors.front().code));
  Napi::Array chain = Napi::Array::New(env);
  STACK_OF(X509)* built = X509_STORE_CTX_get0_chain(ctx.get());
  for (int i = 0; built != nullptr && i < sk_X509_num(built); i++)
    chain.Set(static_cast<uint32_t>(i), CertToBuffer(env, sk_X509_value(built, i)));
  out.Set("chain", chain);
  Napi::Array errs = Napi::Array::New(env, errors.size());
  for (size_t i = 0; i < errors.size(); i++) {
    Napi::Object e = Napi::Object::New(env);
    e.Set("verifyCode", Napi::Number::New(env, errors[i].code));
    e.Set("message", X509_verify_cert_error_string(errors[i].code));
    e.Set("depth", Napi::Number::New(env, errors[i].depth));
    e.Set("cert", CertToBuffer(env, errors[i].cert.get()));
    errs.Set(static_cast<uint32_t>(i), e);
  }
  out.Set("errors", errs);
  // The context must go before the stacks it borrows (untrusted, crls).
  ctx.reset();
  return out;
}

Napi::Value VerifyCodeString(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), X509_verify_cert_error_string(info[0].As<Napi::Number>().Int32Value()));
}

void Init(Napi::Env env, Napi::Object exports) {
  exports.Set("TrustStore", TrustStore::Define(env));
  exports.Set("x509Verify", Napi::Function::New(env, Verify, "x509Verify"));
  exports.Set("verifyCodeString", Napi::Function::New(env, VerifyCodeString, "verifyCodeString"));
}

}  // namespace

JSEC_REGISTER(store, Init);

}  // namespace jsec
