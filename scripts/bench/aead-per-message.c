/*
 * The per-message AEAD floor for scripts/bench-crypto.mjs: what a C program
 * pays when it encrypts each message the way jsec's keyed path does, with
 * the OpenSSL that `openssl speed` runs on. One context keyed once; per
 * message: the nonce, 13 bytes of AAD, the data, final, and the tag. Prints
 * bytes per user-CPU-second.
 *
 *   cc -O2 -o aead-per-message aead-per-message.c -lcrypto
 *   ./aead-per-message <cipher> <bytes> <seconds>
 */
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

static double user_seconds(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6;
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: %s <cipher> <bytes> <seconds>\n", argv[0]);
    return 2;
  }
  EVP_CIPHER *cipher = EVP_CIPHER_fetch(NULL, argv[1], NULL);
  int bytes = atoi(argv[2]);
  double seconds = atof(argv[3]);
  if (cipher == NULL || bytes <= 0 || seconds <= 0) return 2;
  int ccm = strstr(argv[1], "CCM") != NULL || strstr(argv[1], "ccm") != NULL;
  unsigned char key[32] = {1}, iv[12] = {2}, aad[13] = {3}, tag[16];
  unsigned char *in = calloc((size_t)bytes, 1), *out = malloc((size_t)bytes + 16);
  EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
  if (in == NULL || out == NULL || ctx == NULL || EVP_EncryptInit_ex2(ctx, cipher, key, NULL, NULL) != 1) return 1;
  long n = 0;
  int outl;
  double start = user_seconds();
  double elapsed = 0;
  while (elapsed < seconds) {
    for (int i = 0; i < 64; i++, n++) {
      if (ccm) {
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, 16, NULL);
        EVP_EncryptInit_ex2(ctx, NULL, key, iv, NULL);
        EVP_EncryptUpdate(ctx, NULL, &outl, NULL, bytes);
      } else {
        EVP_EncryptInit_ex2(ctx, NULL, NULL, iv, NULL);
      }
      EVP_EncryptUpdate(ctx, NULL, &outl, aad, sizeof(aad));
      if (EVP_EncryptUpdate(ctx, out, &outl, in, bytes) != 1 || EVP_EncryptFinal_ex(ctx, out + outl, &outl) != 1) return 1;
      OSSL_PARAM params[2] = {OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG, tag, sizeof(tag)),
                              OSSL_PARAM_construct_end()};
      if (EVP_CIPHER_CTX_get_params(ctx, params) != 1) return 1;
    }
    elapsed = user_seconds() - start;
  }
  printf("%.0f\n", (double)n * bytes / elapsed);
  EVP_CIPHER_CTX_free(ctx);
  EVP_CIPHER_free(cipher);
  free(in);
  free(out);
  return 0;
}
