// Certificates: the one general builder (x509Build), the parser
// (x509Parse), PEM decoding, name checks and signature checks.
#include <openssl/err.h>
#include <openssl/pem.h>

#include <cmath>
#include <cstring>

#include "common/async.h"
#include "common/decode.h"
#include "common/errors.h"
#include "common/module.h"
#include "x509/x509_util.h"

namespace jsec {
namespace {

using namespace x509;

X509Ptr CertFromDer(Napi::Env env, const Bytes& der, const char* code = "ERR_JSEC_CERT_PARSE") {
  return DecodeDer<X509Ptr>(env, der, d2i_X509, "certificate", code);
}

Bytes CertDer(Napi::Env env, X509* cert) {
  return EncodeDer(env, cert, i2d_X509, "certificate", "ERR_JSEC_CERT_BUILD");
}

void SetTime(Napi::Env env, ASN1_TIME* t, const Napi::Value& v) {
  // ASN1_TIME_adj picks UTCTime before 2050 and GeneralizedTime after (RFC 5280).
  double secs = v.As<Napi::Number>().DoubleValue();
  if (ASN1_TIME_adj(t, static_cast<time_t>(secs), 0, 0) == nullptr)
    ThrowOpenSSL(env, "invalid validity time", "ERR_INVALID_ARG_VALUE");
}

struct Prepared {
  X509Ptr cert;
  PkeyPtr key;
  const EVP_MD* md = nullptr;
};

// Everything except the signature (so the signature can run off-thread).
Prepared Prepare(Napi::Env env, const Napi::Object& spec) {
  Prepared pr;
  pr.key = PrivateKeyFromDer(env, spec.Get("signingKey"));
  pr.md = DigestFromJs(env, spec.Get("digest"));
  pr.cert.reset(X509_new());
  X509* x = pr.cert.get();
  if (x == nullptr || !X509_set_version(x, X509_VERSION_3)) ThrowOpenSSL(env, "out of memory", "ERR_JSEC_CERT_BUILD");

  // The subject key: given as SPKI DER (issued certificates) or the signing key's own (self-signed).
  Napi::Value pubv = spec.Get("publicKey");
  if (pubv.IsBuffer()) {
    if (!SetPubkeyFromSpki(X509_get_X509_PUBKEY(x), ToBytes(pubv)))
      ThrowOpenSSL(env, "the public key is not SubjectPublicKeyInfo DER", "ERR_JSEC_CERT_KEY_INVALID");
  } else {
    X509_PUBKEY* pub = nullptr;
    X509_PUBKEY* fresh = X509_PUBKEY_new();
    bool ok = fresh != nullptr && SetPubkeyFromKey(&pub, fresh, pr.key.get());
    if (pub != nullptr) {
      // X509_PUBKEY_set made its own structure.
      X509_PUBKEY_free(fresh);
      fresh = pub;
    }
    if (!ok) {
      X509_PUBKEY_free(fresh);
      ThrowOpenSSL(env, "cannot set the public key", "ERR_JSEC_CERT_KEY_INVALID");
    }
    // Move the encoded key into the certificate.
    unsigned char* der = nullptr;
    int n = i2d_X509_PUBKEY(fresh, &der);
    X509_PUBKEY_free(fresh);
    bool set = n > 0 && SetPubkeyFromSpki(X509_get_X509_PUBKEY(x), Bytes(der, der + n));
    OPENSSL_free(der);
    if (!set) ThrowOpenSSL(env, "cannot set the public key", "ERR_JSEC_CERT_KEY_INVALID");
  }
  Bytes subject_keyid = KeyIdOfPubkey(X509_get_X509_PUBKEY(x));

  Bytes serial = ToBytes(spec.Get("serial"));
  BnPtr bn(BN_bin2bn(serial.data(), static_cast<int>(serial.size()), nullptr));
  if (!bn || BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(x)) == nullptr)
    ThrowOpenSSL(env, "invalid serial number", "ERR_JSEC_CERT_BUILD");

