#include "engine/engine.h"

#include <dlfcn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sys/time.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <mutex>

#include "common/buffers.h"
#include "common/errors.h"
#include "common/module.h"
#include "engine/dgram_bio.h"

namespace jsec {

namespace {

// --- SSL_CTX ex data: CtxData lives as long as the SSL_CTX ------------------

void FreeCtxData(void*, void* ptr, CRYPTO_EX_DATA*, int, long, void*) { delete static_cast<CtxData*>(ptr); }

int CtxDataIndex() {
  static int index = -1;
  static std::once_flag once;
  std::call_once(once, [] { index = CRYPTO_get_ex_new_index(CRYPTO_EX_INDEX_SSL_CTX, 0, nullptr, nullptr, nullptr, FreeCtxData); });
  return index;
}

Engine* EngineOf(const SSL* ssl) { return static_cast<Engine*>(SSL_get_app_data(ssl)); }

// --- feature detection: SRTP is not exported by every OpenSSL build ---------

using SetSrtpFn = int (*)(SSL_CTX*, const char*);
using GetSrtpFn = SRTP_PROTECTION_PROFILE* (*)(SSL*);

SetSrtpFn SetSrtp() { return reinterpret_cast<SetSrtpFn>(dlsym(RTLD_DEFAULT, "SSL_CTX_set_tlsext_use_srtp")); }
GetSrtpFn GetSrtp() { return reinterpret_cast<GetSrtpFn>(dlsym(RTLD_DEFAULT, "SSL_get_selected_srtp_profile")); }

// --- callbacks -----------------------------------------------------------

int VerifyCallback(int ok, X509_STORE_CTX* store) {
  SSL* ssl = static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
  if (ssl == nullptr) return ok;
  if (!ok) {
    Engine* e = EngineOf(ssl);
    if (e != nullptr) e->NoteVerifyFailure(store);
    const CtxData* data = GetCtxData(SSL_get_SSL_CTX(ssl));
    // rejectUnauthorized: false records the failure and goes on.
    if (data != nullptr && !data->rejectUnauthorized) return 1;
  }
  return ok;
}

bool CookieFor(const SSL* ssl, int which, unsigned char out[32]) {
  const CtxData* data = GetCtxData(SSL_get_SSL_CTX(ssl));
  const Engine* engine = EngineOf(ssl);
  if (data == nullptr || engine == nullptr) return false;
  size_t outLen = 0;
  const auto& key = engine->peerKey();
  return EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, data->cookieSecret[which], 32, key.data(), key.size(), out, 32,
                   &outLen) != nullptr &&
         outLen == 32;
}

int GenerateCookie(SSL* ssl, unsigned char* cookie, unsigned int* len) {
  unsigned char mac[32];
  if (!CookieFor(ssl, 0, mac)) return 0;
  std::memcpy(cookie, mac, 32);
  *len = 32;
  return 1;
}

int VerifyCookie(SSL* ssl, const unsigned char* cookie, unsigned int len) {
  if (len != 32) return 0;
  for (int which = 0; which < 2; which++) {
    unsigned char mac[32];
    if (CookieFor(ssl, which, mac) && CRYPTO_memcmp(mac, cookie, 32) == 0) return 1;
  }
  return 0;
}

unsigned int TimerCallback(SSL* ssl, unsigned int timerUs) {
  const Engine* e = EngineOf(ssl);
  unsigned int initial = e ? e->retransmitInitialUs() : 1000000;
  unsigned int max = e ? e->retransmitMaxUs() : 60000000;
  if (timerUs == 0) return initial;
  unsigned long long next = static_cast<unsigned long long>(timerUs) * 2;
  return next > max ? max : static_cast<unsigned int>(next);
}

void InfoCallback(const SSL* ssl, int where, int ret) {
  if ((where & SSL_CB_ALERT) == 0) return;
  Engine* e = EngineOf(ssl);
  if (e != nullptr) e->NoteAlert((where & SSL_CB_READ) != 0, ret);
}

int SelectAlpn(SSL* ssl, const unsigned char** out, unsigned char* outlen, const unsigned char* in, unsigned int inlen, void*) {
  const CtxData* data = GetCtxData(SSL_get_SSL_CTX(ssl));
  if (data == nullptr || data->alpnServer.empty()) return SSL_TLSEXT_ERR_NOACK;
  unsigned char* selected = nullptr;
  int r = SSL_select_next_proto(&selected, outlen, data->alpnServer.data(), static_cast<unsigned int>(data->alpnServer.size()), in,
                                inlen);
  if (r != OPENSSL_NPN_NEGOTIATED) return SSL_TLSEXT_ERR_ALERT_FATAL;
  *out = selected;
  return SSL_TLSEXT_ERR_OK;
}

unsigned int PskClient(SSL* ssl, const char*, char* identity, unsigned int maxIdentity, unsigned char* psk, unsigned int maxPsk) {
  const CtxData* data = GetCtxData(SSL_get_SSL_CTX(ssl));
  if (data == nullptr || data->pskKey.empty()) return 0;
  if (data->pskIdentity.size() + 1 > maxIdentity || data->pskKey.size() > maxPsk) return 0;
  std::memcpy(identity, data->pskIdentity.c_str(), data->pskIdentity.size() + 1);
  std::memcpy(psk, data->pskKey.data(), data->pskKey.size());
  return static_cast<unsigned int>(data->pskKey.size());
}

unsigned int PskServer(SSL* ssl, const char* identity, unsigned char* psk, unsigned int maxPsk) {
  const CtxData* data = GetCtxData(SSL_get_SSL_CTX(ssl));
  if (data == nullptr || identity == nullptr) return 0;
  for (const auto& [id, key] : data->pskTable) {
    if (id == identity && key.size() <= maxPsk) {
      std::memcpy(psk, key.data(), key.size());
      return static_cast<unsigned int>(key.size());
    }
  }
  return 0;
}

// --- helpers ---------------------------------------------------------------

std::string OptString(const Napi::Object& o, const char* name) {
  Napi::Value v = o.Get(name);
  return v.IsString() ? v.As<Napi::String>().Utf8Value() : std::string();
}
bool OptBool(const Napi::Object& o, const char* name, bool dflt) {
  Napi::Value v = o.Get(name);
  return v.IsBoolean() ? v.As<Napi::Boolean>().Value() : dflt;
}
double OptNumber(const Napi::Object& o, const char* name, double dflt) {
  Napi::Value v = o.Get(name);
  return v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : dflt;
}

[[noreturn]] void ConfigFailure(Napi::Env env, const std::string& option, const std::string& message) {
  auto queue = DrainErrors();
  Napi::Error err = MakeError(env, "ERR_INVALID_ARG_VALUE", message + (queue.empty() ? "" : ": " + queue.back().reason), queue);
  err.Set("option", option);
  throw err;
}

// Also the callback of every certificate read: with a null callback OpenSSL
// would prompt for a passphrase on the controlling terminal (and block the
// event loop) when a PEM block carries an encryption header.
int PemPassword(char* buf, int size, int, void* u) {
  const std::string* pass = static_cast<const std::string*>(u);
  if (pass == nullptr) return 0;
  int n = static_cast<int>(std::min<size_t>(pass->size(), static_cast<size_t>(size)));
  std::memcpy(buf, pass->data(), static_cast<size_t>(n));
  return n;
}

void LoadCertificateChain(Napi::Env env, SSL_CTX* ctx, const std::string& pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  X509Ptr leaf(PEM_read_bio_X509(bio.get(), nullptr, PemPassword, nullptr));
  if (!leaf) ConfigFailure(env, "cert", "The certificate could not be parsed as PEM");
  if (SSL_CTX_use_certificate(ctx, leaf.get()) != 1) ConfigFailure(env, "cert", "The certificate could not be used");
  for (;;) {
    X509Ptr extra(PEM_read_bio_X509(bio.get(), nullptr, PemPassword, nullptr));
    if (!extra) break;
    if (SSL_CTX_add1_chain_cert(ctx, extra.get()) != 1) ConfigFailure(env, "cert", "A chain certificate could not be added");
  }
  ERR_clear_error();  // the end-of-PEM "no start line"
}

void LoadKey(Napi::Env env, SSL_CTX* ctx, const std::string& pem, const std::string& passphrase, bool hasPass) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, PemPassword, hasPass ? const_cast<std::string*>(&passphrase) : nullptr));
  if (!key) ConfigFailure(env, "key", "The private key could not be parsed (wrong PEM or passphrase)");
  if (SSL_CTX_use_PrivateKey(ctx, key.get()) != 1) ConfigFailure(env, "key", "The private key could not be used");
  if (SSL_CTX_check_private_key(ctx) != 1) ConfigFailure(env, "key", "The private key does not match the certificate");
}

