#include "x509/x509_util.h"

#include <arpa/inet.h>
#include <openssl/core_names.h>
#include <openssl/decoder.h>
#include <openssl/param_build.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/sha.h>

#include <cmath>
#include <ctime>

#include "common/decode.h"
#include "common/errors.h"

namespace jsec {
namespace x509 {

namespace {

// Frees whatever X509V3_EXT_d2i returned, through the extension's ASN.1 item.
struct Decoded {
  const X509V3_EXT_METHOD* method = nullptr;
  void* value = nullptr;
  explicit Decoded(X509_EXTENSION* ext) {
    method = X509V3_EXT_get(ext);
    if (method != nullptr && method->it != nullptr) value = X509V3_EXT_d2i(ext);
  }
  ~Decoded() {
    if (value != nullptr && method != nullptr && method->it != nullptr)
      ASN1_item_free(static_cast<ASN1_VALUE*>(value), ASN1_ITEM_ptr(method->it));
  }
  Decoded(const Decoded&) = delete;
  Decoded& operator=(const Decoded&) = delete;
};

std::string Asn1StringUtf8(const ASN1_STRING* s) {
  unsigned char* out = nullptr;
  int n = ASN1_STRING_to_UTF8(&out, s);
  if (n < 0 || out == nullptr) {
    ERR_clear_error();
    // Not convertible: show the raw bytes as hex, marked as such.
    return "#" + BytesToHex(ASN1_STRING_get0_data(s), static_cast<size_t>(ASN1_STRING_length(s)));
  }
  std::string r(reinterpret_cast<char*>(out), static_cast<size_t>(n));
  OPENSSL_free(out);
  return r;
}

std::string Ia5(const ASN1_STRING* s) {
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)), static_cast<size_t>(ASN1_STRING_length(s)));
}

void PushExt(Napi::Env env, STACK_OF(X509_EXTENSION) * out, int nid, bool critical, void* value) {
  X509_EXTENSION* ext = X509V3_EXT_i2d(nid, critical ? 1 : 0, value);
  if (ext == nullptr) ThrowOpenSSL(env, std::string("cannot encode extension ") + OBJ_nid2sn(nid), "ERR_JSEC_CERT_BUILD");
  if (sk_X509_EXTENSION_push(out, ext) <= 0) {
    X509_EXTENSION_free(ext);
    ThrowOpenSSL(env, "out of memory", "ERR_JSEC_CERT_BUILD");
  }
}

bool Crit(const Napi::Object& o) {
  Napi::Value c = o.Get("critical");
  return c.IsBoolean() && c.As<Napi::Boolean>().Value();
}

GENERAL_NAME* UriName(Napi::Env env, const std::string& uri) {
  GENERAL_NAME* gn = GENERAL_NAME_new();
  ASN1_IA5STRING* s = ASN1_IA5STRING_new();
  if (gn == nullptr || s == nullptr || !ASN1_STRING_set(s, uri.data(), static_cast<int>(uri.size()))) {
    GENERAL_NAME_free(gn);
    ASN1_IA5STRING_free(s);
    ThrowOpenSSL(env, "out of memory", "ERR_JSEC_CERT_BUILD");
  }
  GENERAL_NAME_set0_value(gn, GEN_URI, s);
  return gn;
}

const char* const kKeyUsageNames[] = {"digitalSignature", "nonRepudiation", "keyEncipherment",
                                      "dataEncipherment", "keyAgreement",   "keyCertSign",
                                      "cRLSign",          "encipherOnly",   "decipherOnly"};

}  // namespace

std::string BytesToHex(const unsigned char* p, size_t n) {
  static const char* digits = "0123456789abcdef";
  std::string r;
  r.reserve(n * 2);
  for (size_t i = 0; i < n; i++) {
    r.push_back(digits[p[i] >> 4]);
    r.push_back(digits[p[i] & 15]);
  }
  return r;
}

std::string IntegerToHex(const ASN1_INTEGER* i) {
  if (i == nullptr) return "";
  std::string h = BytesToHex(ASN1_STRING_get0_data(i), static_cast<size_t>(ASN1_STRING_length(i)));
  if (ASN1_STRING_type(i) == V_ASN1_NEG_INTEGER) h = "-" + h;
  return h;
}

std::string ObjToOid(const ASN1_OBJECT* obj) {
  char buf[128];
  int n = OBJ_obj2txt(buf, sizeof buf, obj, 1);
  if (n <= 0) return "";
  if (static_cast<size_t>(n) >= sizeof buf) {
    std::string big(static_cast<size_t>(n) + 1, '\0');
    OBJ_obj2txt(big.data(), n + 1, obj, 1);
    big.resize(static_cast<size_t>(n));
    return big;
  }
  return std::string(buf, static_cast<size_t>(n));
}

std::string ObjToName(const ASN1_OBJECT* obj) {
  int nid = OBJ_obj2nid(obj);
  if (nid != NID_undef) {
    const char* sn = OBJ_nid2sn(nid);
    if (sn != nullptr) return sn;
  }
  return ObjToOid(obj);
}

std::string ObjToLongName(const ASN1_OBJECT* obj) {
  int nid = OBJ_obj2nid(obj);
  if (nid != NID_undef) {
    const char* ln = OBJ_nid2ln(nid);
    if (ln != nullptr) return ln;
  }
  return ObjToOid(obj);
}

void SetSignatureAlgorithm(Napi::Env env, const X509_ALGOR* alg, Napi::Object target) {
  if (alg == nullptr) return;
  const ASN1_OBJECT* aobj = nullptr;
  X509_ALGOR_get0(&aobj, nullptr, nullptr, alg);
  Napi::Object sa = Napi::Object::New(env);
  sa.Set("name", ObjToLongName(aobj));
  sa.Set("oid", ObjToOid(aobj));
  target.Set("signatureAlgorithm", sa);
}

