// OCSP (RFC 6960) on OpenSSL's OCSP_* API: certificate IDs, requests (build,
// parse), responses (sign, parse, verify). Boundary formats: certificates and
// CertIDs as DER, private keys as PKCS#8 DER, serials as lower-case hex, times
// as seconds since the epoch. TypeScript validates every argument first.
#include <openssl/asn1.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ocsp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cctype>
#include <cmath>
#include <cstring>
#include <ctime>
#include <functional>
#include <string>

#include "common/buffers.h"
#include "common/decode.h"
#include "common/errors.h"
#include "common/handles.h"
#include "common/module.h"
#include "x509/x509_util.h"

namespace jsec {
namespace ocsp {
namespace {

using Asn1OctetPtr = Owned<ASN1_OCTET_STRING, ASN1_OCTET_STRING_free>;
using Asn1GenTimePtr = Owned<ASN1_GENERALIZEDTIME, ASN1_GENERALIZEDTIME_free>;

using x509::DigestFromJs;
using x509::ObjToName;
using x509::ObjToOid;
using x509::TimeToSeconds;

constexpr const char* kParseCode = "ERR_JSEC_OCSP_PARSE";

// ---- small conversions ---------------------------------------------------


std::string IntegerHex(const ASN1_INTEGER* i) {
  if (i == nullptr) return "";
  BnPtr bn(ASN1_INTEGER_to_BN(i, nullptr));
  if (!bn) return "";
  if (BN_is_zero(bn.get())) return "0";
  OsslStringPtr s(BN_bn2hex(bn.get()));
  if (!s) return "";
  std::string out(s.get());
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  // BN_bn2hex pads to whole bytes; the boundary form has no leading zeros.
  size_t start = out[0] == '-' ? 1 : 0;
  size_t nz = out.find_first_not_of('0', start);
  if (nz != std::string::npos && nz > start) out.erase(start, nz - start);
  return out;
}

Asn1GenTimePtr GenTime(double seconds) {
  return Asn1GenTimePtr(ASN1_GENERALIZEDTIME_set(nullptr, static_cast<time_t>(seconds)));
}

Napi::Value TimeValue(Napi::Env env, const ASN1_TIME* t) {
  if (t == nullptr) return env.Null();
  double s = TimeToSeconds(t);
  if (std::isnan(s)) return env.Null();
  return Napi::Number::New(env, s);
}

X509Ptr CertFromDer(Napi::Env env, const Napi::Value& v, const char* what) {
  return DecodeDer<X509Ptr>(env, ToBytes(v), d2i_X509, (std::string(what) + " certificate").c_str(), "ERR_INVALID_ARG_VALUE");
}

X509StackPtr CertStackFromJs(Napi::Env env, const Napi::Value& v) {
  X509StackPtr stack(sk_X509_new_null());
  if (!stack) ThrowOpenSSL(env, "out of memory");
  if (!v.IsArray()) return stack;
  Napi::Array arr = v.As<Napi::Array>();
  for (uint32_t i = 0; i < arr.Length(); i++) {
    X509Ptr x = CertFromDer(env, arr.Get(i), "extra");
    if (!sk_X509_push(stack.get(), x.get())) ThrowOpenSSL(env, "out of memory");
    x.release();
  }
  return stack;
}

PkeyPtr KeyFromDer(Napi::Env env, const Napi::Value& v) {
  Bytes der = ToBytes(v);
  BioPtr bio = BioFromBytes(der);
  PkeyPtr key(bio ? d2i_PrivateKey_bio(bio.get(), nullptr) : nullptr);
  if (!key) ThrowOpenSSL(env, "invalid signing key", "ERR_INVALID_ARG_VALUE");
  return key;
}

template <typename T, int (*I2d)(const T*, unsigned char**)>
Napi::Value DerOf(Napi::Env env, const T* obj) {
  return ToBuffer(env, EncodeDer(env, obj, I2d, "OCSP structure", "ERR_JSEC_OPENSSL"));
}

int I2dCertId(const OCSP_CERTID* id, unsigned char** out) { return i2d_OCSP_CERTID(const_cast<OCSP_CERTID*>(id), out); }
int I2dX509(const X509* x, unsigned char** out) { return i2d_X509(const_cast<X509*>(x), out); }
int I2dName(const X509_NAME* n, unsigned char** out) { return i2d_X509_NAME(const_cast<X509_NAME*>(n), out); }

// ---- CertID ----------------------------------------------------------------

Napi::Object CertIdToJs(Napi::Env env, const OCSP_CERTID* cid) {
  ASN1_OCTET_STRING* nameHash = nullptr;
  ASN1_OBJECT* md = nullptr;
  ASN1_OCTET_STRING* keyHash = nullptr;
  ASN1_INTEGER* serial = nullptr;
  OCSP_id_get0_info(&nameHash, &md, &keyHash, &serial, const_cast<OCSP_CERTID*>(cid));
  Napi::Object o = Napi::Object::New(env);
  o.Set("hashAlgorithm", ObjToName(md));
  o.Set("hashAlgorithmOid", ObjToOid(md));
  o.Set("issuerNameHash", nameHash ? ToBuffer(env, nameHash->data, static_cast<size_t>(nameHash->length)) : ToBuffer(env, nullptr, 0));
  o.Set("issuerKeyHash", keyHash ? ToBuffer(env, keyHash->data, static_cast<size_t>(keyHash->length)) : ToBuffer(env, nullptr, 0));
  o.Set("serial", IntegerHex(serial));
  o.Set("der", DerOf<OCSP_CERTID, I2dCertId>(env, cid));
  return o;
}

OcspCertIdPtr CertIdFromDer(Napi::Env env, const Napi::Value& v) {
  return DecodeDer<OcspCertIdPtr>(env, ToBytes(v), d2i_OCSP_CERTID, "CertID", "ERR_INVALID_ARG_VALUE");
}

Asn1IntPtr SerialFromHex(Napi::Env env, const std::string& hex) {
  BIGNUM* raw = nullptr;
  if (hex.empty() || BN_hex2bn(&raw, hex.c_str()) != static_cast<int>(hex.size())) {
    BN_free(raw);
    ThrowError(env, "ERR_INVALID_ARG_VALUE", "invalid serial " + hex);
  }
  BnPtr bn(raw);
  Asn1IntPtr serial(BN_to_ASN1_INTEGER(bn.get(), nullptr));
  if (!serial) ThrowOpenSSL(env, "serial conversion failed");
  return serial;
}

// ocspCertId(issuerDer, serialHex, digest) -> CertID parts + DER.
Napi::Value CertId(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ErrorQueueGuard guard;
  X509Ptr issuer = CertFromDer(env, info[0], "issuer");
  Asn1IntPtr serial = SerialFromHex(env, info[1].As<Napi::String>().Utf8Value());
  const EVP_MD* md = DigestFromJs(env, info[2]);
  if (md == nullptr) md = EVP_sha1();
  OcspCertIdPtr id(OCSP_cert_id_new(md, X509_get_subject_name(issuer.get()), X509_get0_pubkey_bitstr(issuer.get()), serial.get()));
  if (!id) ThrowOpenSSL(env, "could not compute the CertID");
  return CertIdToJs(env, id.get());
}

// ---- nonce -----------------------------------------------------------------

// The nonce's extnValue holds DER(OCTET STRING nonce) (RFC 8954); some
// clients put the bare bytes there, which we report as they are.
Napi::Value NonceFromExt(Napi::Env env, X509_EXTENSION* ext) {
  if (ext == nullptr) return env.Null();
  ASN1_OCTET_STRING* value = X509_EXTENSION_get_data(ext);
  if (value == nullptr) return env.Null();
  const unsigned char* p = value->data;
  Asn1OctetPtr inner(d2i_ASN1_OCTET_STRING(nullptr, &p, value->length));
  if (inner && p == value->data + value->length) return ToBuffer(env, inner->data, static_cast<size_t>(inner->length));
  ERR_clear_error();
  return ToBuffer(env, value->data, static_cast<size_t>(value->length));
}

Napi::Array ExtensionList(Napi::Env env, int count, const std::function<X509_EXTENSION*(int)>& get) {
  Napi::Array list = Napi::Array::New(env);
  uint32_t n = 0;
  for (int i = 0; i < count; i++) {
    X509_EXTENSION* ext = get(i);
    if (ext == nullptr) continue;
    Napi::Object e = Napi::Object::New(env);
    e.Set("oid", ObjToOid(X509_EXTENSION_get_object(ext)));
    e.Set("name", ObjToName(X509_EXTENSION_get_object(ext)));
    e.Set("critical", Napi::Boolean::New(env, X509_EXTENSION_get_critical(ext) > 0));
    ASN1_OCTET_STRING* value = X509_EXTENSION_get_data(ext);
    e.Set("value", value ? ToBuffer(env, value->data, static_cast<size_t>(value->length)) : ToBuffer(env, nullptr, 0));
    list.Set(n++, e);
  }
  return list;
}

// ---- requests --------------------------------------------------------------

// ocspRequestBuild(certIdDers: Buffer[], nonce: Buffer | null) -> DER.
Napi::Value RequestBuild(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ErrorQueueGuard guard;
  OcspReqPtr req(OCSP_REQUEST_new());
  if (!req) ThrowOpenSSL(env, "out of memory");
  Napi::Array ids = info[0].As<Napi::Array>();
  for (uint32_t i = 0; i < ids.Length(); i++) {
    OcspCertIdPtr id = CertIdFromDer(env, ids.Get(i));
    if (OCSP_request_add0_id(req.get(), id.get()) == nullptr) ThrowOpenSSL(env, "could not add the CertID");
    id.release();
  }
  if (info[1].IsBuffer()) {
    Bytes nonce = ToBytes(info[1]);
    if (OCSP_request_add1_nonce(req.get(), nonce.data(), static_cast<int>(nonce.size())) != 1) ThrowOpenSSL(env, "could not add the nonce");
  }
  return DerOf<OCSP_REQUEST, i2d_OCSP_REQUEST>(env, req.get());
}

// ocspRequestParse(der) -> { certIds, nonce, signed, extensions, requestorName }.
Napi::Value RequestParse(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ErrorQueueGuard guard;
  OcspReqPtr req = DecodeDer<OcspReqPtr>(env, ToBytes(info[0]), d2i_OCSP_REQUEST, "OCSP request", kParseCode);
  Napi::Object o = Napi::Object::New(env);
  int count = OCSP_request_onereq_count(req.get());
  Napi::Array ids = Napi::Array::New(env);
  for (int i = 0; i < count; i++) {
    OCSP_ONEREQ* one = OCSP_request_onereq_get0(req.get(), i);
    OCSP_CERTID* cid = one ? OCSP_onereq_get0_id(one) : nullptr;
    if (cid == nullptr) ThrowError(env, kParseCode, "request entry without a CertID");
    ids.Set(static_cast<uint32_t>(i), CertIdToJs(env, cid));
  }
  o.Set("certIds", ids);
  int loc = OCSP_REQUEST_get_ext_by_NID(req.get(), NID_id_pkix_OCSP_Nonce, -1);
  o.Set("nonce", loc >= 0 ? NonceFromExt(env, OCSP_REQUEST_get_ext(req.get(), loc)) : env.Null());
  o.Set("signed", Napi::Boolean::New(env, OCSP_request_is_signed(req.get()) == 1));
  OCSP_REQUEST* r = req.get();
  o.Set("extensions", ExtensionList(env, OCSP_REQUEST_get_ext_count(r), [r](int i) { return OCSP_REQUEST_get_ext(r, i); }));
  return o;
}

// ---- responses -------------------------------------------------------------

Napi::Object SingleToJs(Napi::Env env, OCSP_SINGLERESP* single) {
  Napi::Object o = Napi::Object::New(env);
  const OCSP_CERTID* cid = OCSP_SINGLERESP_get0_id(single);
  if (cid == nullptr) ThrowError(env, kParseCode, "single response without a CertID");
  o.Set("certId", CertIdToJs(env, cid));
  int reason = -1;
  ASN1_GENERALIZEDTIME* revtime = nullptr;
  ASN1_GENERALIZEDTIME* thisupd = nullptr;
  ASN1_GENERALIZEDTIME* nextupd = nullptr;
  int status = OCSP_single_get0_status(single, &reason, &revtime, &thisupd, &nextupd);
  if (status < 0) ThrowError(env, kParseCode, "single response without a status");
  o.Set("status", Napi::Number::New(env, status));
  o.Set("revocationReason", Napi::Number::New(env, reason));
  o.Set("revocationTime", TimeValue(env, revtime));
  o.Set("thisUpdate", TimeValue(env, thisupd));
  o.Set("nextUpdate", TimeValue(env, nextupd));
  o.Set("extensions", ExtensionList(env, OCSP_SINGLERESP_get_ext_count(single), [single](int i) { return OCSP_SINGLERESP_get_ext(single, i); }));
  return o;
}

Napi::Object BasicToJs(Napi::Env env, OCSP_BASICRESP* bs) {
  Napi::Object o = Napi::Object::New(env);
  const ASN1_OCTET_STRING* keyHash = nullptr;
  const X509_NAME* name = nullptr;
  if (OCSP_resp_get0_id(bs, &keyHash, &name) != 1) ThrowError(env, kParseCode, "response without a responder ID");
  Napi::Object rid = Napi::Object::New(env);
  if (keyHash != nullptr) {
    rid.Set("type", "key");
    rid.Set("keyHash", ToBuffer(env, keyHash->data, static_cast<size_t>(keyHash->length)));
  } else if (name != nullptr) {
    rid.Set("type", "name");
    rid.Set("name", DerOf<X509_NAME, I2dName>(env, name));
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (bio && X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253) >= 0) rid.Set("text", BioToString(bio.get()));
  }
  o.Set("responderId", rid);
  o.Set("producedAt", TimeValue(env, OCSP_resp_get0_produced_at(bs)));
  const X509_ALGOR* alg = OCSP_resp_get0_tbs_sigalg(bs);
  const ASN1_OBJECT* algObj = nullptr;
  if (alg != nullptr) X509_ALGOR_get0(&algObj, nullptr, nullptr, alg);
  o.Set("signatureAlgorithm", ObjToName(algObj));
  int loc = OCSP_BASICRESP_get_ext_by_NID(bs, NID_id_pkix_OCSP_Nonce, -1);
  o.Set("nonce", loc >= 0 ? NonceFromExt(env, OCSP_BASICRESP_get_ext(bs, loc)) : env.Null());
  o.Set("extensions", ExtensionList(env, OCSP_BASICRESP_get_ext_count(bs), [bs](int i) { return OCSP_BASICRESP_get_ext(bs, i); }));
  const STACK_OF(X509)* certs = OCSP_resp_get0_certs(bs);
  Napi::Array certList = Napi::Array::New(env);
  for (int i = 0; certs != nullptr && i < sk_X509_num(certs); i++) {
    certList.Set(static_cast<uint32_t>(i), DerOf<X509, I2dX509>(env, sk_X509_value(certs, i)));
  }
  o.Set("certificates", certList);
  Napi::Array responses = Napi::Array::New(env);
  int count = OCSP_resp_count(bs);
  for (int i = 0; i < count; i++) {
    OCSP_SINGLERESP* single = OCSP_resp_get0(bs, i);
    if (single == nullptr) ThrowError(env, kParseCode, "missing single response");
    responses.Set(static_cast<uint32_t>(i), SingleToJs(env, single));
  }
  o.Set("responses", responses);
  return o;
}

OcspRespPtr ResponseFromDer(Napi::Env env, const Bytes& der) {
  return DecodeDer<OcspRespPtr>(env, der, d2i_OCSP_RESPONSE, "OCSP response", kParseCode);
}

OcspBasicPtr BasicOf(Napi::Env env, OCSP_RESPONSE* resp) {
  OcspBasicPtr bs(OCSP_response_get1_basic(resp));
  if (!bs) ThrowOpenSSL(env, "the response body is not a basic OCSP response", kParseCode);
  return bs;
}

// ocspResponseParse(der) -> { responseStatus, basic: {...} | null }.
Napi::Value ResponseParse(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ErrorQueueGuard guard;
  OcspRespPtr resp = ResponseFromDer(env, ToBytes(info[0]));
  Napi::Object o = Napi::Object::New(env);
  int status = OCSP_response_status(resp.get());
  o.Set("responseStatus", Napi::Number::New(env, status));
  if (status != OCSP_RESPONSE_STATUS_SUCCESSFUL) {
    o.Set("basic", env.Null());
    return o;
  }
  OcspBasicPtr bs = BasicOf(env, resp.get());
  o.Set("basic", BasicToJs(env, bs.get()));
  return o;
}

// ocspResponseStatusOnly(status) -> DER of an unsuccessful OCSPResponse.
Napi::Value ResponseStatusOnly(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ErrorQueueGuard guard;
  int status = info[0].As<Napi::Number>().Int32Value();
  OcspRespPtr resp(OCSP_response_create(status, nullptr));
  if (!resp) ThrowOpenSSL(env, "could not create the response");
  return DerOf<OCSP_RESPONSE, i2d_OCSP_RESPONSE>(env, resp.get());
}

// ---- signing ---------------------------------------------------------------

struct SignerState {
  X509Ptr cert;
  PkeyPtr key;
  X509StackPtr extra;
};

bool UsesNoDigest(EVP_PKEY* key) {
  int id = EVP_PKEY_get_base_id(key);
  return id == EVP_PKEY_ED25519 || id == EVP_PKEY_ED448;
}

// Builds and signs a BasicOCSPResponse. spec = { responses: [{ certId: DER,
// status: 0|1|2, revocationTime?, reason?, thisUpdate, nextUpdate? }],
// nonce: Buffer | null, producedAt, digest, includeCertificates, responderId: 'name'|'key' }.
Napi::Value Sign(Napi::Env env, SignerState& s, const Napi::Object& spec) {
  ErrorQueueGuard guard;
  OcspBasicPtr bs(OCSP_BASICRESP_new());
  if (!bs) ThrowOpenSSL(env, "out of memory");
  Napi::Array list = spec.Get("responses").As<Napi::Array>();
  for (uint32_t i = 0; i < list.Length(); i++) {
    Napi::Object r = list.Get(i).As<Napi::Object>();
    OcspCertIdPtr cid = CertIdFromDer(env, r.Get("certId"));
    int status = r.Get("status").As<Napi::Number>().Int32Value();
    int reason = r.Has("reason") && r.Get("reason").IsNumber() ? r.Get("reason").As<Napi::Number>().Int32Value() : -1;
    Asn1GenTimePtr revtime;
    if (status == V_OCSP_CERTSTATUS_REVOKED) {
      revtime = GenTime(r.Get("revocationTime").As<Napi::Number>().DoubleValue());
      if (!revtime) ThrowOpenSSL(env, "invalid revocation time");
    }
    Asn1GenTimePtr thisupd = GenTime(r.Get("thisUpdate").As<Napi::Number>().DoubleValue());
    if (!thisupd) ThrowOpenSSL(env, "invalid thisUpdate");
    Asn1GenTimePtr nextupd;
    if (r.Get("nextUpdate").IsNumber()) {
      nextupd = GenTime(r.Get("nextUpdate").As<Napi::Number>().DoubleValue());
      if (!nextupd) ThrowOpenSSL(env, "invalid nextUpdate");
    }
    if (OCSP_basic_add1_status(bs.get(), cid.get(), status, reason, revtime.get(), thisupd.get(), nextupd.get()) == nullptr) {
      ThrowOpenSSL(env, "could not add the certificate status");
    }
  }
  Napi::Value nonce = spec.Get("nonce");
  if (nonce.IsBuffer()) {
    Bytes n = ToBytes(nonce);
    if (OCSP_basic_add1_nonce(bs.get(), n.data(), static_cast<int>(n.size())) != 1) ThrowOpenSSL(env, "could not add the nonce");
  }
  if (spec.Get("includeCertificates").ToBoolean().Value()) {
    if (OCSP_basic_add1_cert(bs.get(), s.cert.get()) != 1) ThrowOpenSSL(env, "could not add the signer certificate");
    for (int i = 0; i < sk_X509_num(s.extra.get()); i++) {
      if (OCSP_basic_add1_cert(bs.get(), sk_X509_value(s.extra.get(), i)) != 1) ThrowOpenSSL(env, "could not add a certificate");
    }
  }
  std::string rid = spec.Get("responderId").As<Napi::String>().Utf8Value();
  unsigned long flags = OCSP_NOCERTS | (rid == "key" ? OCSP_RESPID_KEY : 0);
  const EVP_MD* md = UsesNoDigest(s.key.get()) ? nullptr : DigestFromJs(env, spec.Get("digest"));
  if (md == nullptr && !UsesNoDigest(s.key.get())) md = EVP_sha256();
  {
    MdCtxPtr ctx(EVP_MD_CTX_new());
    if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, md, nullptr, s.key.get()) != 1) ThrowOpenSSL(env, "could not initialise the signature");
    if (OCSP_basic_sign_ctx(bs.get(), s.cert.get(), ctx.get(), nullptr, flags) != 1) ThrowOpenSSL(env, "could not sign the response");
  }
  // OCSP_basic_sign stamps producedAt with the wall clock. Under an injected
  // clock that differs, set the requested time inside the (opaque) response
  // data through its accessors and sign again.
  double wanted = spec.Get("producedAt").As<Napi::Number>().DoubleValue();
  auto* produced = const_cast<ASN1_GENERALIZEDTIME*>(OCSP_resp_get0_produced_at(bs.get()));
  if (produced != nullptr && std::fabs(TimeToSeconds(produced) - std::floor(wanted)) >= 1) {
    if (ASN1_GENERALIZEDTIME_set(produced, static_cast<time_t>(wanted)) == nullptr) ThrowOpenSSL(env, "invalid producedAt");
    MdCtxPtr ctx(EVP_MD_CTX_new());
    if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, md, nullptr, s.key.get()) != 1) ThrowOpenSSL(env, "could not initialise the signature");
    auto* alg = const_cast<X509_ALGOR*>(OCSP_resp_get0_tbs_sigalg(bs.get()));
    auto* sig = const_cast<ASN1_OCTET_STRING*>(OCSP_resp_get0_signature(bs.get()));
    auto* data = const_cast<OCSP_RESPDATA*>(OCSP_resp_get0_respdata(bs.get()));
    if (ASN1_item_sign_ctx(ASN1_ITEM_rptr(OCSP_RESPDATA), alg, nullptr, sig, data, ctx.get()) <= 0) ThrowOpenSSL(env, "could not sign the response");
  }
  OcspRespPtr resp(OCSP_response_create(OCSP_RESPONSE_STATUS_SUCCESSFUL, bs.get()));
  if (!resp) ThrowOpenSSL(env, "could not create the response");
  return DerOf<OCSP_RESPONSE, i2d_OCSP_RESPONSE>(env, resp.get());
}