void LoadCa(Napi::Env env, SSL_CTX* ctx, const Napi::Array& list) {
  X509_STORE* store = SSL_CTX_get_cert_store(ctx);
  for (uint32_t i = 0; i < list.Length(); i++) {
    std::string pem = list.Get(i).As<Napi::String>().Utf8Value();
    BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    int added = 0;
    for (;;) {
      X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, PemPassword, nullptr));
      if (!cert) break;
      // Duplicates (the same root twice) are harmless.
      X509_STORE_add_cert(store, cert.get());
      added++;
    }
    ERR_clear_error();
    if (added == 0) ConfigFailure(env, "ca", "A CA entry holds no PEM certificate");
  }
}

const char* StateName(EngineState s) {
  switch (s) {
    case EngineState::kNew: return "new";
    case EngineState::kHandshaking: return "handshaking";
    case EngineState::kEstablished: return "established";
    case EngineState::kShutdownSent: return "shutdown-sent";
    case EngineState::kPeerClosed: return "peer-closed";
    case EngineState::kFailed: return "failed";
    case EngineState::kClosed: return "closed";
  }
  return "unknown";
}

}  // namespace

CtxData* GetCtxData(const SSL_CTX* ctx) { return static_cast<CtxData*>(SSL_CTX_get_ex_data(ctx, CtxDataIndex())); }

// ===========================================================================
// Context
// ===========================================================================

Napi::Function Context::Define(Napi::Env env) {
  return DefineClass(env, "EngineContext",
                     {InstanceMethod("close", &Context::Close), InstanceMethod("rotateCookieSecret", &Context::RotateCookieSecret),
                      InstanceAccessor("closed", &Context::IsClosed, nullptr)});
}