double TimeToSeconds(const ASN1_TIME* t) {
  struct tm tm {};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) {
    ERR_clear_error();
    return NAN;
  }
  return static_cast<double>(timegm(&tm));
}

namespace {

// One decoder context per thread and selection, reused for every key.
struct CachedDecoder {
  EVP_PKEY* slot = nullptr;
  OSSL_DECODER_CTX* ctx = nullptr;
  ~CachedDecoder() {
    OSSL_DECODER_CTX_free(ctx);
    EVP_PKEY_free(slot);
  }
};

PkeyPtr DecodeKey(Napi::Env env, const Napi::Value& v, bool priv) {
  thread_local CachedDecoder privDec, pubDec;
  CachedDecoder& d = priv ? privDec : pubDec;
  if (d.ctx == nullptr) {
    d.ctx = OSSL_DECODER_CTX_new_for_pkey(&d.slot, "DER", priv ? "PrivateKeyInfo" : "SubjectPublicKeyInfo", nullptr,
                                          priv ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, nullptr, nullptr);
    if (d.ctx == nullptr) ThrowOpenSSL(env, "no key decoder", "ERR_JSEC_CERT_KEY_INVALID");
  }
  Bytes der = ToBytes(v);
  const unsigned char* p = der.data();
  size_t len = der.size();
  EVP_PKEY_free(d.slot);
  d.slot = nullptr;
  if (!OSSL_DECODER_from_data(d.ctx, &p, &len) || d.slot == nullptr || len != 0) {
    EVP_PKEY_free(d.slot);
    d.slot = nullptr;
    ThrowOpenSSL(env, priv ? "the private key is not PKCS#8 DER" : "the public key is not SubjectPublicKeyInfo DER",
                 "ERR_JSEC_CERT_KEY_INVALID");
  }
  PkeyPtr key(d.slot);
  d.slot = nullptr;
  return key;
}

}  // namespace

namespace {

Bytes B64Url(const Napi::Object& jwk, const char* k) {
  Napi::Value v = jwk.Get(k);
  if (!v.IsString()) return Bytes();
  std::string s = v.As<Napi::String>().Utf8Value();
  for (auto& c : s) c = c == '-' ? '+' : c == '_' ? '/' : c;
  while (s.size() % 4) s.push_back('=');
  Bytes out(s.size() / 4 * 3 + 3);
  int n = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(s.data()), static_cast<int>(s.size()));
  if (n < 0) return Bytes();
  size_t pad = 0;
  for (size_t i = s.size(); i > 0 && s[i - 1] == '='; i--) pad++;
  // "=" alone decodes to nothing: without this check the subtraction wraps
  // and resize throws std::length_error, which aborts the process.
  if (static_cast<size_t>(n) < pad) return Bytes();
  out.resize(static_cast<size_t>(n) - pad);
  return out;
}

void PushBn(Napi::Env env, OSSL_PARAM_BLD* b, const char* name, const Bytes& v, std::vector<BnPtr>& keep) {
  BnPtr bn(BN_bin2bn(v.data(), static_cast<int>(v.size()), nullptr));
  if (!bn || !OSSL_PARAM_BLD_push_BN(b, name, bn.get())) ThrowOpenSSL(env, "invalid key component", "ERR_JSEC_CERT_KEY_INVALID");
  keep.push_back(std::move(bn));
}

// A private key from its JWK form (Node exports JWK without an encoder lookup).
PkeyPtr KeyFromJwk(Napi::Env env, const Napi::Object& jwk) {
  std::string kty = jwk.Get("kty").ToString().Utf8Value();
  std::string crv = jwk.Has("crv") ? jwk.Get("crv").ToString().Utf8Value() : "";
  if (kty == "OKP") {
    int type = crv == "Ed25519" ? EVP_PKEY_ED25519 : crv == "Ed448" ? EVP_PKEY_ED448 : NID_undef;
    Bytes d = B64Url(jwk, "d");
    PkeyPtr key(type == NID_undef ? nullptr : EVP_PKEY_new_raw_private_key(type, nullptr, d.data(), d.size()));
    if (!key) ThrowOpenSSL(env, "unsupported or invalid OKP key", "ERR_JSEC_CERT_KEY_INVALID");
    return key;
  }
  const char* type = kty == "EC" ? "EC" : kty == "RSA" ? "RSA" : nullptr;
  if (type == nullptr) ThrowError(env, "ERR_JSEC_CERT_KEY_INVALID", "unsupported key type " + kty);
  Owned<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free> b(OSSL_PARAM_BLD_new());
  std::vector<BnPtr> keep;
  Bytes pub{4};  // the param builder keeps a pointer until OSSL_PARAM_BLD_to_param
  if (kty == "EC") {
    const char* group = crv == "P-256" ? "prime256v1" : crv == "P-384" ? "secp384r1" : crv == "P-521" ? "secp521r1"
                        : crv == "secp256k1" ? "secp256k1" : nullptr;
    if (group == nullptr) ThrowError(env, "ERR_JSEC_CERT_KEY_INVALID", "unsupported curve " + crv);
    Bytes x = B64Url(jwk, "x"), y = B64Url(jwk, "y");
    pub.insert(pub.end(), x.begin(), x.end());
    pub.insert(pub.end(), y.begin(), y.end());
    OSSL_PARAM_BLD_push_utf8_string(b.get(), OSSL_PKEY_PARAM_GROUP_NAME, group, 0);
    PushBn(env, b.get(), OSSL_PKEY_PARAM_PRIV_KEY, B64Url(jwk, "d"), keep);
    OSSL_PARAM_BLD_push_octet_string(b.get(), OSSL_PKEY_PARAM_PUB_KEY, pub.data(), pub.size());
  } else {
    const std::pair<const char*, const char*> parts[] = {
        {"n", OSSL_PKEY_PARAM_RSA_N},        {"e", OSSL_PKEY_PARAM_RSA_E},         {"d", OSSL_PKEY_PARAM_RSA_D},
        {"p", OSSL_PKEY_PARAM_RSA_FACTOR1},  {"q", OSSL_PKEY_PARAM_RSA_FACTOR2},   {"dp", OSSL_PKEY_PARAM_RSA_EXPONENT1},
        {"dq", OSSL_PKEY_PARAM_RSA_EXPONENT2}, {"qi", OSSL_PKEY_PARAM_RSA_COEFFICIENT1}};
    for (auto& [k, name] : parts) PushBn(env, b.get(), name, B64Url(jwk, k), keep);
  }
  Owned<OSSL_PARAM, OSSL_PARAM_free> params(OSSL_PARAM_BLD_to_param(b.get()));
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* raw = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) <= 0 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_KEYPAIR, params.get()) <= 0)
    ThrowOpenSSL(env, "invalid private key", "ERR_JSEC_CERT_KEY_INVALID");
  return PkeyPtr(raw);
}

}  // namespace

