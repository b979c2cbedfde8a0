// Live-object accounting for the engine and bio families. Every native object
// that JS can hold registers with the registry of its environment; when the
// environment is torn down the registry releases whatever JS never closed.
// Counters of real OpenSSL objects (SSL, SSL_CTX, datagram BIOs) are kept
// through ex-data hooks so the leak test measures OpenSSL, not our wrappers.
#pragma once
#include <napi.h>

#include <atomic>
#include <unordered_set>

namespace jsec {

enum class LiveKind { kContext = 0, kEngine = 1, kMemoryBio = 2 };

class LiveRegistry;

// Something that owns OpenSSL objects and can release them early. Track() on
// creation, Untrack() when closed; the registry detaches survivors at teardown.
class Releasable {
 public:
  virtual ~Releasable() = default;
  // Frees the OpenSSL objects; idempotent.
  virtual void Release() = 0;
  void Track(napi_env env, LiveKind kind);
  void Untrack();

 private:
  friend class LiveRegistry;
  LiveRegistry* registry_ = nullptr;
  LiveKind kind_ = LiveKind::kContext;
};

// The per-environment set of live objects.
class LiveRegistry {
 public:
  static LiveRegistry* For(napi_env env);
  void Add(LiveKind kind, Releasable* obj);
  void Remove(LiveKind kind, Releasable* obj);
  long Count(LiveKind kind) const;

 private:
  static void Cleanup(void* arg);
  napi_env env_ = nullptr;
  std::unordered_set<Releasable*> sets_[3];
};

// Process-wide counts of OpenSSL objects created since the addon loaded.
struct OpenSSLCounts {
  std::atomic<long> ssl{0};
  std::atomic<long> sslCtx{0};
  std::atomic<long> dgramBio{0};
};
OpenSSLCounts& Counts();

// Installs the SSL / SSL_CTX ex-data hooks (idempotent).
void InstallCountingHooks();

}  // namespace jsec