Context::Context(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Context>(info) {
  Napi::Env env = info.Env();
  ErrorQueueGuard guard;
  InstallCountingHooks();
  Napi::Object o = info[0].As<Napi::Object>();
  bool dtls = OptBool(o, "dtls", false);
  SslCtxPtr ctx(SSL_CTX_new(dtls ? DTLS_method() : TLS_method()));
  if (!ctx) ThrowOpenSSL(env, "SSL_CTX_new failed");
  auto* data = new CtxData();
  if (SSL_CTX_set_ex_data(ctx.get(), CtxDataIndex(), data) != 1) {
    delete data;
    ThrowOpenSSL(env, "SSL_CTX_set_ex_data failed");
  }
  data->dtls = dtls;
  if (RAND_bytes(data->cookieSecret[0], 32) != 1 || RAND_bytes(data->cookieSecret[1], 32) != 1) ThrowOpenSSL(env, "RAND_bytes failed");

  SSL_CTX_set_options(ctx.get(), SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  SSL_CTX_set_mode(ctx.get(), SSL_MODE_RELEASE_BUFFERS);

  int minV = static_cast<int>(OptNumber(o, "minVersion", 0));
  int maxV = static_cast<int>(OptNumber(o, "maxVersion", 0));
  if (minV != 0 && SSL_CTX_set_min_proto_version(ctx.get(), minV) != 1) ConfigFailure(env, "minVersion", "Unsupported minimum version");
  if (maxV != 0 && SSL_CTX_set_max_proto_version(ctx.get(), maxV) != 1) ConfigFailure(env, "maxVersion", "Unsupported maximum version");

  std::string ciphers = OptString(o, "ciphers");
  if (!ciphers.empty() && SSL_CTX_set_cipher_list(ctx.get(), ciphers.c_str()) != 1) ConfigFailure(env, "ciphers", "No usable cipher in the list");
  std::string suites = OptString(o, "ciphersuites");
  if (!suites.empty() && SSL_CTX_set_ciphersuites(ctx.get(), suites.c_str()) != 1) ConfigFailure(env, "ciphersuites", "No usable TLS 1.3 suite in the list");
  std::string groups = OptString(o, "groups");
  if (!groups.empty() && SSL_CTX_set1_groups_list(ctx.get(), groups.c_str()) != 1) ConfigFailure(env, "groups", "No usable group in the list");

  std::string cert = OptString(o, "cert");
  std::string key = OptString(o, "key");
  Napi::Value passV = o.Get("passphrase");
  std::string pass = passV.IsString() ? passV.As<Napi::String>().Utf8Value() : std::string();
  if (!cert.empty()) LoadCertificateChain(env, ctx.get(), cert);
  if (!key.empty()) LoadKey(env, ctx.get(), key, pass, passV.IsString());
  Napi::Value ca = o.Get("ca");
  if (ca.IsArray()) LoadCa(env, ctx.get(), ca.As<Napi::Array>());

  // verify: 0 = none, 1 = verify the peer (a server requests a certificate),
  // 2 = a server requires one.
  int verify = static_cast<int>(OptNumber(o, "verify", 0));
  data->rejectUnauthorized = OptBool(o, "rejectUnauthorized", true);
  int mode = SSL_VERIFY_NONE;
  if (verify >= 1) mode = SSL_VERIFY_PEER;
  if (verify >= 2) mode |= SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
  SSL_CTX_set_verify(ctx.get(), mode, VerifyCallback);

  Napi::Value alpn = o.Get("alpn");
  if (alpn.IsBuffer()) {
    Bytes wire = ToBytes(alpn);
    if (OptBool(o, "server", false)) {
      data->alpnServer = wire;
      SSL_CTX_set_alpn_select_cb(ctx.get(), SelectAlpn, nullptr);
    } else if (SSL_CTX_set_alpn_protos(ctx.get(), wire.data(), static_cast<unsigned int>(wire.size())) != 0) {
      ConfigFailure(env, "ALPNProtocols", "The ALPN list could not be set");
    }
  }

  Napi::Value pskKey = o.Get("pskKey");
  if (pskKey.IsBuffer()) {
    data->pskIdentity = OptString(o, "pskIdentity");
    data->pskKey = ToBytes(pskKey);
    SSL_CTX_set_psk_client_callback(ctx.get(), PskClient);
  }
  Napi::Value pskTable = o.Get("pskTable");
  if (pskTable.IsArray()) {
    Napi::Array t = pskTable.As<Napi::Array>();
    for (uint32_t i = 0; i < t.Length(); i++) {
      Napi::Object e = t.Get(i).As<Napi::Object>();
      data->pskTable.emplace_back(e.Get("identity").As<Napi::String>().Utf8Value(), ToBytes(e.Get("key")));
    }
    SSL_CTX_set_psk_server_callback(ctx.get(), PskServer);
    std::string hint = OptString(o, "pskHint");
    if (!hint.empty()) SSL_CTX_use_psk_identity_hint(ctx.get(), hint.c_str());
  }

  std::string srtp = OptString(o, "srtpProfiles");
  if (!srtp.empty()) {
    SetSrtpFn fn = SetSrtp();
    if (fn == nullptr) ThrowError(env, "ERR_JSEC_UNSUPPORTED", "The running OpenSSL does not export DTLS-SRTP");
    // Returns 0 on success (unlike most of OpenSSL).
    if (fn(ctx.get(), srtp.c_str()) != 0) ConfigFailure(env, "srtpProfiles", "Unknown SRTP protection profile");
  }

  if (OptBool(o, "server", false)) {
    static const unsigned char sid[] = "jsec";
    SSL_CTX_set_session_id_context(ctx.get(), sid, sizeof sid - 1);
    SSL_CTX_set_session_cache_mode(ctx.get(), SSL_SESS_CACHE_SERVER);
    SSL_CTX_sess_set_cache_size(ctx.get(), static_cast<long>(OptNumber(o, "sessionCacheSize", 1024)));
    if (dtls) {
      SSL_CTX_set_cookie_generate_cb(ctx.get(), GenerateCookie);
      SSL_CTX_set_cookie_verify_cb(ctx.get(), VerifyCookie);
    }
  } else {
    SSL_CTX_set_session_cache_mode(ctx.get(), SSL_SESS_CACHE_OFF);
  }
  double timeout = OptNumber(o, "sessionTimeout", 0);
  if (timeout > 0) SSL_CTX_set_timeout(ctx.get(), static_cast<long>(timeout));
  if (!OptBool(o, "sessionTickets", true)) SSL_CTX_set_options(ctx.get(), SSL_OP_NO_TICKET);

  ctx_ = ctx.release();
  Track(env, LiveKind::kContext);
}

Context::~Context() { Release(); }

void Context::Release() {
  if (ctx_ != nullptr) {
    SSL_CTX_free(ctx_);
    ctx_ = nullptr;
  }
  Untrack();
}

Napi::Value Context::Close(const Napi::CallbackInfo& info) {
  Release();
  return info.Env().Undefined();
}

Napi::Value Context::IsClosed(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), ctx_ == nullptr); }

Napi::Value Context::RotateCookieSecret(const Napi::CallbackInfo& info) {
  ErrorQueueGuard guard;
  if (ctx_ == nullptr) ThrowError(info.Env(), "ERR_JSEC_CLOSED", "The context is closed");
  CtxData* data = GetCtxData(ctx_);
  std::memcpy(data->cookieSecret[1], data->cookieSecret[0], 32);
  if (RAND_bytes(data->cookieSecret[0], 32) != 1) ThrowOpenSSL(info.Env(), "RAND_bytes failed");
  return info.Env().Undefined();
}

