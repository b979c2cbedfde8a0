// Serialized client sessions.
//
// sessionPeer(session): the peer certificate (DER) inside a serialized client
// SSL_SESSION, as Node's 'session' event and getSession() give it, or null.
// Node has no certificate chain for a resumed client connection; the session
// still carries the server's leaf, which is what info() reports then.
// Node 20 gives the bare DER; Node 22 and later put a header of their own in
// front of it, so the SSL_SESSION is found by its leading
// SEQUENCE { INTEGER 1, ... } within the first bytes.
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "common/buffers.h"
#include "common/module.h"

namespace jsec {
namespace {

// Where a DER SEQUENCE that starts with INTEGER 1 begins, or npos.
size_t FindSessionDer(const Bytes& b) {
  const size_t limit = b.size() < 256 ? b.size() : 256;
  for (size_t i = 0; i + 7 < limit; i++) {
    if (b[i] != 0x30) continue;
    size_t len_bytes = (b[i + 1] & 0x80) ? (b[i + 1] & 0x7f) : 0;
    if (len_bytes > 3) continue;
    size_t at = i + 2 + len_bytes;
    if (at + 3 <= b.size() && b[at] == 0x02 && b[at + 1] == 0x01 && b[at + 2] == 0x01) return i;
  }
  return std::string::npos;
}

// The SSL_SESSION inside `data`, or null when there is none that decodes.
SslSessionPtr DecodeSession(const Bytes& data) {
  size_t at = FindSessionDer(data);
  if (at == std::string::npos) return SslSessionPtr();
  const unsigned char* p = data.data() + at;
  return SslSessionPtr(d2i_SSL_SESSION(nullptr, &p, static_cast<long>(data.size() - at)));
}

// sessionUsable(session): whether the bytes hold a session OpenSSL can
// decode. Node's own decoder leaves its failure on the thread's error queue,
// where a later, unrelated TLS call finds it and throws; jsec checks first
// (this guard drains what d2i left) and does not hand Node a bad session.
Napi::Value SessionUsable(const Napi::CallbackInfo& info) {
  ErrorQueueGuard guard;
  return Napi::Boolean::New(info.Env(), static_cast<bool>(DecodeSession(ToBytes(info[0]))));
}

Napi::Value SessionPeer(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ErrorQueueGuard guard;
  SslSessionPtr session = DecodeSession(ToBytes(info[0]));
  if (!session) return env.Null();
  X509* peer = SSL_SESSION_get0_peer(session.get());
  Bytes der;
  if (peer == nullptr || !TryEncodeDer(peer, i2d_X509, &der)) return env.Null();
  return ToBuffer(env, der);
}

void Init(Napi::Env env, Napi::Object exports) {
  ExportFunctions(env, exports, {{"sessionPeer", SessionPeer}, {"sessionUsable", SessionUsable}});
}

}  // namespace

JSEC_REGISTER(tlsSession, Init);

}  // namespace jsec