  X509NamePtr subject = NameFromJs(env, spec.Get("subject"));
  if (!X509_set_subject_name(x, subject.get())) ThrowOpenSSL(env, "cannot set subject", "ERR_JSEC_CERT_BUILD");

  Bytes issuer_keyid;
  Napi::Value issuer_cert = spec.Get("issuerCert");
  if (issuer_cert.IsBuffer()) {
    X509Ptr issuer = CertFromDer(env, ToBytes(issuer_cert), "ERR_INVALID_ARG_VALUE");
    if (!X509_check_private_key(issuer.get(), pr.key.get())) {
      ERR_clear_error();
      ThrowError(env, "ERR_JSEC_CERT_KEY_MISMATCH", "the signing key does not belong to the issuer certificate");
    }
    if (!X509_set_issuer_name(x, X509_get_subject_name(issuer.get())))
      ThrowOpenSSL(env, "cannot set issuer", "ERR_JSEC_CERT_BUILD");
    const ASN1_OCTET_STRING* ski = X509_get0_subject_key_id(issuer.get());
    ERR_clear_error();
    if (ski != nullptr) {
      issuer_keyid.assign(ASN1_STRING_get0_data(ski), ASN1_STRING_get0_data(ski) + ASN1_STRING_length(ski));
    } else {
      issuer_keyid = KeyIdOfPubkey(X509_get_X509_PUBKEY(issuer.get()));
    }
  } else {
    // Self-signed, or an issuer given by name only.
    Napi::Value iv = spec.Get("issuer");
    if (iv.IsArray() || iv.IsBuffer()) {
      X509NamePtr issuer = NameFromJs(env, iv);
      X509_set_issuer_name(x, issuer.get());
    } else {
      X509_set_issuer_name(x, subject.get());
    }
    issuer_keyid = subject_keyid;
  }

  SetTime(env, X509_getm_notBefore(x), spec.Get("notBefore"));
  SetTime(env, X509_getm_notAfter(x), spec.Get("notAfter"));

  Napi::Value ev = spec.Get("extensions");
  if (ev.IsObject()) {
    ExtensionStackPtr exts(sk_X509_EXTENSION_new_null());
    BuildExtensions(env, ev.As<Napi::Object>(), subject_keyid, issuer_keyid, exts.get());
    for (int i = 0; i < sk_X509_EXTENSION_num(exts.get()); i++) {
      if (!X509_add_ext(x, sk_X509_EXTENSION_value(exts.get(), i), -1))
        ThrowOpenSSL(env, "cannot add an extension", "ERR_JSEC_CERT_BUILD");
    }
  }
  return pr;
}

bool Sign(Prepared& pr) { return X509_sign(pr.cert.get(), pr.key.get(), pr.md) > 0; }

// x509Build(spec, async): DER of the signed certificate (or a Promise of it).
Napi::Value Build(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ErrorQueueGuard guard;
  Prepared pr = Prepare(env, info[0].As<Napi::Object>());
  if (info.Length() > 1 && info[1].ToBoolean().Value()) {
    auto shared = std::make_shared<Prepared>(std::move(pr));
    return RunAsync<Bytes>(
        env, "jsec.x509Build",
        [shared](PendingError& err) -> Bytes {
          if (!Sign(*shared)) {
            err.Capture("ERR_JSEC_CERT_BUILD", "cannot sign the certificate");
            return Bytes();
          }
          unsigned char* der = nullptr;
          int n = i2d_X509(shared->cert.get(), &der);
          if (n <= 0) {
            err.Capture("ERR_JSEC_CERT_BUILD", "cannot encode the certificate");
            return Bytes();
          }
          Bytes out(der, der + n);
          OPENSSL_free(der);
          return out;
        },
        [](Napi::Env e, Bytes& der) -> Napi::Value { return ToBuffer(e, der); });
  }
  if (!Sign(pr)) ThrowOpenSSL(env, "cannot sign the certificate", "ERR_JSEC_CERT_BUILD");
  return ToBuffer(env, CertDer(env, pr.cert.get()));
}

Napi::Object ParseCert(Napi::Env env, X509* x) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("version", Napi::Number::New(env, static_cast<double>(X509_get_version(x) + 1)));
  o.Set("serialNumber", IntegerToHex(X509_get0_serialNumber(x)));
  o.Set("subject", NameToJs(env, X509_get_subject_name(x)));
  o.Set("issuer", NameToJs(env, X509_get_issuer_name(x)));
  double notBefore = TimeToSeconds(X509_get0_notBefore(x));
  double notAfter = TimeToSeconds(X509_get0_notAfter(x));
  if (std::isnan(notBefore) || std::isnan(notAfter)) ThrowError(env, "ERR_JSEC_CERT_PARSE", "the validity period is not a valid time");
  o.Set("notBefore", Napi::Number::New(env, notBefore));
  o.Set("notAfter", Napi::Number::New(env, notAfter));
  EVP_PKEY* pub = X509_get0_pubkey(x);
  ERR_clear_error();
  o.Set("publicKey", PublicKeyInfo(env, pub, X509_get_X509_PUBKEY(x)));
  const X509_ALGOR* alg = nullptr;
  X509_get0_signature(nullptr, &alg, x);
  SetSignatureAlgorithm(env, alg, o);
  ExtensionsToJs(env, X509_get0_extensions(x), o);
  // Extension cache: flags such as EXFLAG_INVALID for malformed extensions.
  uint32_t flags = X509_get_extension_flags(x);
  ERR_clear_error();
  o.Set("invalidExtensions", (flags & EXFLAG_INVALID) != 0);
  o.Set("selfIssued", X509_NAME_cmp(X509_get_subject_name(x), X509_get_issuer_name(x)) == 0);
  ERR_clear_error();
  return o;
}