// ===========================================================================
// Engine
// ===========================================================================

Napi::Function Engine::Define(Napi::Env env) {
  return DefineClass(env, "Engine",
                     {InstanceAccessor("state", &Engine::State, nullptr), InstanceMethod("feed", &Engine::Feed),
                      InstanceMethod("listen", &Engine::Listen), InstanceMethod("handshake", &Engine::Handshake),
                      InstanceMethod("read", &Engine::Read), InstanceMethod("write", &Engine::Write),
                      InstanceMethod("readAll", &Engine::ReadAll), InstanceMethod("writeOut", &Engine::WriteOut),
                      InstanceMethod("output", &Engine::Output), InstanceMethod("receive", &Engine::Receive),
                      InstanceMethod("send", &Engine::Send), InstanceMethod("timeout", &Engine::Timeout),
                      InstanceMethod("handleTimeout", &Engine::HandleTimeout), InstanceMethod("shutdown", &Engine::Shutdown),
                      InstanceMethod("info", &Engine::Info), InstanceMethod("peerCertificates", &Engine::PeerCertificates),
                      InstanceMethod("session", &Engine::Session),
                      InstanceMethod("exportKeyingMaterial", &Engine::ExportKeyingMaterial),
                      InstanceMethod("keyUpdate", &Engine::KeyUpdate), InstanceMethod("maxMessageSize", &Engine::MaxMessageSize),
                      InstanceMethod("close", &Engine::Close)});
}

Engine::Engine(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Engine>(info) {
  Napi::Env env = info.Env();
  ErrorQueueGuard guard;
  Context* context = Napi::ObjectWrap<Context>::Unwrap(info[0].As<Napi::Object>());
  if (context == nullptr || context->ctx() == nullptr) ThrowError(env, "ERR_JSEC_CLOSED", "The context is closed");
  Napi::Object o = info[1].As<Napi::Object>();
  dtls_ = GetCtxData(context->ctx())->dtls;
  server_ = OptBool(o, "server", false);
  mtu_ = static_cast<long>(OptNumber(o, "mtu", 1200));
  retransmitInitialUs_ = static_cast<unsigned int>(OptNumber(o, "retransmitInitial", 1000) * 1000);
  retransmitMaxUs_ = static_cast<unsigned int>(OptNumber(o, "retransmitMax", 60000) * 1000);

  SslPtr ssl(SSL_new(context->ctx()));
  if (!ssl) ThrowOpenSSL(env, "SSL_new failed");
  BIO* rbio;
  BIO* wbio;
  if (dtls_) {
    rbio = NewDgramBio(static_cast<size_t>(OptNumber(o, "maxQueued", 64)), mtu_);
    wbio = NewDgramBio(4096, mtu_);
  } else {
    rbio = BIO_new(BIO_s_mem());
    wbio = BIO_new(BIO_s_mem());
    if (rbio) BIO_set_mem_eof_return(rbio, -1);
    if (wbio) BIO_set_mem_eof_return(wbio, -1);
  }
  if (rbio == nullptr || wbio == nullptr) {
    BIO_free(rbio);
    BIO_free(wbio);
    ThrowOpenSSL(env, "BIO_new failed");
  }
  SSL_set_bio(ssl.get(), rbio, wbio);  // the SSL owns both from here
  SSL_set_app_data(ssl.get(), this);
  SSL_set_info_callback(ssl.get(), InfoCallback);

  if (dtls_) {
    SSL_set_options(ssl.get(), SSL_OP_NO_QUERY_MTU);
    DTLS_set_link_mtu(ssl.get(), mtu_);
    SSL_set_mtu(ssl.get(), mtu_);
    DTLS_set_timer_cb(ssl.get(), TimerCallback);
  }
  if (server_) {
    SSL_set_accept_state(ssl.get());
  } else {
    SSL_set_connect_state(ssl.get());
    std::string sni = OptString(o, "servername");
    if (!sni.empty() && SSL_set_tlsext_host_name(ssl.get(), sni.c_str()) != 1) ConfigFailure(env, "servername", "Bad server name");
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl.get());
    std::string host = OptString(o, "verifyHost");
    std::string ip = OptString(o, "verifyIp");
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    if (!host.empty() && X509_VERIFY_PARAM_set1_host(param, host.c_str(), host.size()) != 1) ConfigFailure(env, "servername", "Bad host name");
    if (!ip.empty() && X509_VERIFY_PARAM_set1_ip_asc(param, ip.c_str()) != 1) ConfigFailure(env, "host", "Bad IP address");
    Napi::Value session = o.Get("session");
    if (session.IsBuffer()) {
      Bytes der = ToBytes(session);
      const unsigned char* p = der.data();
      SslSessionPtr sess(d2i_SSL_SESSION(nullptr, &p, static_cast<long>(der.size())));
      // A session that does not parse or fit is ignored: a full handshake follows.
      if (sess) SSL_set_session(ssl.get(), sess.get());
      ERR_clear_error();
    }
  }
  ssl_ = ssl.release();
  rbio_ = rbio;
  wbio_ = wbio;
  state_ = EngineState::kNew;
  Track(env, LiveKind::kEngine);
}

Engine::~Engine() { Release(); }

void Engine::Release() {
  if (ssl_ != nullptr) {
    SSL_set_app_data(ssl_, nullptr);
    SSL_free(ssl_);
    ssl_ = nullptr;
    rbio_ = nullptr;
    wbio_ = nullptr;
  }
  state_ = EngineState::kClosed;
  Untrack();
}

void Engine::NoteAlert(bool received, int value) {
  if (received) {
    alertReceived_ = value;
  } else {
    alertSent_ = value;
  }
}

void Engine::NoteVerifyFailure(X509_STORE_CTX* store) {
  if (failedDepth_ >= 0) return;
  // Runs inside OpenSSL's verify callback: no C++ exception may leave it.
  try {
    CaptureFailedChain(store);
  } catch (...) {
    failedChain_.clear();
  }
}

