// A memory BIO that keeps datagram boundaries, for DTLS over memory: a write
// enqueues exactly one datagram, a read returns exactly one datagram. It never
// touches a socket or a clock (OpenSSL's DTLS timer is driven through
// DTLSv1_get_timeout / DTLSv1_handle_timeout by the caller).
// OpenSSL 3.2 has BIO_s_dgram_pair(); the 3.0 headers we build against do not.
#pragma once
#include <openssl/bio.h>

#include <cstddef>
#include <vector>

namespace jsec {

// A new datagram BIO holding at most `maxDatagrams` queued datagrams (further
// writes are dropped, as a full socket buffer drops them) and reporting `mtu`
// as its fallback MTU.
BIO* NewDgramBio(size_t maxDatagrams, long mtu);

// Enqueues one datagram; false when the queue is full (the datagram is dropped).
bool DgramBioPush(BIO* bio, const unsigned char* data, size_t len);

// Dequeues one datagram; false when empty.
bool DgramBioPop(BIO* bio, std::vector<unsigned char>& out);

// Number of queued datagrams (a lent datagram included).
size_t DgramBioCount(BIO* bio);

// The hot path of an established association copies no datagram into the
// queues: an inbound datagram is lent for the duration of one native call,
// and the first outbound datagram is written straight into caller memory.

// Lends `data` as the next datagram to read when the queue is empty (returns
// false otherwise: the caller pushes a copy). The memory must stay valid until
// DgramBioReturn, which copies whatever OpenSSL did not read into the queue.
bool DgramBioLend(BIO* bio, const unsigned char* data, size_t len);
void DgramBioReturn(BIO* bio);

// Size of the datagram the next read returns (0 when none), and of the
// largest datagram read so far (a bound on the records OpenSSL still holds).
size_t DgramBioNextSize(BIO* bio);
size_t DgramBioMaxSize(BIO* bio);

// Directs the next datagram written, if the queue is empty and it fits in
// `capacity` bytes, to `target`; later ones are queued as usual.
// DgramBioTakeTarget ends that and returns the size written there (0: none).
void DgramBioSetTarget(BIO* bio, unsigned char* target, size_t capacity);
size_t DgramBioTakeTarget(BIO* bio);

}  // namespace jsec