Napi::Value Parse(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ErrorQueueGuard guard;
  X509Ptr cert = CertFromDer(env, ToBytes(info[0]));
  Napi::Object o = ParseCert(env, cert.get());
  // The parsed X509 stays available for verification and name checks.
  o.Set("handle", MakeCertHandle(env, cert.get()));
  return o;
}

// x509Handle(der): a reusable parsed certificate.
Napi::Value Handle(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ErrorQueueGuard guard;
  X509Ptr cert = CertFromDer(env, ToBytes(info[0]));
  return MakeCertHandle(env, cert.get());
}

// pemDecode(text): every PEM block as { label, der }; throws when there is none
// or when a block is corrupt. Text outside blocks is ignored (as OpenSSL does).
Napi::Value PemDecode(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ErrorQueueGuard guard;
  Bytes text = ToBytes(info[0]);
  BioPtr bio = BioFromBytes(text);
  if (!bio) ThrowError(env, "ERR_OUT_OF_RANGE", "the PEM text is too large");
  Napi::Array out = Napi::Array::New(env);
  uint32_t n = 0;
  for (;;) {
    char* name = nullptr;
    char* header = nullptr;
    unsigned char* data = nullptr;
    long len = 0;
    if (!PEM_read_bio(bio.get(), &name, &header, &data, &len)) {
      unsigned long e = ERR_peek_last_error();
      if (ERR_GET_REASON(e) == PEM_R_NO_START_LINE) {
        ERR_clear_error();
        break;
      }
      ThrowOpenSSL(env, "corrupt PEM block", "ERR_JSEC_PEM_PARSE");
    }
    // Owned before any napi call that can throw.
    OsslStringPtr nameOwned(name), headerOwned(header);
    OsslStringPtr dataOwned(reinterpret_cast<char*>(data));
    Napi::Object block = Napi::Object::New(env);
    block.Set("label", std::string(name));
    block.Set("headers", std::string(header != nullptr ? header : ""));
    block.Set("der", ToBuffer(env, data, static_cast<size_t>(len)));
    out.Set(n++, block);
  }
  return out;
}

