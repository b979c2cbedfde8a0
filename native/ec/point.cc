// EC point arithmetic on the prime curves (P-256, P-384, P-521, secp256k1):
// random scalars, k*G and k*P, P+Q, and SEC1 encoding. Every decoded point is
// checked to lie on the curve and not to be the point at infinity; every
// scalar must be in [1, n-1].
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/objects.h>
#include <openssl/rand.h>

#include <string>

#include "common/module.h"
#include "pkey/der.h"

namespace jsec {
namespace {

struct Curve {
  EcGroupPtr group;
  BnCtxPtr ctx;
  BnPtr order;
  size_t scalarBytes = 0;
  size_t fieldBytes = 0;
};

Curve Open(Napi::Env env, const Napi::Value& name) {
  std::string n = name.As<Napi::String>().Utf8Value();
  Curve c;
  int nid = OBJ_sn2nid(n.c_str());
  if (nid == NID_undef || !(c.group = EcGroupPtr(EC_GROUP_new_by_curve_name(nid)))) {
    ThrowOpenSSL(env, "unknown curve " + n, "ERR_JSEC_UNSUPPORTED");
  }
  c.ctx.reset(BN_CTX_new());
  c.order.reset(BN_dup(EC_GROUP_get0_order(c.group.get())));
  if (!c.ctx || !c.order) ThrowOpenSSL(env, "out of memory");
  c.scalarBytes = static_cast<size_t>(BN_num_bytes(c.order.get()));
  c.fieldBytes = static_cast<size_t>((EC_GROUP_get_degree(c.group.get()) + 7) / 8);
  return c;
}

BnPtr Scalar(Napi::Env env, const Curve& c, const Napi::Value& v) {
  Bytes b = ToBytes(v);
  BnPtr k(BN_bin2bn(b.data(), static_cast<int>(b.size()), nullptr));
  if (!k) ThrowOpenSSL(env, "out of memory");
  if (BN_is_zero(k.get()) || BN_cmp(k.get(), c.order.get()) >= 0) {
    ThrowError(env, "ERR_JSEC_CRYPTO_INVALID_SCALAR", "the scalar must be in [1, n-1] for this curve");
  }
  BN_set_flags(k.get(), BN_FLG_CONSTTIME);
  return k;
}

EcPointPtr Point(Napi::Env env, const Curve& c, const Napi::Value& v) {
  Bytes b = ToBytes(v);
  EcPointPtr p(EC_POINT_new(c.group.get()));
  if (!p) ThrowOpenSSL(env, "out of memory");
  if (b.empty() || EC_POINT_oct2point(c.group.get(), p.get(), b.data(), b.size(), c.ctx.get()) != 1) {
    ThrowOpenSSL(env, "the bytes are not a point on this curve", "ERR_JSEC_CRYPTO_INVALID_POINT");
  }
  if (EC_POINT_is_at_infinity(c.group.get(), p.get()) == 1) {
    ThrowError(env, "ERR_JSEC_CRYPTO_POINT_AT_INFINITY", "the point at infinity is not allowed here");
  }
  if (EC_POINT_is_on_curve(c.group.get(), p.get(), c.ctx.get()) != 1) {
    ThrowOpenSSL(env, "the point is not on the curve", "ERR_JSEC_CRYPTO_INVALID_POINT");
  }
  return p;
}

Napi::Value Encode(Napi::Env env, const Curve& c, const EC_POINT* p, bool compressed) {
  if (EC_POINT_is_at_infinity(c.group.get(), p) == 1) {
    ThrowError(env, "ERR_JSEC_CRYPTO_POINT_AT_INFINITY", "the result is the point at infinity");
  }
  point_conversion_form_t form = compressed ? POINT_CONVERSION_COMPRESSED : POINT_CONVERSION_UNCOMPRESSED;
  size_t n = EC_POINT_point2oct(c.group.get(), p, form, nullptr, 0, c.ctx.get());
  Bytes out(n);
  if (n == 0 || EC_POINT_point2oct(c.group.get(), p, form, out.data(), n, c.ctx.get()) != n) {
    ThrowOpenSSL(env, "could not encode the point");
  }
  return ToBuffer(env, out);
}

// ecRandomScalar(curve) -> fixed-width big-endian scalar in [1, n-1].
Napi::Value RandomScalar(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ErrorQueueGuard guard;
  Curve c = Open(env, info[0]);
  BnPtr k(BN_new());
  if (!k) ThrowOpenSSL(env, "out of memory");
  do {
    if (BN_priv_rand_range(k.get(), c.order.get()) != 1) ThrowOpenSSL(env, "random scalar generation failed");
  } while (BN_is_zero(k.get()));
  Bytes out(c.scalarBytes);
  if (BN_bn2binpad(k.get(), out.data(), static_cast<int>(out.size())) < 0) ThrowOpenSSL(env, "scalar encoding failed");
  Napi::Value v = ToBuffer(env, out);
  OPENSSL_cleanse(out.data(), out.size());
  return v;
}

// ecPointMul(curve, scalar, point | null, compressed) -> k*P (or k*G).
Napi::Value Mul(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ErrorQueueGuard guard;
  Curve c = Open(env, info[0]);
  BnPtr k = Scalar(env, c, info[1]);
  EcPointPtr r(EC_POINT_new(c.group.get()));
  if (!r) ThrowOpenSSL(env, "out of memory");
  int ok;
  if (info[2].IsNull() || info[2].IsUndefined()) {
    ok = EC_POINT_mul(c.group.get(), r.get(), k.get(), nullptr, nullptr, c.ctx.get());
  } else {
    EcPointPtr p = Point(env, c, info[2]);
    ok = EC_POINT_mul(c.group.get(), r.get(), nullptr, p.get(), k.get(), c.ctx.get());
  }
  if (ok != 1) ThrowOpenSSL(env, "scalar multiplication failed");
  return Encode(env, c, r.get(), info[3].ToBoolean());
}

// ecPointAdd(curve, a, b, compressed) -> a + b.
Napi::Value Add(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ErrorQueueGuard guard;
  Curve c = Open(env, info[0]);
  EcPointPtr a = Point(env, c, info[1]);
  EcPointPtr b = Point(env, c, info[2]);
  EcPointPtr r(EC_POINT_new(c.group.get()));
  if (!r || EC_POINT_add(c.group.get(), r.get(), a.get(), b.get(), c.ctx.get()) != 1) {
    ThrowOpenSSL(env, "point addition failed");
  }
  return Encode(env, c, r.get(), info[3].ToBoolean());
}

// ecPointEncode(curve, bytes, compressed) -> the validated point, re-encoded.
Napi::Value Reencode(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ErrorQueueGuard guard;
  Curve c = Open(env, info[0]);
  EcPointPtr p = Point(env, c, info[1]);
  return Encode(env, c, p.get(), info[2].ToBoolean());
}

// ecCurveInfo(curve) -> { scalarBytes, fieldBytes }.
Napi::Value CurveInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ErrorQueueGuard guard;
  Curve c = Open(env, info[0]);
  Napi::Object o = Napi::Object::New(env);
  o.Set("scalarBytes", Napi::Number::New(env, static_cast<double>(c.scalarBytes)));
  o.Set("fieldBytes", Napi::Number::New(env, static_cast<double>(c.fieldBytes)));
  Bytes n(c.scalarBytes);
  BN_bn2binpad(c.order.get(), n.data(), static_cast<int>(n.size()));
  o.Set("order", ToBuffer(env, n));
  return o;
}

// ecPrivateKeyCheck(pkcs8): validates an EC private key that OpenSSL's
// decoders accept without checking: the scalar must be in [1, n-1] and its
// public point must be d*G (which also rules out a stored public point off
// the curve or at infinity).
Napi::Value PrivateKeyCheck(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ErrorQueueGuard guard;
  PkeyPtr key = der::PrivateKey(ToBytes(info[0]));
  if (!key || EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_EC) {
    ThrowOpenSSL(env, "not an EC private key", "ERR_JSEC_CRYPTO_INVALID_KEY");
  }
  // The range check is done here: EVP_PKEY_private_check does not refuse a
  // scalar >= n on every OpenSSL version (3.5 accepts n + 1).
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(key.get(), OSSL_PKEY_PARAM_PRIV_KEY, &raw) != 1) {
    ThrowOpenSSL(env, "the EC private key has no scalar", "ERR_JSEC_CRYPTO_INVALID_KEY");
  }
  BnPtr d(raw);
  char group[64] = {0};
  size_t groupLen = 0;
  if (EVP_PKEY_get_utf8_string_param(key.get(), OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &groupLen) == 1) {
    EcGroupPtr g(EC_GROUP_new_by_curve_name(OBJ_sn2nid(group)));
    if (g && (BN_is_zero(d.get()) || BN_is_negative(d.get()) || BN_cmp(d.get(), EC_GROUP_get0_order(g.get())) >= 0)) {
      ThrowError(env, "ERR_JSEC_CRYPTO_INVALID_KEY", "the EC private scalar is outside [1, n-1]");
    }
  }
  ERR_clear_error();
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
  if (!ctx) ThrowOpenSSL(env, "out of memory");
  if (EVP_PKEY_private_check(ctx.get()) != 1 || EVP_PKEY_pairwise_check(ctx.get()) != 1) {
    ThrowOpenSSL(env, "the EC private key is invalid (scalar outside [1, n-1] or not matching its public point)",
                 "ERR_JSEC_CRYPTO_INVALID_KEY");
  }
  return env.Undefined();
}

void Init(Napi::Env env, Napi::Object exports) {
  exports.Set("ecPrivateKeyCheck", Napi::Function::New(env, PrivateKeyCheck, "ecPrivateKeyCheck"));
  exports.Set("ecRandomScalar", Napi::Function::New(env, RandomScalar, "ecRandomScalar"));
  exports.Set("ecPointMul", Napi::Function::New(env, Mul, "ecPointMul"));
  exports.Set("ecPointAdd", Napi::Function::New(env, Add, "ecPointAdd"));
  exports.Set("ecPointEncode", Napi::Function::New(env, Reencode, "ecPointEncode"));
  exports.Set("ecCurveInfo", Napi::Function::New(env, CurveInfo, "ecCurveInfo"));
}

}  // namespace

JSEC_REGISTER(ec, Init);

}  // namespace jsec
