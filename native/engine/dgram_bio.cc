#include "engine/dgram_bio.h"

#include <cstring>
#include <deque>
#include <mutex>

#include "engine/live.h"

namespace jsec {

namespace {

struct Queue {
  std::deque<std::vector<unsigned char>> datagrams;
  size_t bytes = 0;
  size_t max = 64;
  long mtu = 1200;
  // A datagram lent by the caller (read before the queue, which is empty
  // while it is set); valid only during the native call that lent it.
  const unsigned char* lent = nullptr;
  size_t lentLen = 0;
  size_t maxRead = 0;  // the largest datagram read so far
  // Where the next written datagram goes instead of the queue.
  unsigned char* target = nullptr;
  size_t targetCap = 0;
  size_t targetLen = 0;
};

Queue* Q(BIO* b) { return static_cast<Queue*>(BIO_get_data(b)); }

int Create(BIO* b) {
  BIO_set_data(b, new Queue());
  BIO_set_init(b, 1);
  Counts().dgramBio++;
  return 1;
}

int Destroy(BIO* b) {
  if (b == nullptr) return 0;
  Queue* q = Q(b);
  if (q != nullptr) {
    delete q;
    Counts().dgramBio--;
  }
  BIO_set_data(b, nullptr);
  BIO_set_init(b, 0);
  return 1;
}

int Write(BIO* b, const char* data, int len) {
  BIO_clear_retry_flags(b);
  Queue* q = Q(b);
  if (q == nullptr || len < 0) return -1;
  if (q->target != nullptr && q->targetLen == 0 && q->datagrams.empty() && static_cast<size_t>(len) <= q->targetCap) {
    if (len > 0) std::memcpy(q->target, data, static_cast<size_t>(len));
    q->targetLen = static_cast<size_t>(len);
    q->target = nullptr;  // one datagram only: later ones keep their order in the queue
    return len;
  }
  // A full queue drops the datagram but reports success: UDP loses
  // datagrams silently and DTLS recovers by retransmission.
  if (q->datagrams.size() < q->max) {
    // A BIO method is called from OpenSSL's C frames: no exception may leave it.
    try {
      q->datagrams.emplace_back(reinterpret_cast<const unsigned char*>(data),
                                reinterpret_cast<const unsigned char*>(data) + len);
    } catch (...) {
      return -1;
    }
    q->bytes += static_cast<size_t>(len);
  }
  return len;
}

int Read(BIO* b, char* out, int size) {
  BIO_clear_retry_flags(b);
  Queue* q = Q(b);
  if (q == nullptr || out == nullptr || size < 0) return -1;
  if (q->lent != nullptr) {
    // As with recvfrom(), the part of a datagram that does not fit is lost.
    size_t n = q->lentLen < static_cast<size_t>(size) ? q->lentLen : static_cast<size_t>(size);
    if (n > 0) std::memcpy(out, q->lent, n);
    if (q->lentLen > q->maxRead) q->maxRead = q->lentLen;
    q->lent = nullptr;
    q->lentLen = 0;
    return static_cast<int>(n);
  }
  if (q->datagrams.empty()) {
    BIO_set_retry_read(b);
    return -1;
  }
  std::vector<unsigned char> d = std::move(q->datagrams.front());
  q->datagrams.pop_front();
  q->bytes -= d.size();
  if (d.size() > q->maxRead) q->maxRead = d.size();
  // As with recvfrom(), the part of a datagram that does not fit is lost.
  size_t n = d.size() < static_cast<size_t>(size) ? d.size() : static_cast<size_t>(size);
  if (n > 0) std::memcpy(out, d.data(), n);
  return static_cast<int>(n);
}

long Ctrl(BIO* b, int cmd, long num, void* ptr) {
  Queue* q = Q(b);
  if (q == nullptr) return 0;
  switch (cmd) {
    case BIO_CTRL_PENDING:
      if (q->lent != nullptr) return static_cast<long>(q->lentLen);
      return q->datagrams.empty() ? 0 : static_cast<long>(q->datagrams.front().size());
    case BIO_CTRL_WPENDING:
      return 0;
    case BIO_CTRL_FLUSH:
      return 1;
    case BIO_CTRL_RESET:
      q->datagrams.clear();
      q->bytes = 0;
      q->lent = nullptr;
      q->lentLen = 0;
      return 1;
    case BIO_CTRL_EOF:
      return 0;
    case BIO_CTRL_GET_CLOSE:
      return BIO_get_shutdown(b);
    case BIO_CTRL_SET_CLOSE:
      BIO_set_shutdown(b, static_cast<int>(num));
      return 1;
    case BIO_CTRL_DGRAM_QUERY_MTU:
    case BIO_CTRL_DGRAM_GET_FALLBACK_MTU:
      return q->mtu;
    case BIO_CTRL_DGRAM_SET_MTU:
      q->mtu = num;
      return num;
    case BIO_CTRL_DGRAM_GET_MTU_OVERHEAD:
      // The configured MTU is the UDP payload size: no further overhead.
      return 0;
    case BIO_CTRL_DGRAM_MTU_EXCEEDED:
      return 0;
    case BIO_CTRL_DGRAM_SET_NEXT_TIMEOUT:
      // Timers belong to the caller; nothing to arm here.
      return 0;
    case BIO_CTRL_DGRAM_SET_CONNECTED:
    case BIO_CTRL_DGRAM_CONNECT:
      return 1;
    case BIO_CTRL_DGRAM_GET_PEER:
    case BIO_CTRL_DGRAM_SET_PEER:
      // Addresses live in the TypeScript layer; DTLSv1_listen tolerates this.
      return 0;
    default:
      return 0;
  }
}

BIO_METHOD* Method() {
  static BIO_METHOD* method = nullptr;
  static std::once_flag once;
  std::call_once(once, [] {
    // Process lifetime: BIO_METHODs are shared by every BIO made from them.
    method = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "jsec datagram queue");
    if (method == nullptr) return;
    BIO_meth_set_write(method, Write);
    BIO_meth_set_read(method, Read);
    BIO_meth_set_ctrl(method, Ctrl);
    BIO_meth_set_create(method, Create);
    BIO_meth_set_destroy(method, Destroy);
  });
  return method;
}

}  // namespace