// pemEncode(label, der): the PEM text.
Napi::Value PemEncode(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ErrorQueueGuard guard;
  std::string label = info[0].As<Napi::String>().Utf8Value();
  Bytes der = ToBytes(info[1]);
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!PEM_write_bio(bio.get(), label.c_str(), "", der.data(), static_cast<long>(der.size())))
    ThrowOpenSSL(env, "cannot write PEM");
  return Napi::String::New(env, BioToString(bio.get()));
}

// x509Check(der, kind, value, flags): the matched name or null
// (X509_check_host / _email / _ip_asc).
Napi::Value Check(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ErrorQueueGuard guard;
  X509Ptr cert = CertFromJs(env, info[0], "ERR_JSEC_CERT_PARSE");
  std::string kind = info[1].As<Napi::String>().Utf8Value();
  std::string value = info[2].As<Napi::String>().Utf8Value();
  unsigned int flags = info.Length() > 3 && info[3].IsNumber() ? info[3].As<Napi::Number>().Uint32Value() : 0;
  int r;
  if (kind == "host") {
    char* peer = nullptr;
    r = X509_check_host(cert.get(), value.data(), value.size(), flags, &peer);
    if (r == 1) {
      std::string matched = peer != nullptr ? peer : value;
      OPENSSL_free(peer);
      return Napi::String::New(env, matched);
    }
  } else if (kind == "email") {
    r = X509_check_email(cert.get(), value.data(), value.size(), flags);
  } else {
    r = X509_check_ip_asc(cert.get(), value.c_str(), flags);
  }
  if (r < 0) ThrowOpenSSL(env, "invalid name to check", "ERR_INVALID_ARG_VALUE");
  return r == 1 ? Napi::Value(Napi::String::New(env, value)) : env.Null();
}

// x509VerifySignature(der, issuerDer): whether the issuer's key signed the certificate.
Napi::Value VerifySignature(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ErrorQueueGuard guard;
  X509Ptr cert = CertFromJs(env, info[0], "ERR_JSEC_CERT_PARSE");
  X509Ptr issuer = CertFromJs(env, info[1], "ERR_JSEC_CERT_PARSE");
  EVP_PKEY* key = X509_get0_pubkey(issuer.get());
  if (key == nullptr) return Napi::Boolean::New(env, false);
  return Napi::Boolean::New(env, X509_verify(cert.get(), key) == 1);
}

// x509KeyMatches(certDer, pkcs8Der): whether a private key belongs to the certificate.
Napi::Value KeyMatches(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ErrorQueueGuard guard;
  X509Ptr cert = CertFromDer(env, ToBytes(info[0]));
  PkeyPtr key = PrivateKeyFromDer(env, info[1]);
  return Napi::Boolean::New(env, X509_check_private_key(cert.get(), key.get()) == 1);
}

// x509KeyId(spkiDer): the RFC 5280 method-1 key identifier.
Napi::Value KeyId(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ErrorQueueGuard guard;
  Owned<X509_PUBKEY, X509_PUBKEY_free> pub(X509_PUBKEY_new());
  if (!pub || !SetPubkeyFromSpki(pub.get(), ToBytes(info[0])))
    ThrowOpenSSL(env, "the public key is not SubjectPublicKeyInfo DER", "ERR_JSEC_CERT_KEY_INVALID");
  return ToBuffer(env, KeyIdOfPubkey(pub.get()));
}

void Init(Napi::Env env, Napi::Object exports) {
  ExportFunctions(env, exports, {
      {"x509Build", Build},
      {"x509Parse", Parse},
      {"x509Handle", Handle},
      {"x509Check", Check},
      {"x509VerifySignature", VerifySignature},
      {"x509KeyMatches", KeyMatches},
      {"x509KeyId", KeyId},
      {"pemDecode", PemDecode},
      {"pemEncode", PemEncode},
  });
}

}  // namespace

JSEC_REGISTER(x509, Init);

}  // namespace jsec