void Engine::CaptureFailedChain(X509_STORE_CTX* store) {
  failedDepth_ = X509_STORE_CTX_get_error_depth(store);
  STACK_OF(X509)* sent = X509_STORE_CTX_get0_untrusted(store);
  X509* leaf = X509_STORE_CTX_get0_cert(store);
  auto add = [&](X509* x) {
    int len = i2d_X509(x, nullptr);
    if (len <= 0) return;
    std::vector<unsigned char> der(static_cast<size_t>(len));
    unsigned char* p = der.data();
    i2d_X509(x, &p);
    for (const auto& have : failedChain_) if (have == der) return;
    failedChain_.push_back(std::move(der));
  };
  if (leaf != nullptr) add(leaf);
  for (int i = 0; sent != nullptr && i < sk_X509_num(sent); i++) add(sk_X509_value(sent, i));
}

void Engine::RequireOpen(Napi::Env env, const char* op) {
  if (ssl_ == nullptr) ThrowError(env, "ERR_JSEC_CLOSED", std::string("The engine is closed (") + op + ")");
  if (state_ == EngineState::kFailed) {
    Napi::Error err = MakeError(env, "ERR_JSEC_INVALID_STATE", std::string("The engine failed earlier (") + op + ")");
    err.Set("state", StateName(state_));
    err.Set("operation", op);
    throw err;
  }
}

void Engine::Fail(Napi::Env env, const char* op) {
  state_ = EngineState::kFailed;
  auto queue = DrainErrors();
  long vr = SSL_get_verify_result(ssl_);
  int reason = 0;
  std::string reasonText;
  if (!queue.empty()) {
    reason = ERR_GET_REASON(queue.back().code);
    reasonText = queue.back().reason;
  }
  std::string msg = std::string(dtls_ ? "DTLS " : "TLS ") + op + " failed";
  if (!reasonText.empty()) msg += ": " + reasonText;
  Napi::Error err = MakeError(env, dtls_ ? "ERR_JSEC_DTLS" : "ERR_JSEC_TLS_HANDSHAKE", msg, queue);
  err.Set("operation", op);
  err.Set("reasonCode", Napi::Number::New(env, reason));
  if (!reasonText.empty()) err.Set("reason", reasonText);
  if (vr != X509_V_OK) {
    err.Set("verifyCode", Napi::Number::New(env, static_cast<double>(vr)));
    err.Set("verifyError", X509_verify_cert_error_string(vr));
  }
  if (failedDepth_ >= 0) {
    err.Set("verifyDepth", Napi::Number::New(env, failedDepth_));
    Napi::Array chain = Napi::Array::New(env, failedChain_.size());
    for (size_t i = 0; i < failedChain_.size(); i++) chain.Set(static_cast<uint32_t>(i), ToBuffer(env, failedChain_[i]));
    err.Set("peerChainDer", chain);
  }
  if (alertReceived_ >= 0) {
    err.Set("alertReceived", Napi::Number::New(env, alertReceived_ & 0xff));
    err.Set("alertReceivedName", SSL_alert_desc_string_long(alertReceived_));
  }
  if (alertSent_ >= 0) {
    err.Set("alertSent", Napi::Number::New(env, alertSent_ & 0xff));
    err.Set("alertSentName", SSL_alert_desc_string_long(alertSent_));
  }
  throw err;
}

Napi::Value Engine::State(const Napi::CallbackInfo& info) { return Napi::String::New(info.Env(), StateName(state_)); }

Napi::Value Engine::Feed(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (ssl_ == nullptr) ThrowError(env, "ERR_JSEC_CLOSED", "The engine is closed (feed)");
  auto buf = info[0].As<Napi::Uint8Array>();
  if (dtls_) return Napi::Boolean::New(env, DgramBioPush(rbio_, buf.Data(), buf.ByteLength()));
  // BIO_write takes an int: 4 GiB + k bytes would feed only k and report success.
  if (buf.ByteLength() > static_cast<size_t>(INT_MAX)) ThrowError(env, "ERR_OUT_OF_RANGE", "at most 2^31 - 1 bytes per feed");
  ErrorQueueGuard guard;
  if (buf.ByteLength() > 0 && BIO_write(rbio_, buf.Data(), static_cast<int>(buf.ByteLength())) <= 0) ThrowOpenSSL(env, "BIO_write failed");
  return Napi::Boolean::New(env, true);
}

Napi::Value Engine::Listen(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ErrorQueueGuard guard;
  RequireOpen(env, "listen");
  peerKey_ = ToBytes(info[0]);
  BIO_ADDR* addr = BIO_ADDR_new();
  if (addr == nullptr) ThrowOpenSSL(env, "BIO_ADDR_new failed");
  int r = DTLSv1_listen(ssl_, addr);
  BIO_ADDR_free(addr);
  if (r == 1) state_ = EngineState::kHandshaking;
  // r < 0: a datagram the stateless listener rejects; it is dropped and the
  // scratch SSL is reset by the next call (DTLSv1_listen clears it first).
  return Napi::Number::New(env, r);
}

Napi::Value Engine::Handshake(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ErrorQueueGuard guard;
  RequireOpen(env, "handshake");
  if (state_ == EngineState::kEstablished || state_ == EngineState::kShutdownSent || state_ == EngineState::kPeerClosed) {
    return Napi::Boolean::New(env, true);
  }
  state_ = EngineState::kHandshaking;
  int r = SSL_do_handshake(ssl_);
  if (r == 1) {
    state_ = EngineState::kEstablished;
    return Napi::Boolean::New(env, true);
  }
  int e = SSL_get_error(ssl_, r);
  if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) return Napi::Boolean::New(env, false);
  Fail(env, "handshake");
}

Napi::Value Engine::Read(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ErrorQueueGuard guard;
  RequireOpen(env, "read");
  if (state_ == EngineState::kPeerClosed) return env.Null();
  unsigned char buf[16384 + 256];
  size_t n = 0;
  int r = SSL_read_ex(ssl_, buf, sizeof buf, &n);
  if (r == 1) {
    if (state_ == EngineState::kHandshaking || state_ == EngineState::kNew) state_ = EngineState::kEstablished;
    return ToBuffer(env, buf, n);
  }
  int e = SSL_get_error(ssl_, r);
  if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) return env.Null();
  if (e == SSL_ERROR_ZERO_RETURN) {
    state_ = EngineState::kPeerClosed;
    return env.Null();
  }
  Fail(env, "read");
}