PkeyPtr PrivateKeyFromDer(Napi::Env env, const Napi::Value& v) {
  if (v.IsObject() && !v.IsBuffer() && !v.IsTypedArray()) return KeyFromJwk(env, v.As<Napi::Object>());
  return DecodeKey(env, v, true);
}

PkeyPtr PublicKeyFromDer(Napi::Env env, const Napi::Value& v) { return DecodeKey(env, v, false); }

bool SetPubkeyFromSpki(X509_PUBKEY* pub, const Bytes& spki) {
  // SubjectPublicKeyInfo ::= SEQUENCE { algorithm AlgorithmIdentifier, subjectPublicKey BIT STRING }
  const unsigned char* p = spki.data();
  long len = 0;
  int tag = 0, cls = 0;
  if (ASN1_get_object(&p, &len, &tag, &cls, static_cast<long>(spki.size())) & 0x80 || tag != V_ASN1_SEQUENCE) return false;
  const unsigned char* end = p + len;
  Owned<X509_ALGOR, X509_ALGOR_free> alg(d2i_X509_ALGOR(nullptr, &p, end - p));
  if (!alg) return false;
  Owned<ASN1_BIT_STRING, ASN1_BIT_STRING_free> bits(d2i_ASN1_BIT_STRING(nullptr, &p, end - p));
  if (!bits || p != end) return false;
  const ASN1_OBJECT* obj = nullptr;
  int ptype = 0;
  const void* pval = nullptr;
  X509_ALGOR_get0(&obj, &ptype, &pval, alg.get());
  void* pcopy = nullptr;
  if (ptype == V_ASN1_OBJECT) pcopy = OBJ_dup(static_cast<const ASN1_OBJECT*>(pval));
  else if (ptype == V_ASN1_SEQUENCE) pcopy = ASN1_STRING_dup(static_cast<const ASN1_STRING*>(pval));
  else if (ptype != V_ASN1_NULL && ptype != V_ASN1_UNDEF) return false;
  int n = ASN1_STRING_length(bits.get());
  unsigned char* enc = static_cast<unsigned char*>(OPENSSL_memdup(ASN1_STRING_get0_data(bits.get()), n > 0 ? n : 1));
  if (enc == nullptr) return false;
  if (!X509_PUBKEY_set0_param(pub, OBJ_dup(obj), ptype, pcopy, enc, n)) return false;
  return true;
}

bool SetPubkeyFromKey(X509_PUBKEY** slot, X509_PUBKEY* pub, EVP_PKEY* key) {
  int id = EVP_PKEY_get_base_id(key);
  if (id == EVP_PKEY_EC || id == EVP_PKEY_ED25519 || id == EVP_PKEY_ED448) {
    unsigned char point[200];
    size_t n = 0;
    if (EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, point, sizeof point, &n) == 1) {
      unsigned char* enc = static_cast<unsigned char*>(OPENSSL_memdup(point, n));
      if (enc == nullptr) return false;
      if (id == EVP_PKEY_EC) {
        char group[80] = {0};
        size_t glen = 0;
        int nid = EVP_PKEY_get_group_name(key, group, sizeof group, &glen) == 1 ? OBJ_txt2nid(group) : NID_undef;
        if (nid != NID_undef) {
          if (X509_PUBKEY_set0_param(pub, OBJ_nid2obj(NID_X9_62_id_ecPublicKey), V_ASN1_OBJECT, OBJ_nid2obj(nid), enc,
                                     static_cast<int>(n)))
            return true;
        }
      } else if (X509_PUBKEY_set0_param(pub, OBJ_nid2obj(id), V_ASN1_UNDEF, nullptr, enc, static_cast<int>(n))) {
        return true;
      }
      OPENSSL_free(enc);
    }
    ERR_clear_error();
  }
  return X509_PUBKEY_set(slot, key) == 1;
}

Bytes KeyIdOfPubkey(const X509_PUBKEY* pub) {
  Bytes out;
  const unsigned char* p = nullptr;
  int n = 0;
  if (pub != nullptr && X509_PUBKEY_get0_param(nullptr, &p, &n, nullptr, pub) && p != nullptr) {
    out.resize(SHA_DIGEST_LENGTH);
    unsigned int len = 0;
    // A key identifier, not a signature: SHA-1 is what RFC 5280 specifies.
    if (!EVP_Digest(p, static_cast<size_t>(n), out.data(), &len, EVP_sha1(), nullptr)) out.clear();
  }
  ERR_clear_error();
  return out;
}

const EVP_MD* DigestFromJs(Napi::Env env, const Napi::Value& v) {
  if (!v.IsString()) return nullptr;
  std::string name = v.As<Napi::String>().Utf8Value();
  if (name.empty()) return nullptr;
  const EVP_MD* md = EVP_get_digestbyname(name.c_str());
  if (md == nullptr) ThrowError(env, "ERR_INVALID_ARG_VALUE", "unknown digest " + name);
  return md;
}

