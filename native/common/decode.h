// Decoding one DER object of an OpenSSL type: the first step of every parser
// in the certificate, CRL, CSR, OCSP, CMS and PKCS#12 families. PEM is
// unwrapped on the TypeScript side (pemDecode), so native parsers see DER only.
// Each family keeps its own error code; the checks and messages are shared:
// the bytes must be one object of the type, with nothing after it.
#pragma once
#include <string>

#include "common/buffers.h"
#include "common/errors.h"

namespace jsec {

// Why a decode gave no object.
enum class DerFailure { kNone, kInvalid, kTrailing };

// Decodes exactly one object from `der` with `d2i` (d2i_X509, d2i_X509_CRL,
// ...) into the owned handle `Ptr`. Never throws; on failure the handle is
// empty, `*failure` says why and the OpenSSL error queue says what.
template <typename Ptr, typename D2i>
Ptr TryDecodeDer(const Bytes& der, D2i d2i, DerFailure* failure) {
  const unsigned char* p = der.data();
  Ptr obj(d2i(nullptr, &p, static_cast<long>(der.size())));
  *failure = DerFailure::kNone;
  if (!obj) {
    *failure = DerFailure::kInvalid;
  } else if (p != der.data() + der.size()) {
    *failure = DerFailure::kTrailing;
    obj.reset();
  }
  return obj;
}

// The message for a failure: "not a DER <what>" / "trailing bytes after the <what>".
inline std::string DerFailureMessage(DerFailure failure, const char* what) {
  return failure == DerFailure::kTrailing ? std::string("trailing bytes after the ") + what : std::string("not a DER ") + what;
}

// On the main thread: the object, or a thrown `code` error (carrying the
// drained OpenSSL error queue when the bytes did not decode).
template <typename Ptr, typename D2i>
Ptr DecodeDer(Napi::Env env, const Bytes& der, D2i d2i, const char* what, const std::string& code) {
  DerFailure failure;
  Ptr obj = TryDecodeDer<Ptr>(der, d2i, &failure);
  if (failure == DerFailure::kInvalid) ThrowOpenSSL(env, DerFailureMessage(failure, what), code);
  if (failure == DerFailure::kTrailing) ThrowError(env, code, DerFailureMessage(failure, what));
  return obj;
}

// Off the main thread: the object, or an empty handle with the same failure
// recorded in `err` (raised later on the main thread).
template <typename Ptr, typename D2i>
Ptr DecodeDer(PendingError& err, const Bytes& der, D2i d2i, const char* what, const std::string& code) {
  DerFailure failure;
  Ptr obj = TryDecodeDer<Ptr>(der, d2i, &failure);
  if (failure != DerFailure::kNone) err.Capture(code, DerFailureMessage(failure, what), failure == DerFailure::kInvalid);
  return obj;
}

}  // namespace jsec