// Every plaintext record available now (one per DTLS message), in one call:
// the hot path of a busy association.
Napi::Value Engine::ReadAll(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Array out = Napi::Array::New(env);
  uint32_t i = 0;
  for (;;) {
    // Once the inbound queue is empty and OpenSSL holds nothing unprocessed,
    // another SSL_read could only answer "want read": skip it.
    if (i > 0 && ssl_ != nullptr && SSL_has_pending(ssl_) == 0 &&
        (dtls_ ? DgramBioCount(rbio_) == 0 : BIO_ctrl_pending(rbio_) == 0)) {
      break;
    }
    Napi::Value v = Read(info);
    if (v.IsNull()) break;
    out.Set(i++, v);
  }
  return out;
}

// write() followed by output(): the datagrams (or bytes) to send.
Napi::Value Engine::WriteOut(const Napi::CallbackInfo& info) {
  Write(info);
  return TakeOutput(info.Env());
}

Napi::Value Engine::Write(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ErrorQueueGuard guard;
  RequireOpen(env, "write");
  auto buf = info[0].As<Napi::Uint8Array>();
  WriteRecord(env, buf.Data(), buf.ByteLength());
  return env.Undefined();
}

void Engine::WriteRecord(Napi::Env env, const unsigned char* data, size_t len) {
  if (state_ != EngineState::kEstablished) {
    Napi::Error err = MakeError(env, "ERR_JSEC_INVALID_STATE", std::string("Cannot write in state ") + StateName(state_));
    err.Set("state", StateName(state_));
    err.Set("operation", "write");
    throw err;
  }
  if (len == 0) return;
  if (dtls_) {
    // Fixed once the cipher is (renegotiation is off).
    if (maxData_ == 0) maxData_ = DTLS_get_data_mtu(ssl_);
    size_t max = maxData_;
    if (max > 0 && len > max) {
      Napi::Error err = MakeError(env, "ERR_JSEC_DTLS_MESSAGE_TOO_LARGE", "The message does not fit in one datagram");
      err.Set("size", Napi::Number::New(env, static_cast<double>(len)));
      err.Set("max", Napi::Number::New(env, static_cast<double>(max)));
      throw err;
    }
  }
  size_t written = 0;
  int r = SSL_write_ex(ssl_, data, len, &written);
  if (r != 1) Fail(env, "write");
}

namespace {

// receive() status layout: [0] flags, [1] bytes the next read needs when
// kMore is set for lack of room, [2...] the length of each message read.
constexpr int32_t kFlagMore = 1;        // call again (no room, or no length slot left)
constexpr int32_t kFlagOutput = 2;      // datagrams to send are queued (take them with output())
constexpr int32_t kFlagPeerClosed = 4;  // close_notify arrived
constexpr int32_t kFlagDropped = 8;     // the inbound queue was full: the datagram was dropped
constexpr uint32_t kStatusHeader = 2;

// Gives a lent datagram back (copying what OpenSSL did not read) on every
// path out of receive(), exceptions included: the lent memory belongs to JS.
struct LendGuard {
  BIO* bio;
  ~LendGuard() { DgramBioReturn(bio); }
};

// ErrorQueueGuard for the per-datagram calls: the same guarantee (the queue
// is empty before and after) without clearing all sixteen slots of an empty
// queue twice per call, which cost a tenth of a datagram's native time.
class HotErrorGuard {
 public:
  HotErrorGuard() { Clear(); }
  ~HotErrorGuard() { Clear(); }
  HotErrorGuard(const HotErrorGuard&) = delete;
  HotErrorGuard& operator=(const HotErrorGuard&) = delete;

 private:
  static void Clear() {
    if (ERR_peek_error() != 0) ERR_clear_error();
  }
};

// Ends direct output on every path out of send(): the target is JS memory.
struct TargetGuard {
  BIO* bio;
  ~TargetGuard() { DgramBioTakeTarget(bio); }
};

}  // namespace

// The established association's inbound hot path in one call: takes one
// datagram (lent, not copied, when the queue is empty) and reads every
// message now available straight into `out` (consecutively from `offset`),
// reporting through `status` (see kFlag*). A record is read only when the
// room left can hold all of it (its plaintext is at most the datagram that
// carried it), so a message is never split across reads.
Napi::Value Engine::Receive(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  HotErrorGuard guard;
  RequireOpen(env, "receive");
  if (!dtls_) ThrowError(env, "ERR_JSEC_INVALID_STATE", "receive() is for DTLS engines");
  auto out = info[1].As<Napi::Uint8Array>();
  size_t offset = static_cast<size_t>(info[2].As<Napi::Number>().Int64Value());
  auto status = info[3].As<Napi::Int32Array>();
  int32_t* st = status.Data();
  size_t slots = status.ElementLength() - kStatusHeader;
  int32_t flags = 0;
  st[1] = 0;
  LendGuard lend{rbio_};
  if (info[0].IsTypedArray()) {
    auto d = info[0].As<Napi::Uint8Array>();
    if (!DgramBioLend(rbio_, d.Data(), d.ByteLength()) && !DgramBioPush(rbio_, d.Data(), d.ByteLength())) flags |= kFlagDropped;
  }
  unsigned char* base = out.Data() + offset;
  size_t room = out.ByteLength() - offset;
  size_t used = 0;
  uint32_t count = 0;
  // Every iteration consumes a datagram or a record; the bound only guards
  // against a loop that OpenSSL would not end.
  for (int guardCount = 0; guardCount < 65536 && state_ != EngineState::kPeerClosed; guardCount++) {
    // OpenSSL may still hold records of a datagram it read (or buffered ones
    // of a datagram that came early); otherwise the next datagram is read.
    size_t need = SSL_has_pending(ssl_) ? DgramBioMaxSize(rbio_) : DgramBioNextSize(rbio_);
    if (need == 0) break;
    if (count >= slots || room - used < need) {
      flags |= kFlagMore;
      if (room - used < need) st[1] = static_cast<int32_t>(need);
      break;
    }
    size_t n = 0;
    int r = SSL_read_ex(ssl_, base + used, room - used, &n);
    if (r == 1) {
      if (state_ == EngineState::kHandshaking || state_ == EngineState::kNew) state_ = EngineState::kEstablished;
      st[kStatusHeader + count++] = static_cast<int32_t>(n);
      used += n;
      continue;
    }
    int e = SSL_get_error(ssl_, r);
    // A record without application data (a retransmitted flight, a
    // replayed or undecryptable record): consumed, go on.
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) continue;
    if (e == SSL_ERROR_ZERO_RETURN) {
      state_ = EngineState::kPeerClosed;
      break;
    }
    Fail(env, "read");
  }
  if (state_ == EngineState::kPeerClosed) flags |= kFlagPeerClosed;
  if (DgramBioCount(wbio_) > 0) flags |= kFlagOutput;
  st[0] = flags;
  return Napi::Number::New(env, count);
}