X509NamePtr NameFromJs(Napi::Env env, const Napi::Value& v) {
  X509NamePtr name(X509_NAME_new());
  if (!name) ThrowOpenSSL(env, "out of memory", "ERR_JSEC_CERT_BUILD");
  if (v.IsBuffer()) {
    Bytes der = ToBytes(v);
    const unsigned char* p = der.data();
    X509_NAME* n = d2i_X509_NAME(nullptr, &p, static_cast<long>(der.size()));
    if (n == nullptr) ThrowOpenSSL(env, "the distinguished name is not valid DER", "ERR_INVALID_ARG_VALUE");
    name.reset(n);
    return name;
  }
  Napi::Array arr = v.As<Napi::Array>();
  for (uint32_t i = 0; i < arr.Length(); i++) {
    Napi::Array pair = arr.Get(i).As<Napi::Array>();
    std::string field = pair.Get(0u).As<Napi::String>().Utf8Value();
    std::string value = pair.Get(1u).As<Napi::String>().Utf8Value();
    if (!X509_NAME_add_entry_by_txt(name.get(), field.c_str(), MBSTRING_UTF8,
                                    reinterpret_cast<const unsigned char*>(value.data()), static_cast<int>(value.size()),
                                    -1, 0)) {
      ThrowOpenSSL(env, "invalid name attribute " + field, "ERR_INVALID_ARG_VALUE");
    }
  }
  return name;
}

Napi::Object NameToJs(Napi::Env env, const X509_NAME* name) {
  Napi::Object o = Napi::Object::New(env);
  Napi::Array entries = Napi::Array::New(env);
  int count = X509_NAME_entry_count(name);
  for (int i = 0; i < count; i++) {
    const X509_NAME_ENTRY* e = X509_NAME_get_entry(name, i);
    const ASN1_OBJECT* obj = X509_NAME_ENTRY_get_object(e);
    Napi::Object entry = Napi::Object::New(env);
    entry.Set("type", ObjToName(obj));
    entry.Set("oid", ObjToOid(obj));
    entry.Set("value", Asn1StringUtf8(X509_NAME_ENTRY_get_data(e)));
    entry.Set("set", Napi::Number::New(env, X509_NAME_ENTRY_set(e)));
    entries.Set(static_cast<uint32_t>(i), entry);
  }
  o.Set("entries", entries);
  BioPtr bio(BIO_new(BIO_s_mem()));
  X509_NAME_print_ex(bio.get(), name, 0,
                     (ASN1_STRFLGS_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) | ASN1_STRFLGS_UTF8_CONVERT | XN_FLAG_SEP_CPLUS_SPC |
                         XN_FLAG_FN_SN);
  o.Set("text", BioToString(bio.get()));
  unsigned char* der = nullptr;
  int n = i2d_X509_NAME(name, &der);
  if (n >= 0 && der != nullptr) {
    o.Set("der", ToBuffer(env, der, static_cast<size_t>(n)));
    OPENSSL_free(der);
  } else {
    ERR_clear_error();
    o.Set("der", ToBuffer(env, nullptr, 0));
  }
  return o;
}

GeneralNamesPtr GeneralNamesFromJs(Napi::Env env, const Napi::Value& v) {
  GeneralNamesPtr names(GENERAL_NAMES_new());
  if (!names) ThrowOpenSSL(env, "out of memory", "ERR_JSEC_CERT_BUILD");
  Napi::Array arr = v.As<Napi::Array>();
  for (uint32_t i = 0; i < arr.Length(); i++) {
    Napi::Object e = arr.Get(i).As<Napi::Object>();
    std::string type = e.Get("type").As<Napi::String>().Utf8Value();
    GENERAL_NAME* gn = nullptr;
    if (type == "uri") {
      gn = UriName(env, e.Get("value").As<Napi::String>().Utf8Value());
    } else if (type == "dns" || type == "email") {
      gn = UriName(env, e.Get("value").As<Napi::String>().Utf8Value());
      // Same IA5String payload, different tag.
      gn->type = type == "dns" ? GEN_DNS : GEN_EMAIL;
    } else if (type == "ip") {
      Bytes ip = ToBytes(e.Get("value"));
      gn = GENERAL_NAME_new();
      ASN1_OCTET_STRING* s = ASN1_OCTET_STRING_new();
      if (gn == nullptr || s == nullptr || !ASN1_OCTET_STRING_set(s, ip.data(), static_cast<int>(ip.size()))) {
        GENERAL_NAME_free(gn);
        ASN1_OCTET_STRING_free(s);
        ThrowOpenSSL(env, "out of memory", "ERR_JSEC_CERT_BUILD");
      }
      GENERAL_NAME_set0_value(gn, GEN_IPADD, s);
    } else if (type == "dirName") {
      X509NamePtr dn = NameFromJs(env, e.Get("value"));
      gn = GENERAL_NAME_new();
      if (gn == nullptr) ThrowOpenSSL(env, "out of memory", "ERR_JSEC_CERT_BUILD");
      GENERAL_NAME_set0_value(gn, GEN_DIRNAME, dn.release());
    } else {
      ThrowError(env, "ERR_INVALID_ARG_VALUE", "unsupported general name type " + type);
    }
    if (sk_GENERAL_NAME_push(names.get(), gn) <= 0) {
      GENERAL_NAME_free(gn);
      ThrowOpenSSL(env, "out of memory", "ERR_JSEC_CERT_BUILD");
    }
  }
  return names;
}

