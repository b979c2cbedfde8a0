#include "engine/live.h"

#include <openssl/crypto.h>
#include <openssl/ssl.h>

#include <mutex>
#include <unordered_map>
#include <vector>

namespace jsec {

namespace {
std::mutex& RegMutex() {
  static std::mutex m;
  return m;
}
std::unordered_map<napi_env, LiveRegistry*>& Registries() {
  static std::unordered_map<napi_env, LiveRegistry*> r;
  return r;
}

// Objects created before the hooks were installed carry no mark and are not
// counted at either end.
char kMark;
void SslNew(void*, void*, CRYPTO_EX_DATA* ad, int idx, long, void*) {
  if (CRYPTO_set_ex_data(ad, idx, &kMark) == 1) Counts().ssl++;
}
void SslFree(void*, void* ptr, CRYPTO_EX_DATA*, int, long, void*) {
  if (ptr == &kMark) Counts().ssl--;
}
void CtxNew(void*, void*, CRYPTO_EX_DATA* ad, int idx, long, void*) {
  if (CRYPTO_set_ex_data(ad, idx, &kMark) == 1) Counts().sslCtx++;
}
void CtxFree(void*, void* ptr, CRYPTO_EX_DATA*, int, long, void*) {
  if (ptr == &kMark) Counts().sslCtx--;
}
}  // namespace

OpenSSLCounts& Counts() {
  static OpenSSLCounts c;
  return c;
}

void InstallCountingHooks() {
  static std::once_flag once;
  std::call_once(once, [] {
    CRYPTO_get_ex_new_index(CRYPTO_EX_INDEX_SSL, 0, nullptr, SslNew, nullptr, SslFree);
    CRYPTO_get_ex_new_index(CRYPTO_EX_INDEX_SSL_CTX, 0, nullptr, CtxNew, nullptr, CtxFree);
  });
}

LiveRegistry* LiveRegistry::For(napi_env env) {
  std::lock_guard<std::mutex> lock(RegMutex());
  auto it = Registries().find(env);
  if (it != Registries().end()) return it->second;
  auto* r = new LiveRegistry();
  r->env_ = env;
  Registries()[env] = r;
  napi_add_env_cleanup_hook(env, Cleanup, r);
  return r;
}

void LiveRegistry::Add(LiveKind kind, Releasable* obj) { sets_[static_cast<int>(kind)].insert(obj); }
void LiveRegistry::Remove(LiveKind kind, Releasable* obj) { sets_[static_cast<int>(kind)].erase(obj); }
long LiveRegistry::Count(LiveKind kind) const { return static_cast<long>(sets_[static_cast<int>(kind)].size()); }

void Releasable::Track(napi_env env, LiveKind kind) {
  registry_ = LiveRegistry::For(env);
  kind_ = kind;
  registry_->Add(kind, this);
}

void Releasable::Untrack() {
  if (registry_ != nullptr) registry_->Remove(kind_, this);
  registry_ = nullptr;
}

void LiveRegistry::Cleanup(void* arg) {
  auto* r = static_cast<LiveRegistry*>(arg);
  // Engines first: they reference contexts.
  for (int k : {1, 2, 0}) {
    std::vector<Releasable*> objs(r->sets_[k].begin(), r->sets_[k].end());
    for (auto* o : objs) {
      o->Release();
      o->registry_ = nullptr;
    }
    r->sets_[k].clear();
  }
  {
    std::lock_guard<std::mutex> lock(RegMutex());
    Registries().erase(r->env_);
  }
  delete r;
}

}  // namespace jsec
