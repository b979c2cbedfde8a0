// The addon's entry point: runs every family's registrar (see common/module.h).
#include <napi.h>

#include <utility>
#include <vector>

#include "common/module.h"

namespace jsec {

namespace {
std::vector<std::pair<const char*, InitFn>>& Registry() {
  static std::vector<std::pair<const char*, InitFn>> r;
  return r;
}
}  // namespace

Registrar::Registrar(const char* name, InitFn fn) { Registry().emplace_back(name, fn); }

void InitAll(Napi::Env env, Napi::Object exports) {
  Napi::Array families = Napi::Array::New(env);
  uint32_t i = 0;
  for (auto& [name, fn] : Registry()) {
    fn(env, exports);
    families.Set(i++, Napi::String::New(env, name));
  }
  exports.Set("families", families);
}

}  // namespace jsec

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  jsec::InitAll(env, exports);
  return exports;
}

NODE_API_MODULE(jsec, Init)