Napi::Object GeneralNameToJs(Napi::Env env, const GENERAL_NAME* gn) {
  Napi::Object o = Napi::Object::New(env);
  int type = 0;
  void* value = GENERAL_NAME_get0_value(gn, &type);
  switch (type) {
    case GEN_DNS:
      o.Set("type", "dns");
      o.Set("value", Ia5(static_cast<ASN1_STRING*>(value)));
      break;
    case GEN_EMAIL:
      o.Set("type", "email");
      o.Set("value", Ia5(static_cast<ASN1_STRING*>(value)));
      break;
    case GEN_URI:
      o.Set("type", "uri");
      o.Set("value", Ia5(static_cast<ASN1_STRING*>(value)));
      break;
    case GEN_IPADD: {
      auto* s = static_cast<ASN1_OCTET_STRING*>(value);
      const unsigned char* p = ASN1_STRING_get0_data(s);
      int n = ASN1_STRING_length(s);
      char buf[INET6_ADDRSTRLEN] = {0};
      o.Set("type", "ip");
      if ((n == 4 && inet_ntop(AF_INET, p, buf, sizeof buf) != nullptr) ||
          (n == 16 && inet_ntop(AF_INET6, p, buf, sizeof buf) != nullptr)) {
        o.Set("value", std::string(buf));
      } else {
        // Name constraints carry address + mask (8 or 32 bytes); keep them as hex.
        o.Set("value", BytesToHex(p, static_cast<size_t>(n)));
      }
      o.Set("bytes", ToBuffer(env, p, static_cast<size_t>(n)));
      break;
    }
    case GEN_DIRNAME:
      o.Set("type", "dirName");
      o.Set("value", NameToJs(env, static_cast<X509_NAME*>(value)));
      break;
    case GEN_RID:
      o.Set("type", "registeredId");
      o.Set("value", ObjToOid(static_cast<ASN1_OBJECT*>(value)));
      break;
    case GEN_OTHERNAME: {
      auto* other = static_cast<OTHERNAME*>(value);
      o.Set("type", "otherName");
      o.Set("oid", ObjToOid(other->type_id));
      unsigned char* der = nullptr;
      int n = i2d_ASN1_TYPE(other->value, &der);
      if (n > 0 && der != nullptr) {
        o.Set("value", ToBuffer(env, der, static_cast<size_t>(n)));
        OPENSSL_free(der);
      }
      break;
    }
    default: {
      o.Set("type", type == GEN_X400 ? "x400Address" : "ediPartyName");
      unsigned char* der = nullptr;
      int n = i2d_GENERAL_NAME(gn, &der);
      if (n > 0 && der != nullptr) {
        o.Set("value", ToBuffer(env, der, static_cast<size_t>(n)));
        OPENSSL_free(der);
      }
    }
  }
  return o;
}

Napi::Array GeneralNamesToJs(Napi::Env env, const GENERAL_NAMES* gns) {
  Napi::Array arr = Napi::Array::New(env);
  for (int i = 0; i < sk_GENERAL_NAME_num(gns); i++)
    arr.Set(static_cast<uint32_t>(i), GeneralNameToJs(env, sk_GENERAL_NAME_value(gns, i)));
  return arr;
}

