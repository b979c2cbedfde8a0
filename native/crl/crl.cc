// Certificate revocation lists: parse (crlParse), verify against an issuer
// (crlVerify) and the signing primitive the CA uses (crlBuild), which writes
// a v2 CRL with authority key identifier and CRL number.
#include <openssl/err.h>

#include <cmath>

#include "common/decode.h"
#include "common/errors.h"
#include "common/module.h"
#include "x509/x509_util.h"

namespace jsec {
namespace {

using namespace x509;

X509CrlPtr CrlFromDer(Napi::Env env, const Bytes& der) {
  return DecodeDer<X509CrlPtr>(env, der, d2i_X509_CRL, "CRL", "ERR_JSEC_CRL_PARSE");
}

X509Ptr CertFromDer(Napi::Env env, const Bytes& der) {
  return DecodeDer<X509Ptr>(env, der, d2i_X509, "issuer certificate", "ERR_INVALID_ARG_VALUE");
}

Asn1TimePtr TimeFrom(Napi::Env env, const Napi::Value& v) {
  Asn1TimePtr t(ASN1_TIME_adj(nullptr, static_cast<time_t>(v.As<Napi::Number>().DoubleValue()), 0, 0));
  if (!t) ThrowOpenSSL(env, "invalid time", "ERR_INVALID_ARG_VALUE");
  return t;
}

Asn1IntPtr IntFrom(Napi::Env env, const Napi::Value& v) {
  Bytes b = ToBytes(v);
  BnPtr bn(BN_bin2bn(b.data(), static_cast<int>(b.size()), nullptr));
  Asn1IntPtr i(bn ? BN_to_ASN1_INTEGER(bn.get(), nullptr) : nullptr);
  if (!i) ThrowOpenSSL(env, "invalid integer", "ERR_INVALID_ARG_VALUE");
  return i;
}

// crlBuild(spec): DER of a signed v2 CRL.
Napi::Value Build(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ErrorQueueGuard guard;
  Napi::Object spec = info[0].As<Napi::Object>();
  X509Ptr issuer = CertFromDer(env, ToBytes(spec.Get("issuerCert")));
  PkeyPtr key = PrivateKeyFromDer(env, spec.Get("signingKey"));
  if (!X509_check_private_key(issuer.get(), key.get())) {
    ERR_clear_error();
    ThrowError(env, "ERR_JSEC_CERT_KEY_MISMATCH", "the signing key does not belong to the issuer certificate");
  }
  const EVP_MD* md = DigestFromJs(env, spec.Get("digest"));
  X509CrlPtr crl(X509_CRL_new());
  if (!crl || !X509_CRL_set_version(crl.get(), X509_CRL_VERSION_2) ||
      !X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(issuer.get())))
    ThrowOpenSSL(env, "cannot start the CRL", "ERR_JSEC_CERT_BUILD");
  Asn1TimePtr thisUpdate = TimeFrom(env, spec.Get("thisUpdate"));
  Asn1TimePtr nextUpdate = TimeFrom(env, spec.Get("nextUpdate"));
  if (!X509_CRL_set1_lastUpdate(crl.get(), thisUpdate.get()) || !X509_CRL_set1_nextUpdate(crl.get(), nextUpdate.get()))
    ThrowOpenSSL(env, "cannot set the CRL times", "ERR_JSEC_CERT_BUILD");

  Napi::Array entries = spec.Get("entries").As<Napi::Array>();
  for (uint32_t i = 0; i < entries.Length(); i++) {
    Napi::Object e = entries.Get(i).As<Napi::Object>();
    Owned<X509_REVOKED, X509_REVOKED_free> rev(X509_REVOKED_new());
    Asn1IntPtr serial = IntFrom(env, e.Get("serial"));
    Asn1TimePtr date = TimeFrom(env, e.Get("date"));
    if (!rev || !X509_REVOKED_set_serialNumber(rev.get(), serial.get()) || !X509_REVOKED_set_revocationDate(rev.get(), date.get()))
      ThrowOpenSSL(env, "cannot build a CRL entry", "ERR_JSEC_CERT_BUILD");
    Napi::Value reason = e.Get("reason");
    if (reason.IsNumber()) {
      Owned<ASN1_ENUMERATED, ASN1_ENUMERATED_free> en(ASN1_ENUMERATED_new());
      if (!en || !ASN1_ENUMERATED_set(en.get(), reason.As<Napi::Number>().Int32Value()) ||
          !X509_REVOKED_add1_ext_i2d(rev.get(), NID_crl_reason, en.get(), 0, 0))
        ThrowOpenSSL(env, "cannot write the revocation reason", "ERR_JSEC_CERT_BUILD");
    }
    Napi::Value inv = e.Get("invalidityDate");
    if (inv.IsNumber()) {
      Owned<ASN1_GENERALIZEDTIME, ASN1_GENERALIZEDTIME_free> g(
          ASN1_GENERALIZEDTIME_adj(nullptr, static_cast<time_t>(inv.As<Napi::Number>().DoubleValue()), 0, 0));
      if (!g || !X509_REVOKED_add1_ext_i2d(rev.get(), NID_invalidity_date, g.get(), 0, 0))
        ThrowOpenSSL(env, "cannot write the invalidity date", "ERR_JSEC_CERT_BUILD");
    }
    if (!X509_CRL_add0_revoked(crl.get(), rev.get())) ThrowOpenSSL(env, "cannot add a CRL entry", "ERR_JSEC_CERT_BUILD");
    rev.release();
  }
  X509_CRL_sort(crl.get());