// A signing identity held natively so that a responder parses its key once.
class Signer : public Napi::ObjectWrap<Signer> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "OcspSigner",
                       {InstanceMethod<&Signer::SignMethod>("sign"), InstanceMethod<&Signer::Close>("close")});
  }

  // new OcspSigner(certDer, keyPkcs8Der, extraCertDers[])
  explicit Signer(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Signer>(info) {
    Napi::Env env = info.Env();
    ErrorQueueGuard guard;
    state_.cert = CertFromDer(env, info[0], "signer");
    state_.key = KeyFromDer(env, info[1]);
    state_.extra = CertStackFromJs(env, info[2]);
    if (X509_check_private_key(state_.cert.get(), state_.key.get()) != 1) {
      ThrowOpenSSL(env, "the signing key does not match the signer certificate", "ERR_INVALID_ARG_VALUE");
    }
  }

 private:
  Napi::Value SignMethod(const Napi::CallbackInfo& info) {
    if (!state_.key) ThrowError(info.Env(), "ERR_JSEC_CLOSED", "the OCSP signer is closed");
    return Sign(info.Env(), state_, info[0].As<Napi::Object>());
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    state_.key.reset();
    state_.cert.reset();
    state_.extra.reset();
    return info.Env().Undefined();
  }

  SignerState state_;
};