void BuildExtensions(Napi::Env env, const Napi::Object& spec, const Bytes& subject_keyid, const Bytes& issuer_keyid,
                     STACK_OF(X509_EXTENSION) * out) {
  Napi::Value v = spec.Get("basicConstraints");
  if (v.IsObject()) {
    Napi::Object o = v.As<Napi::Object>();
    Owned<BASIC_CONSTRAINTS, BASIC_CONSTRAINTS_free> bc(BASIC_CONSTRAINTS_new());
    bc->ca = o.Get("ca").ToBoolean().Value() ? 0xFF : 0;
    Napi::Value pl = o.Get("pathLength");
    if (pl.IsNumber()) {
      bc->pathlen = ASN1_INTEGER_new();
      ASN1_INTEGER_set_int64(bc->pathlen, pl.As<Napi::Number>().Int64Value());
    }
    PushExt(env, out, NID_basic_constraints, Crit(o), bc.get());
  }
  v = spec.Get("keyUsage");
  if (v.IsObject()) {
    Napi::Object o = v.As<Napi::Object>();
    Owned<ASN1_BIT_STRING, ASN1_BIT_STRING_free> bits(ASN1_BIT_STRING_new());
    Napi::Array list = o.Get("bits").As<Napi::Array>();
    for (uint32_t i = 0; i < list.Length(); i++) {
      // A negative bit index makes ASN1_BIT_STRING_set_bit write before its buffer.
      int bit = list.Get(i).As<Napi::Number>().Int32Value();
      if (bit < 0 || bit > 8) ThrowError(env, "ERR_INVALID_ARG_VALUE", "key usage bit out of range");
      if (!ASN1_BIT_STRING_set_bit(bits.get(), bit, 1)) ThrowOpenSSL(env, "out of memory", "ERR_JSEC_CERT_BUILD");
    }
    PushExt(env, out, NID_key_usage, Crit(o), bits.get());
  }
  v = spec.Get("extendedKeyUsage");
  if (v.IsObject()) {
    Napi::Object o = v.As<Napi::Object>();
    Owned<EXTENDED_KEY_USAGE, EXTENDED_KEY_USAGE_free> eku(EXTENDED_KEY_USAGE_new());
    Napi::Array list = o.Get("oids").As<Napi::Array>();
    for (uint32_t i = 0; i < list.Length(); i++) {
      std::string oid = list.Get(i).As<Napi::String>().Utf8Value();
      ASN1_OBJECT* obj = OBJ_txt2obj(oid.c_str(), 1);
      if (obj == nullptr) ThrowOpenSSL(env, "invalid OID " + oid, "ERR_INVALID_ARG_VALUE");
      sk_ASN1_OBJECT_push(eku.get(), obj);
    }
    PushExt(env, out, NID_ext_key_usage, Crit(o), eku.get());
  }
  v = spec.Get("subjectAltName");
  if (v.IsObject()) {
    Napi::Object o = v.As<Napi::Object>();
    GeneralNamesPtr names = GeneralNamesFromJs(env, o.Get("names"));
    PushExt(env, out, NID_subject_alt_name, Crit(o), names.get());
  }
  v = spec.Get("subjectKeyIdentifier");
  if (v.IsBuffer() || (v.IsBoolean() && v.As<Napi::Boolean>().Value())) {
    Bytes id = v.IsBuffer() ? ToBytes(v) : subject_keyid;
    if (!id.empty()) {
      Owned<ASN1_OCTET_STRING, ASN1_OCTET_STRING_free> s(ASN1_OCTET_STRING_new());
      ASN1_OCTET_STRING_set(s.get(), id.data(), static_cast<int>(id.size()));
      PushExt(env, out, NID_subject_key_identifier, false, s.get());
    }
  }
  v = spec.Get("authorityKeyIdentifier");
  if ((v.IsBoolean() && v.As<Napi::Boolean>().Value()) || v.IsBuffer()) {
    Bytes id = v.IsBuffer() ? ToBytes(v) : issuer_keyid;
    if (!id.empty()) {
      Owned<AUTHORITY_KEYID, AUTHORITY_KEYID_free> akid(AUTHORITY_KEYID_new());
      akid->keyid = ASN1_OCTET_STRING_new();
      ASN1_OCTET_STRING_set(akid->keyid, id.data(), static_cast<int>(id.size()));
      PushExt(env, out, NID_authority_key_identifier, false, akid.get());
    }
  }
  v = spec.Get("authorityInfoAccess");
  if (v.IsObject()) {
    Napi::Object o = v.As<Napi::Object>();
    Owned<AUTHORITY_INFO_ACCESS, AUTHORITY_INFO_ACCESS_free> aia(AUTHORITY_INFO_ACCESS_new());
    const std::pair<const char*, int> kinds[] = {{"ocsp", NID_ad_OCSP}, {"caIssuers", NID_ad_ca_issuers}};
    for (auto& [key, nid] : kinds) {
      Napi::Value lv = o.Get(key);
      if (!lv.IsArray()) continue;
      Napi::Array list = lv.As<Napi::Array>();
      for (uint32_t i = 0; i < list.Length(); i++) {
        ACCESS_DESCRIPTION* ad = ACCESS_DESCRIPTION_new();
        if (ad == nullptr) ThrowOpenSSL(env, "out of memory", "ERR_JSEC_CERT_BUILD");
        ASN1_OBJECT_free(ad->method);
        ad->method = OBJ_nid2obj(nid);
        GENERAL_NAME_free(ad->location);
        ad->location = nullptr;
        try {
          ad->location = UriName(env, list.Get(i).As<Napi::String>().Utf8Value());
        } catch (...) {
          ACCESS_DESCRIPTION_free(ad);
          throw;
        }
        sk_ACCESS_DESCRIPTION_push(aia.get(), ad);
      }
    }
    PushExt(env, out, NID_info_access, false, aia.get());
  }
  v = spec.Get("crlDistributionPoints");
  if (v.IsArray()) {
    Napi::Array list = v.As<Napi::Array>();
    Owned<CRL_DIST_POINTS, CRL_DIST_POINTS_free> cdp(CRL_DIST_POINTS_new());
    for (uint32_t i = 0; i < list.Length(); i++) {
      DIST_POINT* dp = DIST_POINT_new();
      if (dp == nullptr) ThrowOpenSSL(env, "out of memory", "ERR_JSEC_CERT_BUILD");
      sk_DIST_POINT_push(cdp.get(), dp);
      dp->distpoint = DIST_POINT_NAME_new();
      dp->distpoint->type = 0;
      dp->distpoint->name.fullname = GENERAL_NAMES_new();
      sk_GENERAL_NAME_push(dp->distpoint->name.fullname, UriName(env, list.Get(i).As<Napi::String>().Utf8Value()));
    }
    PushExt(env, out, NID_crl_distribution_points, false, cdp.get());
  }
  v = spec.Get("certificatePolicies");
  if (v.IsArray()) {
    Napi::Array list = v.As<Napi::Array>();
    Owned<CERTIFICATEPOLICIES, CERTIFICATEPOLICIES_free> pols(CERTIFICATEPOLICIES_new());
    for (uint32_t i = 0; i < list.Length(); i++) {
      std::string oid = list.Get(i).As<Napi::String>().Utf8Value();
      POLICYINFO* pi = POLICYINFO_new();
      if (pi == nullptr) ThrowOpenSSL(env, "out of memory", "ERR_JSEC_CERT_BUILD");
      sk_POLICYINFO_push(pols.get(), pi);
      ASN1_OBJECT_free(pi->policyid);
      pi->policyid = OBJ_txt2obj(oid.c_str(), 1);
      if (pi->policyid == nullptr) ThrowOpenSSL(env, "invalid policy OID " + oid, "ERR_INVALID_ARG_VALUE");
    }
    PushExt(env, out, NID_certificate_policies, false, pols.get());
  }
  v = spec.Get("tlsFeature");
  if (v.IsArray()) {
    Napi::Array list = v.As<Napi::Array>();
    Owned<TLS_FEATURE, TLS_FEATURE_free> tf(TLS_FEATURE_new());
    for (uint32_t i = 0; i < list.Length(); i++) {
      ASN1_INTEGER* n = ASN1_INTEGER_new();
      ASN1_INTEGER_set_int64(n, list.Get(i).As<Napi::Number>().Int64Value());
      sk_ASN1_INTEGER_push(tf.get(), n);
    }
    PushExt(env, out, NID_tlsfeature, false, tf.get());
  }
  v = spec.Get("extra");
  if (v.IsArray()) {
    Napi::Array list = v.As<Napi::Array>();
    for (uint32_t i = 0; i < list.Length(); i++) {
      Napi::Object e = list.Get(i).As<Napi::Object>();
      std::string oid = e.Get("oid").As<Napi::String>().Utf8Value();
      Owned<ASN1_OBJECT, ASN1_OBJECT_free> obj(OBJ_txt2obj(oid.c_str(), 1));
      if (!obj) ThrowOpenSSL(env, "invalid extension OID " + oid, "ERR_INVALID_ARG_VALUE");
      Bytes der = ToBytes(e.Get("value"));
      Owned<ASN1_OCTET_STRING, ASN1_OCTET_STRING_free> s(ASN1_OCTET_STRING_new());
      ASN1_OCTET_STRING_set(s.get(), der.data(), static_cast<int>(der.size()));
      X509_EXTENSION* ext = X509_EXTENSION_create_by_OBJ(nullptr, obj.get(), Crit(e) ? 1 : 0, s.get());
      if (ext == nullptr) ThrowOpenSSL(env, "cannot create extension " + oid, "ERR_JSEC_CERT_BUILD");
      sk_X509_EXTENSION_push(out, ext);
    }
  }
}

