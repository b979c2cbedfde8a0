// versions(): which OpenSSL the addon was compiled against and which one runs,
// and where the running OpenSSL's symbols were resolved from (dladdr), so a
// test can prove they come from the node binary and not a system libcrypto.
#include <dlfcn.h>
#include <openssl/crypto.h>
#include <openssl/opensslv.h>
#include <openssl/ssl.h>

#include "common/module.h"

namespace jsec {
namespace {

std::string ProviderOf(const void* symbol) {
  Dl_info info{};
  if (symbol == nullptr || dladdr(symbol, &info) == 0 || info.dli_fname == nullptr) return "";
  return info.dli_fname;
}

Napi::Value Versions(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  o.Set("compiled", OPENSSL_VERSION_TEXT);
  o.Set("compiledNumber", Napi::Number::New(env, static_cast<double>(OPENSSL_VERSION_NUMBER)));
  o.Set("compiledMajor", Napi::Number::New(env, OPENSSL_VERSION_MAJOR));
  o.Set("compiledMinor", Napi::Number::New(env, OPENSSL_VERSION_MINOR));
  o.Set("running", OpenSSL_version(OPENSSL_VERSION));
  o.Set("runningNumber", Napi::Number::New(env, static_cast<double>(OpenSSL_version_num())));
  o.Set("runningMajor", Napi::Number::New(env, OPENSSL_version_major()));
  o.Set("runningMinor", Napi::Number::New(env, OPENSSL_version_minor()));
  o.Set("runningPatch", Napi::Number::New(env, OPENSSL_version_patch()));
  Napi::Object providers = Napi::Object::New(env);
  providers.Set("libcrypto", ProviderOf(reinterpret_cast<const void*>(&OpenSSL_version)));
  providers.Set("libssl", ProviderOf(reinterpret_cast<const void*>(&SSL_CTX_new)));
  // The main executable's own exports (Node-API lives in node itself).
  providers.Set("node", ProviderOf(reinterpret_cast<const void*>(&napi_create_object)));
  providers.Set("addon", ProviderOf(reinterpret_cast<const void*>(&Versions)));
  o.Set("providers", providers);
  return o;
}

// Whether the running OpenSSL exports a symbol (feature detection for calls
// newer than the 3.0 headers we build against).
Napi::Value HasSymbol(const Napi::CallbackInfo& info) {
  std::string name = info[0].As<Napi::String>().Utf8Value();
  return Napi::Boolean::New(info.Env(), dlsym(RTLD_DEFAULT, name.c_str()) != nullptr);
}

void Init(Napi::Env env, Napi::Object exports) {
  ExportFunctions(env, exports, {{"versions", Versions}, {"hasSymbol", HasSymbol}});
}

}  // namespace

JSEC_REGISTER(versions, Init);

}  // namespace jsec
