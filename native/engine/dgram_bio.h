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

// Number of queued datagrams.
size_t DgramBioCount(BIO* bio);

}  // namespace jsec