void ExtensionsToJs(Napi::Env env, const STACK_OF(X509_EXTENSION) * exts, Napi::Object target) {
  Napi::Array list = Napi::Array::New(env);
  int count = sk_X509_EXTENSION_num(exts);
  for (int i = 0; i < count; i++) {
    X509_EXTENSION* ext = sk_X509_EXTENSION_value(exts, i);
    const ASN1_OBJECT* obj = X509_EXTENSION_get_object(ext);
    bool critical = X509_EXTENSION_get_critical(ext) > 0;
    const ASN1_OCTET_STRING* data = X509_EXTENSION_get_data(ext);
    Napi::Object e = Napi::Object::New(env);
    e.Set("oid", ObjToOid(obj));
    e.Set("name", ObjToName(obj));
    e.Set("critical", critical);
    e.Set("value", ToBuffer(env, ASN1_STRING_get0_data(data), static_cast<size_t>(ASN1_STRING_length(data))));
    list.Set(static_cast<uint32_t>(i), e);

    int nid = OBJ_obj2nid(obj);
    Decoded d(ext);
    ERR_clear_error();
    if (d.value == nullptr) {
      if (d.method != nullptr) e.Set("malformed", true);
      continue;
    }
    switch (nid) {
      case NID_basic_constraints: {
        auto* bc = static_cast<BASIC_CONSTRAINTS*>(d.value);
        Napi::Object o = Napi::Object::New(env);
        o.Set("critical", critical);
        o.Set("ca", bc->ca != 0);
        int64_t pl = 0;
        if (bc->pathlen != nullptr && ASN1_INTEGER_get_int64(&pl, bc->pathlen) == 1)
          o.Set("pathLength", Napi::Number::New(env, static_cast<double>(pl)));
        else
          o.Set("pathLength", env.Null());
        ERR_clear_error();
        target.Set("basicConstraints", o);
        break;
      }
      case NID_key_usage: {
        auto* bits = static_cast<ASN1_BIT_STRING*>(d.value);
        Napi::Array names = Napi::Array::New(env);
        uint32_t k = 0;
        for (int b = 0; b < 9; b++)
          if (ASN1_BIT_STRING_get_bit(bits, b)) names.Set(k++, kKeyUsageNames[b]);
        target.Set("keyUsage", names);
        target.Set("keyUsageCritical", critical);
        break;
      }
      case NID_ext_key_usage: {
        auto* eku = static_cast<EXTENDED_KEY_USAGE*>(d.value);
        Napi::Array oids = Napi::Array::New(env);
        for (int k = 0; k < sk_ASN1_OBJECT_num(eku); k++)
          oids.Set(static_cast<uint32_t>(k), ObjToOid(sk_ASN1_OBJECT_value(eku, k)));
        target.Set("extendedKeyUsage", oids);
        break;
      }
      case NID_subject_alt_name:
        target.Set("subjectAltName", GeneralNamesToJs(env, static_cast<GENERAL_NAMES*>(d.value)));
        break;
      case NID_issuer_alt_name:
        target.Set("issuerAltName", GeneralNamesToJs(env, static_cast<GENERAL_NAMES*>(d.value)));
        break;
      case NID_subject_key_identifier: {
        auto* s = static_cast<ASN1_OCTET_STRING*>(d.value);
        target.Set("subjectKeyIdentifier", BytesToHex(ASN1_STRING_get0_data(s), static_cast<size_t>(ASN1_STRING_length(s))));
        break;
      }
      case NID_authority_key_identifier: {
        auto* akid = static_cast<AUTHORITY_KEYID*>(d.value);
        Napi::Object o = Napi::Object::New(env);
        o.Set("keyId", akid->keyid != nullptr ? Napi::Value(Napi::String::New(env, BytesToHex(ASN1_STRING_get0_data(akid->keyid), static_cast<size_t>(ASN1_STRING_length(akid->keyid)))))
                                              : env.Null());
        o.Set("issuer", akid->issuer != nullptr ? Napi::Value(GeneralNamesToJs(env, akid->issuer)) : env.Null());
        o.Set("serialNumber", akid->serial != nullptr ? Napi::Value(Napi::String::New(env, IntegerToHex(akid->serial))) : env.Null());
        target.Set("authorityKeyIdentifier", o);
        break;
      }
      case NID_info_access: {
        auto* aia = static_cast<AUTHORITY_INFO_ACCESS*>(d.value);
        Napi::Object o = Napi::Object::New(env);
        Napi::Array ocsp = Napi::Array::New(env), issuers = Napi::Array::New(env), other = Napi::Array::New(env);
        for (int k = 0; k < sk_ACCESS_DESCRIPTION_num(aia); k++) {
          ACCESS_DESCRIPTION* ad = sk_ACCESS_DESCRIPTION_value(aia, k);
          int m = OBJ_obj2nid(ad->method);
          if (ad->location->type == GEN_URI && m == NID_ad_OCSP) {
            ocsp.Set(ocsp.Length(), Ia5(ad->location->d.uniformResourceIdentifier));
          } else if (ad->location->type == GEN_URI && m == NID_ad_ca_issuers) {
            issuers.Set(issuers.Length(), Ia5(ad->location->d.uniformResourceIdentifier));
          } else {
            Napi::Object x = GeneralNameToJs(env, ad->location);
            x.Set("method", ObjToOid(ad->method));
            other.Set(other.Length(), x);
          }
        }
        o.Set("ocsp", ocsp);
        o.Set("caIssuers", issuers);
        o.Set("other", other);
        target.Set("authorityInfoAccess", o);
        break;
      }
      case NID_crl_distribution_points: {
        auto* cdp = static_cast<CRL_DIST_POINTS*>(d.value);
        Napi::Array uris = Napi::Array::New(env);
        for (int k = 0; k < sk_DIST_POINT_num(cdp); k++) {
          DIST_POINT* dp = sk_DIST_POINT_value(cdp, k);
          if (dp->distpoint == nullptr || dp->distpoint->type != 0) continue;
          GENERAL_NAMES* full = dp->distpoint->name.fullname;
          for (int j = 0; j < sk_GENERAL_NAME_num(full); j++) {
            GENERAL_NAME* gn = sk_GENERAL_NAME_value(full, j);
            if (gn->type == GEN_URI) uris.Set(uris.Length(), Ia5(gn->d.uniformResourceIdentifier));
          }
        }
        target.Set("crlDistributionPoints", uris);
        break;
      }
      case NID_certificate_policies: {
        auto* pols = static_cast<CERTIFICATEPOLICIES*>(d.value);
        Napi::Array oids = Napi::Array::New(env);
        for (int k = 0; k < sk_POLICYINFO_num(pols); k++)
          oids.Set(static_cast<uint32_t>(k), ObjToOid(sk_POLICYINFO_value(pols, k)->policyid));
        target.Set("policies", oids);
        break;
      }
      case NID_tlsfeature: {
        auto* tf = static_cast<TLS_FEATURE*>(d.value);
        Napi::Array feats = Napi::Array::New(env);
        for (int k = 0; k < sk_ASN1_INTEGER_num(tf); k++) {
          int64_t n = -1;
          ASN1_INTEGER_get_int64(&n, sk_ASN1_INTEGER_value(tf, k));
          feats.Set(static_cast<uint32_t>(k), Napi::Number::New(env, static_cast<double>(n)));
        }
        ERR_clear_error();
        target.Set("tlsFeature", feats);
        break;
      }
      case NID_crl_number:
      case NID_delta_crl:
        target.Set(nid == NID_crl_number ? "crlNumber" : "deltaCrlIndicator", IntegerToHex(static_cast<ASN1_INTEGER*>(d.value)));
        break;
      case NID_crl_reason: {
        auto* e2 = static_cast<ASN1_ENUMERATED*>(d.value);
        target.Set("reasonCode", Napi::Number::New(env, static_cast<double>(ASN1_ENUMERATED_get(e2))));
        break;
      }
      case NID_invalidity_date: {
        double t = TimeToSeconds(static_cast<ASN1_GENERALIZEDTIME*>(d.value));
        if (!std::isnan(t)) target.Set("invalidityDate", Napi::Number::New(env, t));
        break;
      }
      default:
        break;
    }
  }
  target.Set("extensions", list);
}

