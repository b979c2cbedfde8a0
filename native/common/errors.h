// Errors from native code. Every OpenSSL call site clears the error queue first
// (ErrorQueueGuard) and turns a failure into one JS error carrying the drained
// queue. The JS error factory is handed over by the loader at start-up, so
// native errors are real JsecError instances with registry codes.
#pragma once
#include <napi.h>
#include <string>
#include <vector>

namespace jsec {

struct OpenSSLErrorEntry {
  unsigned long code;
  std::string library;
  std::string reason;
  std::string text;
};

// Clears the OpenSSL error queue on construction and on destruction.
class ErrorQueueGuard {
 public:
  ErrorQueueGuard();
  ~ErrorQueueGuard();
  ErrorQueueGuard(const ErrorQueueGuard&) = delete;
  ErrorQueueGuard& operator=(const ErrorQueueGuard&) = delete;
};

// Pops every entry of the calling thread's OpenSSL error queue.
std::vector<OpenSSLErrorEntry> DrainErrors();

// Builds a JsecError through the registered factory: code is a registry code,
// the drained queue (if any) becomes `opensslErrors`.
Napi::Error MakeError(Napi::Env env, const std::string& code, const std::string& message,
                      const std::vector<OpenSSLErrorEntry>& queue = {});

// Drains the queue and builds an ERR_JSEC_OPENSSL error (or `code`, if given).
Napi::Error OpenSSLError(Napi::Env env, const std::string& message,
                         const std::string& code = "ERR_JSEC_OPENSSL");

// Throws a C++ exception that node-addon-api turns into a JS throw.
[[noreturn]] void ThrowError(Napi::Env env, const std::string& code, const std::string& message);
[[noreturn]] void ThrowOpenSSL(Napi::Env env, const std::string& message,
                               const std::string& code = "ERR_JSEC_OPENSSL");

// A failure recorded off the main thread (no napi_env there), raised later.
struct PendingError {
  std::string code;
  std::string message;
  std::vector<OpenSSLErrorEntry> queue;
  bool set = false;
  void Capture(const std::string& c, const std::string& m, bool drain = true);
  // Records a failure whose queue the caller already drained (to classify it).
  void Set(const std::string& c, const std::string& m, std::vector<OpenSSLErrorEntry> q);
  Napi::Error ToError(Napi::Env env) const;
};

}  // namespace jsec
