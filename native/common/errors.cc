#include "common/errors.h"

#include <openssl/err.h>

#include "common/module.h"

namespace jsec {

namespace {

struct ErrorData {
  Napi::FunctionReference factory;
};

Napi::Value SetErrorFactory(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto* data = env.GetInstanceData<ErrorData>();
  if (data == nullptr) {
    data = new ErrorData();
    env.SetInstanceData<ErrorData>(data);
  }
  data->factory = Napi::Persistent(info[0].As<Napi::Function>());
  return env.Undefined();
}

void Init(Napi::Env env, Napi::Object exports) {
  exports.Set("setErrorFactory", Napi::Function::New(env, SetErrorFactory, "setErrorFactory"));
}

}  // namespace

JSEC_REGISTER(errors, Init);

// Peeking is cheaper than clearing an empty queue (which walks every slot),
// and the queue is empty on almost every call.
ErrorQueueGuard::ErrorQueueGuard() {
  if (ERR_peek_error() != 0) ERR_clear_error();
}
ErrorQueueGuard::~ErrorQueueGuard() {
  if (ERR_peek_error() != 0) ERR_clear_error();
}

std::vector<OpenSSLErrorEntry> DrainErrors() {
  std::vector<OpenSSLErrorEntry> out;
  unsigned long e;
  while ((e = ERR_get_error()) != 0) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    const char* lib = ERR_lib_error_string(e);
    const char* reason = ERR_reason_error_string(e);
    out.push_back({e, lib ? lib : "", reason ? reason : "", buf});
  }
  return out;
}

Napi::Error MakeError(Napi::Env env, const std::string& code, const std::string& message,
                      const std::vector<OpenSSLErrorEntry>& queue) {
  Napi::Array list = Napi::Array::New(env, queue.size());
  for (size_t i = 0; i < queue.size(); i++) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("code", Napi::Number::New(env, static_cast<double>(queue[i].code)));
    o.Set("library", queue[i].library);
    o.Set("reason", queue[i].reason);
    o.Set("text", queue[i].text);
    list.Set(static_cast<uint32_t>(i), o);
  }
  auto* data = env.GetInstanceData<ErrorData>();
  if (data != nullptr && !data->factory.IsEmpty()) {
    Napi::Value v = data->factory.Call({Napi::String::New(env, code), Napi::String::New(env, message), list});
    if (v.IsObject()) return Napi::Error(env, v);
  }
  Napi::Error err = Napi::Error::New(env, message);
  err.Set("code", code);
  err.Set("opensslErrors", list);
  return err;
}

Napi::Error OpenSSLError(Napi::Env env, const std::string& message, const std::string& code) {
  auto queue = DrainErrors();
  std::string full = message;
  if (!queue.empty() && !queue.back().reason.empty()) full += ": " + queue.back().reason;
  return MakeError(env, code, full, queue);
}

void ThrowError(Napi::Env env, const std::string& code, const std::string& message) {
  throw MakeError(env, code, message);
}

void ThrowOpenSSL(Napi::Env env, const std::string& message, const std::string& code) {
  throw OpenSSLError(env, message, code);
}

void PendingError::Capture(const std::string& c, const std::string& m, bool drain) {
  code = c;
  message = m;
  if (drain) {
    queue = DrainErrors();
    if (!queue.empty() && !queue.back().reason.empty()) message += ": " + queue.back().reason;
  }
  set = true;
}

void PendingError::Set(const std::string& c, const std::string& m, std::vector<OpenSSLErrorEntry> q) {
  code = c;
  message = m;
  queue = std::move(q);
  set = true;
}

Napi::Error PendingError::ToError(Napi::Env env) const { return MakeError(env, code, message, queue); }

}  // namespace jsec