// The outbound hot path in one call: encrypts one message and writes its
// datagram straight into `out` at `offset`. Returns the datagram's size
// times two, plus one when further datagrams are queued (take them with
// output()); a datagram that does not fit the room left is queued too.
Napi::Value Engine::Send(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  HotErrorGuard guard;
  RequireOpen(env, "send");
  if (!dtls_) ThrowError(env, "ERR_JSEC_INVALID_STATE", "send() is for DTLS engines");
  auto data = info[0].As<Napi::Uint8Array>();
  auto out = info[1].As<Napi::Uint8Array>();
  size_t offset = static_cast<size_t>(info[2].As<Napi::Number>().Int64Value());
  size_t n = 0;
  {
    TargetGuard target{wbio_};
    DgramBioSetTarget(wbio_, out.Data() + offset, out.ByteLength() - offset);
    WriteRecord(env, data.Data(), data.ByteLength());
    n = DgramBioTakeTarget(wbio_);
  }
  return Napi::Number::New(env, static_cast<double>(n * 2 + (DgramBioCount(wbio_) > 0 ? 1 : 0)));
}

Napi::Value Engine::Output(const Napi::CallbackInfo& info) { return TakeOutput(info.Env()); }

Napi::Array Engine::TakeOutput(Napi::Env env) {
  Napi::Array out = Napi::Array::New(env);
  if (ssl_ == nullptr) return out;
  if (dtls_) {
    std::vector<unsigned char> d;
    uint32_t i = 0;
    while (DgramBioPop(wbio_, d)) out.Set(i++, ToBuffer(env, d.data(), d.size()));
  } else {
    size_t pending = BIO_ctrl_pending(wbio_);
    if (pending > 0) {
      auto buf = Napi::Buffer<unsigned char>::New(env, pending);
      int n = BIO_read(wbio_, buf.Data(), static_cast<int>(pending));
      if (n > 0) out.Set(0u, n == static_cast<int>(pending) ? buf : ToBuffer(env, buf.Data(), static_cast<size_t>(n)));
    }
  }
  return out;
}

Napi::Value Engine::Timeout(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (ssl_ == nullptr || !dtls_) return Napi::Number::New(env, -1);
  struct timeval tv {};
  if (DTLSv1_get_timeout(ssl_, &tv) != 1) return Napi::Number::New(env, -1);
  double ms = static_cast<double>(tv.tv_sec) * 1000.0 + static_cast<double>(tv.tv_usec) / 1000.0;
  return Napi::Number::New(env, ms < 0 ? 0 : ms);
}

Napi::Value Engine::HandleTimeout(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ErrorQueueGuard guard;
  RequireOpen(env, "handleTimeout");
  if (!dtls_) return Napi::Number::New(env, 0);
  int r = DTLSv1_handle_timeout(ssl_);
  if (r < 0) Fail(env, "retransmission");
  return Napi::Number::New(env, r);
}

Napi::Value Engine::Shutdown(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ErrorQueueGuard guard;
  if (ssl_ == nullptr) return env.Undefined();
  if (state_ == EngineState::kEstablished || state_ == EngineState::kPeerClosed) {
    SSL_shutdown(ssl_);
    if (state_ == EngineState::kEstablished) state_ = EngineState::kShutdownSent;
  }
  return env.Undefined();
}

Napi::Value Engine::Info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (ssl_ == nullptr) ThrowError(env, "ERR_JSEC_CLOSED", "The engine is closed (info)");
  Napi::Object o = Napi::Object::New(env);
  o.Set("state", StateName(state_));
  o.Set("version", SSL_get_version(ssl_));
  const SSL_CIPHER* c = SSL_get_current_cipher(ssl_);
  if (c != nullptr) {
    o.Set("cipher", SSL_CIPHER_get_name(c));
    o.Set("standardName", SSL_CIPHER_standard_name(c));
    o.Set("cipherBits", Napi::Number::New(env, SSL_CIPHER_get_bits(c, nullptr)));
  }
  const unsigned char* alpn = nullptr;
  unsigned int alpnLen = 0;
  SSL_get0_alpn_selected(ssl_, &alpn, &alpnLen);
  if (alpnLen > 0) o.Set("alpnProtocol", std::string(reinterpret_cast<const char*>(alpn), alpnLen));
  o.Set("resumed", Napi::Boolean::New(env, SSL_session_reused(ssl_) == 1));
  long vr = SSL_get_verify_result(ssl_);
  o.Set("verifyCode", Napi::Number::New(env, static_cast<double>(vr)));
  if (vr != X509_V_OK) o.Set("verifyError", X509_verify_cert_error_string(vr));
  X509Ptr peer(SSL_get1_peer_certificate(ssl_));
  o.Set("hasPeerCertificate", Napi::Boolean::New(env, peer != nullptr));
  const char* sni = SSL_get_servername(ssl_, TLSEXT_NAMETYPE_host_name);
  if (sni != nullptr) o.Set("servername", sni);
  const char* pskId = SSL_get_psk_identity(ssl_);
  if (pskId != nullptr) o.Set("pskIdentity", pskId);
  if (GetSrtp() != nullptr) {
    SRTP_PROTECTION_PROFILE* p = GetSrtp()(ssl_);
    if (p != nullptr && p->name != nullptr) o.Set("srtpProfile", p->name);
  }
  if (dtls_) {
    o.Set("mtu", Napi::Number::New(env, static_cast<double>(mtu_)));
    o.Set("maxMessageSize", Napi::Number::New(env, static_cast<double>(DTLS_get_data_mtu(ssl_))));
  }
  return o;
}

