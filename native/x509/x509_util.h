// Helpers shared by the certificate, CSR, CRL and store families: keys from
// DER, names and general names to and from plain JS data, time conversion,
// and the extension builders that the certificate and CSR builders share.
#pragma once
#include <napi.h>

#include <string>
#include <vector>

#include "common/buffers.h"
#include "common/handles.h"

namespace jsec {
namespace x509 {

using GeneralNamesPtr = Owned<GENERAL_NAMES, GENERAL_NAMES_free>;
inline void FreeExtensionStack(STACK_OF(X509_EXTENSION) * s) { sk_X509_EXTENSION_pop_free(s, X509_EXTENSION_free); }
using ExtensionStackPtr = Owned<STACK_OF(X509_EXTENSION), FreeExtensionStack>;

// A private key from PKCS#8 DER / a public key from SPKI DER (the boundary
// format of every key argument). Throw ERR_JSEC_CERT_KEY_INVALID on failure.
// OpenSSL 3.0 builds a decoder chain per d2i call (about a millisecond);
// these reuse one decoder context per thread instead. A private key may also
// arrive as a JWK object (EC, RSA, Ed25519, Ed448), which Node exports and
// OpenSSL imports without any encoder or decoder lookup.
PkeyPtr PrivateKeyFromDer(Napi::Env env, const Napi::Value& v);
PkeyPtr PublicKeyFromDer(Napi::Env env, const Napi::Value& v);

// Sets `pub` (a certificate's or request's X509_PUBKEY) from SPKI DER without
// decoding the key: the algorithm and key bits are copied as they are.
bool SetPubkeyFromSpki(X509_PUBKEY* pub, const Bytes& spki);
// Sets `pub` from a key: EC/EdDSA keys via their encoded public key (no
// encoder lookup), other keys through X509_PUBKEY_set.
bool SetPubkeyFromKey(X509_PUBKEY** slot, X509_PUBKEY* pub, EVP_PKEY* key);
// The RFC 5280 method-1 key identifier (SHA-1 of the subjectPublicKey bits).
Bytes KeyIdOfPubkey(const X509_PUBKEY* pub);

// The digest for a signature: "" / undefined means none (Ed25519, Ed448).
const EVP_MD* DigestFromJs(Napi::Env env, const Napi::Value& v);

// [[field, value], ...] (short name, long name or dotted OID) -> X509_NAME.
X509NamePtr NameFromJs(Napi::Env env, const Napi::Value& v);
// X509_NAME -> { entries: [{ type, oid, value }], text, der }.
Napi::Object NameToJs(Napi::Env env, const X509_NAME* name);

// [{ type: 'dns'|'ip'|'email'|'uri', value }] -> GENERAL_NAMES (ip: Buffer of 4 or 16 bytes).
GeneralNamesPtr GeneralNamesFromJs(Napi::Env env, const Napi::Value& v);
// One GENERAL_NAME -> { type, value } (ip as text, others as strings where possible).
Napi::Object GeneralNameToJs(Napi::Env env, const GENERAL_NAME* gn);
Napi::Array GeneralNamesToJs(Napi::Env env, const GENERAL_NAMES* gns);

// ASN1_TIME -> seconds since the epoch (NaN when unparseable).
double TimeToSeconds(const ASN1_TIME* t);

// ASN1_INTEGER / ASN1_OCTET_STRING -> lower-case hex (no separators).
std::string IntegerToHex(const ASN1_INTEGER* i);
std::string BytesToHex(const unsigned char* p, size_t n);

// A dotted OID or a known name as text.
std::string ObjToOid(const ASN1_OBJECT* obj);
// The short name for a known OID, or the dotted OID.
std::string ObjToName(const ASN1_OBJECT* obj);
// The long name for a known OID (sha256WithRSAEncryption), or the dotted OID.
std::string ObjToLongName(const ASN1_OBJECT* obj);

// Builds the standard extensions described by a JS object into `out`
// (shared by certificates and CSRs). `subject_keyid` provides the SKI,
// `issuer_keyid` the AKI (either may be empty).
void BuildExtensions(Napi::Env env, const Napi::Object& spec, const Bytes& subject_keyid, const Bytes& issuer_keyid,
                     STACK_OF(X509_EXTENSION) * out);

// Parses an extension list into JS: the decoded standard extensions as
// fields of `target`, and every extension as { oid, name, critical, value } in `list`.
void ExtensionsToJs(Napi::Env env, const STACK_OF(X509_EXTENSION) * exts, Napi::Object target);

// Sets target.signatureAlgorithm = { name (long name), oid } when `alg` is given.
void SetSignatureAlgorithm(Napi::Env env, const X509_ALGOR* alg, Napi::Object target);

// Public-key info: { type, bits, curve?, spki }.
Napi::Object PublicKeyInfo(Napi::Env env, EVP_PKEY* key, const X509_PUBKEY* xpub);

// A parsed certificate kept for reuse (x509Handle): OpenSSL 3.0 decodes the
// public key through a decoder chain on every d2i_X509, so repeated
// verifications of the same certificate pass this handle instead of DER.
Napi::Value MakeCertHandle(Napi::Env env, X509* cert);
// A certificate from a handle (a new reference) or from DER; throws `code` for bad DER.
X509Ptr CertFromJs(Napi::Env env, const Napi::Value& v, const char* code);


}  // namespace x509
}  // namespace jsec