Napi::Value MakeCertHandle(Napi::Env env, X509* cert) {
  X509_up_ref(cert);
  return Napi::External<X509>::New(env, cert, [](Napi::Env, X509* x) { X509_free(x); });
}

X509Ptr CertFromJs(Napi::Env env, const Napi::Value& v, const char* code) {
  if (v.IsExternal()) {
    X509* x = v.As<Napi::External<X509>>().Data();
    X509_up_ref(x);
    return X509Ptr(x);
  }
  return DecodeDer<X509Ptr>(env, ToBytes(v), d2i_X509, "certificate", code);
}

Napi::Object PublicKeyInfo(Napi::Env env, EVP_PKEY* key, const X509_PUBKEY* xpub) {
  Napi::Object o = Napi::Object::New(env);
  if (key == nullptr) {
    o.Set("type", "unknown");
    o.Set("bits", Napi::Number::New(env, 0));
    return o;
  }
  int id = EVP_PKEY_get_base_id(key);
  std::string type;
  switch (id) {
    case EVP_PKEY_RSA: type = "rsa"; break;
    case EVP_PKEY_RSA_PSS: type = "rsa-pss"; break;
    case EVP_PKEY_EC: type = "ec"; break;
    case EVP_PKEY_ED25519: type = "ed25519"; break;
    case EVP_PKEY_ED448: type = "ed448"; break;
    case EVP_PKEY_X25519: type = "x25519"; break;
    case EVP_PKEY_X448: type = "x448"; break;
    case EVP_PKEY_DSA: type = "dsa"; break;
    case EVP_PKEY_DH: type = "dh"; break;
    default: {
      const char* n = EVP_PKEY_get0_type_name(key);
      type = n != nullptr ? n : "unknown";
      for (auto& c : type) c = static_cast<char>(tolower(static_cast<unsigned char>(c)));
    }
  }
  o.Set("type", type);
  o.Set("bits", Napi::Number::New(env, EVP_PKEY_get_bits(key)));
  if (id == EVP_PKEY_EC) {
    char group[80] = {0};
    size_t len = 0;
    if (EVP_PKEY_get_group_name(key, group, sizeof group, &len) == 1) {
      int nid = OBJ_txt2nid(group);
      const char* nist = nid != NID_undef ? EC_curve_nid2nist(nid) : nullptr;
      o.Set("curve", nist != nullptr ? std::string(nist) : std::string(group));
    }
  }
  // The X509_PUBKEY re-encodes from its fields; i2d_PUBKEY would run an encoder lookup.
  unsigned char* der = nullptr;
  int n = xpub != nullptr ? i2d_X509_PUBKEY(xpub, &der) : i2d_PUBKEY(key, &der);
  if (n > 0 && der != nullptr) {
    o.Set("spki", ToBuffer(env, der, static_cast<size_t>(n)));
    OPENSSL_free(der);
  }
  ERR_clear_error();
  return o;
}

}  // namespace x509
}  // namespace jsec