// ---- verification ------------------------------------------------------------

// ocspResponseVerify(der, issuerDer, extraCertDers[], atSeconds) ->
// { ok, reason?, detail?, signer? }. Trust is anchored at the issuer (the CA
// that issued the certificates in question): the signer must be that CA or a
// certificate it issued with the OCSPSigning EKU (RFC 6960 4.2.2.2).
Napi::Value ResponseVerify(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ErrorQueueGuard guard;
  OcspRespPtr resp = ResponseFromDer(env, ToBytes(info[0]));
  if (OCSP_response_status(resp.get()) != OCSP_RESPONSE_STATUS_SUCCESSFUL) {
    ThrowError(env, "ERR_JSEC_OCSP_RESPONSE_STATUS", "the response is not successful");
  }
  OcspBasicPtr bs = BasicOf(env, resp.get());
  X509Ptr issuer = CertFromDer(env, info[1], "issuer");
  X509StackPtr certs = CertStackFromJs(env, info[2]);
  if (!sk_X509_push(certs.get(), issuer.get())) ThrowOpenSSL(env, "out of memory");
  X509_up_ref(issuer.get());
  X509StorePtr store(X509_STORE_new());
  if (!store || X509_STORE_add_cert(store.get(), issuer.get()) != 1) ThrowOpenSSL(env, "could not build the trust store");
  X509_VERIFY_PARAM* param = X509_STORE_get0_param(store.get());
  X509_VERIFY_PARAM_set_time(param, static_cast<time_t>(info[3].As<Napi::Number>().DoubleValue()));
  int ret = OCSP_basic_verify(bs.get(), certs.get(), store.get(), OCSP_NOEXPLICIT | OCSP_PARTIAL_CHAIN);
  Napi::Object o = Napi::Object::New(env);
  X509* signer = nullptr;
  if (OCSP_resp_get0_signer(bs.get(), &signer, certs.get()) == 1 && signer != nullptr) {
    o.Set("signer", DerOf<X509, I2dX509>(env, signer));
  }
  if (ret > 0) {
    o.Set("ok", Napi::Boolean::New(env, true));
    return o;
  }
  // The queue's data strings carry the chain error ("Verify error: ...").
  std::string reason = "unauthorized";
  std::string detail;
  const char* data = nullptr;
  int flags = 0;
  unsigned long e;
  while ((e = ERR_get_error_all(nullptr, nullptr, nullptr, &data, &flags)) != 0) {
    if (ERR_GET_LIB(e) != ERR_LIB_OCSP) continue;
    switch (ERR_GET_REASON(e)) {
      case OCSP_R_SIGNER_CERTIFICATE_NOT_FOUND: reason = "signer-not-found"; break;
      case OCSP_R_SIGNATURE_FAILURE:
      case OCSP_R_NO_SIGNER_KEY: reason = "signature"; break;
      case OCSP_R_CERTIFICATE_VERIFY_ERROR: reason = "signer-chain"; break;
      case OCSP_R_MISSING_OCSPSIGNING_USAGE: reason = "unauthorized"; break;
      case OCSP_R_RESPONSE_CONTAINS_NO_REVOCATION_DATA: reason = "no-responses"; break;
      default: break;
    }
    const char* text = ERR_reason_error_string(e);
    detail = text != nullptr ? text : "";
    if (data != nullptr && (flags & ERR_TXT_STRING) != 0 && *data != '\0') detail += std::string(": ") + data;
  }
  o.Set("ok", Napi::Boolean::New(env, false));
  o.Set("reason", reason);
  o.Set("detail", detail);
  return o;
}

void Init(Napi::Env env, Napi::Object exports) {
  ExportFunctions(env, exports, {
      {"ocspCertId", CertId},
      {"ocspRequestBuild", RequestBuild},
      {"ocspRequestParse", RequestParse},
      {"ocspResponseParse", ResponseParse},
      {"ocspResponseStatusOnly", ResponseStatusOnly},
      {"ocspResponseVerify", ResponseVerify},
  });
  exports.Set("OcspSigner", Signer::Define(env));
}

}  // namespace

JSEC_REGISTER(ocsp, Init);

}  // namespace ocsp
}  // namespace jsec
