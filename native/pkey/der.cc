#include "pkey/der.h"

#include <openssl/err.h>
#include <openssl/provider.h>

#include <mutex>

namespace jsec {
namespace der {

bool Unsupported(const std::vector<OpenSSLErrorEntry>& queue) {
  for (const auto& e : queue) {
    int lib = ERR_GET_LIB(e.code);
    int reason = ERR_GET_REASON(e.code);
    if (reason == ERR_R_UNSUPPORTED) return true;
    if (lib == ERR_LIB_EVP && (reason == EVP_R_UNSUPPORTED_ALGORITHM || reason == EVP_R_UNSUPPORTED_CIPHER ||
                               reason == EVP_R_UNSUPPORTED_KEYLENGTH || reason == EVP_R_UNSUPPORTED_PRF ||
                               reason == EVP_R_UNSUPPORTED_KEY_DERIVATION_FUNCTION))
      return true;
  }
  return false;
}

bool EnsureLegacyProvider() {
  static std::once_flag once;
  static bool ok = false;
  std::call_once(once, [] {
    ErrorQueueGuard guard;
    ok = OSSL_PROVIDER_available(nullptr, "legacy") == 1 || OSSL_PROVIDER_load(nullptr, "legacy") != nullptr;
  });
  return ok;
}

}  // namespace der
}  // namespace jsec
