// Registration of the addon's object families. Each family file registers its
// exports with JSEC_REGISTER; addon.cc runs every registrar once per environment.
#pragma once
#include <napi.h>

#include <initializer_list>

namespace jsec {

// One exported function: its JS name and its callback.
struct Export {
  const char* name;
  Napi::Value (*fn)(const Napi::CallbackInfo&);
};

// Sets every function of `list` on `exports` under its name.
inline void ExportFunctions(Napi::Env env, Napi::Object exports, std::initializer_list<Export> list) {
  for (const Export& e : list) exports.Set(e.name, Napi::Function::New(env, e.fn, e.name));
}

using InitFn = void (*)(Napi::Env env, Napi::Object exports);

struct Registrar {
  Registrar(const char* name, InitFn fn);
};

void InitAll(Napi::Env env, Napi::Object exports);

}  // namespace jsec

#define JSEC_REGISTER(name, fn) static ::jsec::Registrar jsec_registrar_##name(#name, fn)
