// The sans-IO engine: an OpenSSL SSL over BIOs that never touch a socket or a
// clock. DTLS uses datagram queues (dgram_bio.h), TLS uses memory BIOs.
// Datagrams/bytes go in, datagrams/bytes to send come out, plaintext is read
// and written, and the caller asks for "the next timeout in N ms".
#pragma once
#include <napi.h>

#include <string>
#include <utility>
#include <vector>

#include "common/handles.h"
#include "engine/live.h"

namespace jsec {

// Data the SSL_CTX's callbacks need; lives exactly as long as the SSL_CTX
// (freed by an ex-data free hook), so engines outliving their Context are safe.
struct CtxData {
  bool dtls = false;
  bool rejectUnauthorized = true;
  std::vector<unsigned char> alpnServer;  // wire format, server preference order
  std::string pskIdentity;                // client
  std::vector<unsigned char> pskKey;      // client
  std::vector<std::pair<std::string, std::vector<unsigned char>>> pskTable;  // server
  unsigned char cookieSecret[2][32] = {};  // current, previous
};

CtxData* GetCtxData(const SSL_CTX* ctx);

class Context : public Napi::ObjectWrap<Context>, public Releasable {
 public:
  static Napi::Function Define(Napi::Env env);
  explicit Context(const Napi::CallbackInfo& info);
  ~Context() override;
  void Release() override;
  SSL_CTX* ctx() const { return ctx_; }

 private:
  Napi::Value Close(const Napi::CallbackInfo& info);
  Napi::Value RotateCookieSecret(const Napi::CallbackInfo& info);
  Napi::Value IsClosed(const Napi::CallbackInfo& info);
  SSL_CTX* ctx_ = nullptr;
};

enum class EngineState { kNew, kHandshaking, kEstablished, kShutdownSent, kPeerClosed, kFailed, kClosed };

class Engine : public Napi::ObjectWrap<Engine>, public Releasable {
 public:
  static Napi::Function Define(Napi::Env env);
  explicit Engine(const Napi::CallbackInfo& info);
  ~Engine() override;
  void Release() override;

  // Used by OpenSSL callbacks.
  const std::vector<unsigned char>& peerKey() const { return peerKey_; }
  unsigned int retransmitInitialUs() const { return retransmitInitialUs_; }
  unsigned int retransmitMaxUs() const { return retransmitMaxUs_; }
  void NoteAlert(bool received, int value);
  // The chain the peer sent, captured when verification fails (OpenSSL does
  // not keep it on the session then).
  void NoteVerifyFailure(X509_STORE_CTX* store);
  void CaptureFailedChain(X509_STORE_CTX* store);

 private:
  Napi::Value State(const Napi::CallbackInfo& info);
  Napi::Value Feed(const Napi::CallbackInfo& info);
  Napi::Value Listen(const Napi::CallbackInfo& info);
  Napi::Value Handshake(const Napi::CallbackInfo& info);
  Napi::Value Read(const Napi::CallbackInfo& info);
  Napi::Value ReadAll(const Napi::CallbackInfo& info);
  Napi::Value WriteOut(const Napi::CallbackInfo& info);
  Napi::Array TakeOutput(Napi::Env env);
  Napi::Value Write(const Napi::CallbackInfo& info);
  Napi::Value Receive(const Napi::CallbackInfo& info);
  Napi::Value Send(const Napi::CallbackInfo& info);
  void WriteRecord(Napi::Env env, const unsigned char* data, size_t len);
  Napi::Value Output(const Napi::CallbackInfo& info);
  Napi::Value Timeout(const Napi::CallbackInfo& info);
  Napi::Value HandleTimeout(const Napi::CallbackInfo& info);
  Napi::Value Shutdown(const Napi::CallbackInfo& info);
  Napi::Value Info(const Napi::CallbackInfo& info);
  Napi::Value PeerCertificates(const Napi::CallbackInfo& info);
  Napi::Value Session(const Napi::CallbackInfo& info);
  Napi::Value ExportKeyingMaterial(const Napi::CallbackInfo& info);
  Napi::Value KeyUpdate(const Napi::CallbackInfo& info);
  Napi::Value MaxMessageSize(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);

  void RequireOpen(Napi::Env env, const char* op);
  [[noreturn]] void Fail(Napi::Env env, const char* op);

  SSL* ssl_ = nullptr;
  BIO* rbio_ = nullptr;  // owned by ssl_
  BIO* wbio_ = nullptr;  // owned by ssl_
  bool dtls_ = false;
  bool server_ = false;
  EngineState state_ = EngineState::kNew;
  std::vector<unsigned char> peerKey_;
  unsigned int retransmitInitialUs_ = 1000000;
  unsigned int retransmitMaxUs_ = 60000000;
  long mtu_ = 1200;
  size_t maxData_ = 0;
  int alertReceived_ = -1;
  int alertSent_ = -1;
  std::vector<std::vector<unsigned char>> failedChain_;
  int failedDepth_ = -1;
};

}  // namespace jsec