BIO* NewDgramBio(size_t maxDatagrams, long mtu) {
  BIO_METHOD* m = Method();
  if (m == nullptr) return nullptr;
  BIO* b = BIO_new(m);
  if (b == nullptr) return nullptr;
  Q(b)->max = maxDatagrams;
  Q(b)->mtu = mtu;
  return b;
}

bool DgramBioPush(BIO* bio, const unsigned char* data, size_t len) {
  Queue* q = Q(bio);
  if (q == nullptr || q->datagrams.size() + (q->lent != nullptr ? 1 : 0) >= q->max) return false;
  q->datagrams.emplace_back(data, data + len);
  q->bytes += len;
  return true;
}

bool DgramBioPop(BIO* bio, std::vector<unsigned char>& out) {
  Queue* q = Q(bio);
  if (q == nullptr || q->datagrams.empty()) return false;
  out = std::move(q->datagrams.front());
  q->datagrams.pop_front();
  q->bytes -= out.size();
  return true;
}

size_t DgramBioCount(BIO* bio) {
  Queue* q = Q(bio);
  return q == nullptr ? 0 : q->datagrams.size() + (q->lent != nullptr ? 1 : 0);
}

bool DgramBioLend(BIO* bio, const unsigned char* data, size_t len) {
  Queue* q = Q(bio);
  if (q == nullptr || q->lent != nullptr || !q->datagrams.empty() || q->max == 0) return false;
  q->lent = data;
  q->lentLen = len;
  return true;
}

void DgramBioReturn(BIO* bio) {
  Queue* q = Q(bio);
  if (q == nullptr || q->lent == nullptr) return;
  const unsigned char* data = q->lent;
  size_t len = q->lentLen;
  q->lent = nullptr;
  q->lentLen = 0;
  // Lending requires an empty queue and nothing else pushes meanwhile: the
  // returned datagram is first in line and fits.
  try {
    q->datagrams.emplace_front(data, data + len);
    q->bytes += len;
  } catch (...) {
    // Out of memory: the datagram is lost, as UDP may lose it.
  }
}

size_t DgramBioNextSize(BIO* bio) {
  Queue* q = Q(bio);
  if (q == nullptr) return 0;
  if (q->lent != nullptr) return q->lentLen;
  return q->datagrams.empty() ? 0 : q->datagrams.front().size();
}

size_t DgramBioMaxSize(BIO* bio) {
  Queue* q = Q(bio);
  return q == nullptr ? 0 : q->maxRead;
}

void DgramBioSetTarget(BIO* bio, unsigned char* target, size_t capacity) {
  Queue* q = Q(bio);
  if (q == nullptr) return;
  q->target = target;
  q->targetCap = capacity;
  q->targetLen = 0;
}

size_t DgramBioTakeTarget(BIO* bio) {
  Queue* q = Q(bio);
  if (q == nullptr) return 0;
  size_t n = q->targetLen;
  q->target = nullptr;
  q->targetCap = 0;
  q->targetLen = 0;
  return n;
}

}  // namespace jsec