  // Authority key identifier: the issuer's SKI, else its key's identifier.
  Bytes keyid;
  const ASN1_OCTET_STRING* ski = X509_get0_subject_key_id(issuer.get());
  ERR_clear_error();
  if (ski != nullptr)
    keyid.assign(ASN1_STRING_get0_data(ski), ASN1_STRING_get0_data(ski) + ASN1_STRING_length(ski));
  else
    keyid = KeyIdOfPubkey(X509_get_X509_PUBKEY(issuer.get()));
  if (!keyid.empty()) {
    Owned<AUTHORITY_KEYID, AUTHORITY_KEYID_free> akid(AUTHORITY_KEYID_new());
    akid->keyid = ASN1_OCTET_STRING_new();
    ASN1_OCTET_STRING_set(akid->keyid, keyid.data(), static_cast<int>(keyid.size()));
    if (!X509_CRL_add1_ext_i2d(crl.get(), NID_authority_key_identifier, akid.get(), 0, 0))
      ThrowOpenSSL(env, "cannot write the authority key identifier", "ERR_JSEC_CERT_BUILD");
  }
  Asn1IntPtr number = IntFrom(env, spec.Get("crlNumber"));
  if (!X509_CRL_add1_ext_i2d(crl.get(), NID_crl_number, number.get(), 0, 0))
    ThrowOpenSSL(env, "cannot write the CRL number", "ERR_JSEC_CERT_BUILD");

  if (X509_CRL_sign(crl.get(), key.get(), md) <= 0) ThrowOpenSSL(env, "cannot sign the CRL", "ERR_JSEC_CERT_BUILD");
  return ToBuffer(env, EncodeDer(env, crl.get(), i2d_X509_CRL, "CRL", "ERR_JSEC_CERT_BUILD"));
}

Napi::Value Parse(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ErrorQueueGuard guard;
  X509CrlPtr crl = CrlFromDer(env, ToBytes(info[0]));
  X509_CRL* c = crl.get();
  Napi::Object o = Napi::Object::New(env);
  o.Set("version", Napi::Number::New(env, static_cast<double>(X509_CRL_get_version(c) + 1)));
  o.Set("issuer", NameToJs(env, X509_CRL_get_issuer(c)));
  double thisUpdate = TimeToSeconds(X509_CRL_get0_lastUpdate(c));
  const ASN1_TIME* next = X509_CRL_get0_nextUpdate(c);
  double nextUpdate = next != nullptr ? TimeToSeconds(next) : 0;
  if (std::isnan(thisUpdate) || std::isnan(nextUpdate)) ThrowError(env, "ERR_JSEC_CRL_PARSE", "thisUpdate or nextUpdate is not a valid time");
  o.Set("thisUpdate", Napi::Number::New(env, thisUpdate));
  o.Set("nextUpdate", next != nullptr ? Napi::Value(Napi::Number::New(env, nextUpdate)) : env.Null());
  const X509_ALGOR* alg = nullptr;
  X509_CRL_get0_signature(c, nullptr, &alg);
  SetSignatureAlgorithm(env, alg, o);
  ExtensionsToJs(env, X509_CRL_get0_extensions(c), o);
  Napi::Array entries = Napi::Array::New(env);
  STACK_OF(X509_REVOKED)* revs = X509_CRL_get_REVOKED(c);
  for (int i = 0; revs != nullptr && i < sk_X509_REVOKED_num(revs); i++) {
    X509_REVOKED* r = sk_X509_REVOKED_value(revs, i);
    Napi::Object e = Napi::Object::New(env);
    e.Set("serialNumber", IntegerToHex(X509_REVOKED_get0_serialNumber(r)));
    double when = TimeToSeconds(X509_REVOKED_get0_revocationDate(r));
    if (std::isnan(when)) ThrowError(env, "ERR_JSEC_CRL_PARSE", "a revocation date is not a valid time");
    e.Set("revocationDate", Napi::Number::New(env, when));
    ExtensionsToJs(env, X509_REVOKED_get0_extensions(r), e);
    entries.Set(static_cast<uint32_t>(i), e);
  }
  o.Set("entries", entries);
  ERR_clear_error();
  return o;
}

// crlVerify(crlDer, issuerDer): the issuer's name matches and its key signed the CRL.
Napi::Value Verify(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ErrorQueueGuard guard;
  X509CrlPtr crl = CrlFromDer(env, ToBytes(info[0]));
  X509Ptr issuer = CertFromDer(env, ToBytes(info[1]));
  EVP_PKEY* key = X509_get0_pubkey(issuer.get());
  bool ok = key != nullptr && X509_NAME_cmp(X509_CRL_get_issuer(crl.get()), X509_get_subject_name(issuer.get())) == 0 &&
            X509_CRL_verify(crl.get(), key) == 1;
  return Napi::Boolean::New(env, ok);
}

void Init(Napi::Env env, Napi::Object exports) {
  ExportFunctions(env, exports, {{"crlBuild", Build}, {"crlParse", Parse}, {"crlVerify", Verify}});
}

}  // namespace

JSEC_REGISTER(crl, Init);

}  // namespace jsec
