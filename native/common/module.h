// Registration of the addon's object families. Each family file registers its
// exports with JSEC_REGISTER; addon.cc runs every registrar once per environment.
#pragma once
#include <napi.h>

namespace jsec {

using InitFn = void (*)(Napi::Env env, Napi::Object exports);

struct Registrar {
  Registrar(const char* name, InitFn fn);
};

void InitAll(Napi::Env env, Napi::Object exports);

}  // namespace jsec

#define JSEC_REGISTER(name, fn) static ::jsec::Registrar jsec_registrar_##name(#name, fn)
