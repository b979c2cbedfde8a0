// Owned OpenSSL handles: every pointer has exactly one owner that frees it.
#pragma once
#include <memory>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/cms.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/ocsp.h>
#include <openssl/pkcs12.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace jsec {

template <typename T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const noexcept {
    if (p != nullptr) Free(p);
  }
};

template <typename T, void (*Free)(T*)>
using Owned = std::unique_ptr<T, Deleter<T, Free>>;

inline void FreeX509Stack(STACK_OF(X509) * s) { sk_X509_pop_free(s, X509_free); }
inline void FreeBioChain(BIO* b) { BIO_free_all(b); }
inline void FreeOpensslString(char* s) { OPENSSL_free(s); }

using BioPtr = Owned<BIO, FreeBioChain>;
using BnPtr = Owned<BIGNUM, BN_free>;
using BnCtxPtr = Owned<BN_CTX, BN_CTX_free>;
using PkeyPtr = Owned<EVP_PKEY, EVP_PKEY_free>;
using PkeyCtxPtr = Owned<EVP_PKEY_CTX, EVP_PKEY_CTX_free>;
using MdCtxPtr = Owned<EVP_MD_CTX, EVP_MD_CTX_free>;
using X509Ptr = Owned<X509, X509_free>;
using X509StackPtr = Owned<STACK_OF(X509), FreeX509Stack>;
using X509StorePtr = Owned<X509_STORE, X509_STORE_free>;
using X509StoreCtxPtr = Owned<X509_STORE_CTX, X509_STORE_CTX_free>;
using X509ReqPtr = Owned<X509_REQ, X509_REQ_free>;
using X509CrlPtr = Owned<X509_CRL, X509_CRL_free>;
using X509NamePtr = Owned<X509_NAME, X509_NAME_free>;
using X509ExtPtr = Owned<X509_EXTENSION, X509_EXTENSION_free>;
using Asn1IntPtr = Owned<ASN1_INTEGER, ASN1_INTEGER_free>;
using Asn1TimePtr = Owned<ASN1_TIME, ASN1_TIME_free>;
using EcPointPtr = Owned<EC_POINT, EC_POINT_free>;
using EcGroupPtr = Owned<EC_GROUP, EC_GROUP_free>;
using SslCtxPtr = Owned<SSL_CTX, SSL_CTX_free>;
using SslPtr = Owned<SSL, SSL_free>;
using SslSessionPtr = Owned<SSL_SESSION, SSL_SESSION_free>;
using OcspReqPtr = Owned<OCSP_REQUEST, OCSP_REQUEST_free>;
using OcspRespPtr = Owned<OCSP_RESPONSE, OCSP_RESPONSE_free>;
using OcspBasicPtr = Owned<OCSP_BASICRESP, OCSP_BASICRESP_free>;
using OcspCertIdPtr = Owned<OCSP_CERTID, OCSP_CERTID_free>;
using Pkcs12Ptr = Owned<PKCS12, PKCS12_free>;
using CmsPtr = Owned<CMS_ContentInfo, CMS_ContentInfo_free>;
using OsslStringPtr = Owned<char, FreeOpensslString>;

}  // namespace jsec