Napi::Value Engine::PeerCertificates(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Array out = Napi::Array::New(env);
  if (ssl_ == nullptr) return out;
  uint32_t i = 0;
  auto push = [&](X509* x) {
    int len = i2d_X509(x, nullptr);
    if (len <= 0) return;
    auto buf = Napi::Buffer<unsigned char>::New(env, static_cast<size_t>(len));
    unsigned char* p = buf.Data();
    i2d_X509(x, &p);
    out.Set(i++, buf);
  };
  X509Ptr leaf(SSL_get1_peer_certificate(ssl_));
  if (!leaf) return out;
  push(leaf.get());
  STACK_OF(X509)* chain = SSL_get_peer_cert_chain(ssl_);
  for (int k = 0; chain != nullptr && k < sk_X509_num(chain); k++) {
    X509* x = sk_X509_value(chain, k);
    if (X509_cmp(x, leaf.get()) == 0) continue;
    push(x);
  }
  return out;
}

Napi::Value Engine::Session(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ErrorQueueGuard guard;
  if (ssl_ == nullptr) return env.Null();
  SslSessionPtr sess(SSL_get1_session(ssl_));
  if (!sess || SSL_SESSION_is_resumable(sess.get()) != 1) return env.Null();
  int len = i2d_SSL_SESSION(sess.get(), nullptr);
  if (len <= 0) return env.Null();
  auto buf = Napi::Buffer<unsigned char>::New(env, static_cast<size_t>(len));
  unsigned char* p = buf.Data();
  i2d_SSL_SESSION(sess.get(), &p);
  return buf;
}

Napi::Value Engine::ExportKeyingMaterial(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ErrorQueueGuard guard;
  RequireOpen(env, "exportKeyingMaterial");
  size_t len = static_cast<size_t>(info[0].As<Napi::Number>().Int64Value());
  std::string label = info[1].As<Napi::String>().Utf8Value();
  bool useContext = info[2].IsBuffer();
  Bytes context = useContext ? ToBytes(info[2]) : Bytes();
  auto out = Napi::Buffer<unsigned char>::New(env, len);
  if (SSL_export_keying_material(ssl_, out.Data(), len, label.c_str(), label.size(), context.data(), context.size(),
                                 useContext ? 1 : 0) != 1) {
    ThrowOpenSSL(env, "SSL_export_keying_material failed", "ERR_JSEC_INVALID_STATE");
  }
  return out;
}

Napi::Value Engine::KeyUpdate(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ErrorQueueGuard guard;
  RequireOpen(env, "keyUpdate");
  bool request = info[0].ToBoolean().Value();
  if (state_ != EngineState::kEstablished || SSL_version(ssl_) != TLS1_3_VERSION) {
    Napi::Error err = MakeError(env, "ERR_JSEC_INVALID_STATE", "KeyUpdate needs an established TLS 1.3 connection");
    err.Set("state", StateName(state_));
    err.Set("operation", "keyUpdate");
    throw err;
  }
  if (SSL_key_update(ssl_, request ? SSL_KEY_UPDATE_REQUESTED : SSL_KEY_UPDATE_NOT_REQUESTED) != 1) Fail(env, "keyUpdate");
  // The KeyUpdate message goes out with the next handshake step.
  int r = SSL_do_handshake(ssl_);
  if (r != 1) {
    int e = SSL_get_error(ssl_, r);
    if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) Fail(env, "keyUpdate");
  }
  return env.Undefined();
}

Napi::Value Engine::MaxMessageSize(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (ssl_ == nullptr || !dtls_) return Napi::Number::New(env, 16384);
  return Napi::Number::New(env, static_cast<double>(DTLS_get_data_mtu(ssl_)));
}

Napi::Value Engine::Close(const Napi::CallbackInfo& info) {
  Release();
  return info.Env().Undefined();
}

// ===========================================================================
// registration
// ===========================================================================

namespace {

Napi::Value ActiveHandles(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  LiveRegistry* r = LiveRegistry::For(env);
  Napi::Object o = Napi::Object::New(env);
  o.Set("contexts", Napi::Number::New(env, static_cast<double>(r->Count(LiveKind::kContext))));
  o.Set("engines", Napi::Number::New(env, static_cast<double>(r->Count(LiveKind::kEngine))));
  o.Set("memoryBios", Napi::Number::New(env, static_cast<double>(r->Count(LiveKind::kMemoryBio))));
  o.Set("ssl", Napi::Number::New(env, static_cast<double>(Counts().ssl.load())));
  o.Set("sslCtx", Napi::Number::New(env, static_cast<double>(Counts().sslCtx.load())));
  o.Set("datagramBios", Napi::Number::New(env, static_cast<double>(Counts().dgramBio.load())));
  return o;
}

Napi::Value HasSrtp(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), SetSrtp() != nullptr && GetSrtp() != nullptr);
}

void Init(Napi::Env env, Napi::Object exports) {
  InstallCountingHooks();
  CtxDataIndex();
  // The class constructors are kept alive by the exports object itself.
  exports.Set("EngineContext", Context::Define(env));
  exports.Set("Engine", Engine::Define(env));
  exports.Set("engineActiveHandles", Napi::Function::New(env, ActiveHandles, "engineActiveHandles"));
  exports.Set("engineHasSrtp", Napi::Function::New(env, HasSrtp, "engineHasSrtp"));
}

}  // namespace

JSEC_REGISTER(engine, Init);

}  // namespace jsec
