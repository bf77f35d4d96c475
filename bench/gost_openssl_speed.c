/* Copied from ../shared/tools (the workplace's measuring tools), used by bench/signatures.sh.
 * In-process ГОСТ Р 34.10-2012 (256) sign/verify rate of openssl's gost engine, for comparison with
 * the project's own implementation. Usage: gost_openssl_speed KEY.pem [seconds]
 * Build: cc -O2 gost_openssl_speed.c -o gost_openssl_speed -lcrypto */
#include <openssl/engine.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }
int main(int argc, char **argv) {
  if (argc < 2) { fprintf(stderr, "usage: %s KEY.pem [seconds]\n", argv[0]); return 2; }
  double secs = argc > 2 ? atof(argv[2]) : 3;
  ENGINE_load_builtin_engines();
  ENGINE *e = ENGINE_by_id("gost");
  if (!e || !ENGINE_init(e)) { fprintf(stderr, "no gost engine\n"); return 1; }
  ENGINE_set_default(e, ENGINE_METHOD_ALL);
  FILE *f = fopen(argv[1], "r"); if (!f) { perror("key"); return 1; }
  EVP_PKEY *key = PEM_read_PrivateKey(f, NULL, NULL, NULL); fclose(f);
  if (!key) { fprintf(stderr, "cannot read key\n"); return 1; }
  const EVP_MD *md = EVP_get_digestbyname("md_gost12_256");
  if (!md) { fprintf(stderr, "no streebog\n"); return 1; }
  unsigned char msg[64] = "The quick brown fox jumps over the lazy dog, signed many times.";
  unsigned char sig[256]; size_t siglen = sizeof sig;
  long n = 0; double t0 = now();
  while (now() - t0 < secs) {
    EVP_MD_CTX *c = EVP_MD_CTX_new(); siglen = sizeof sig;
    if (EVP_DigestSignInit(c, NULL, md, e, key) != 1 || EVP_DigestSign(c, sig, &siglen, msg, sizeof msg) != 1) { fprintf(stderr, "sign failed\n"); return 1; }
    EVP_MD_CTX_free(c); n++;
  }
  double sign_rate = n / (now() - t0);
  n = 0; t0 = now();
  while (now() - t0 < secs) {
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    if (EVP_DigestVerifyInit(c, NULL, md, e, key) != 1 || EVP_DigestVerify(c, sig, siglen, msg, sizeof msg) != 1) { fprintf(stderr, "verify failed\n"); return 1; }
    EVP_MD_CTX_free(c); n++;
  }
  printf("openssl gost engine in-process: sign %.0f/s, verify %.0f/s (one core)\n", sign_rate, n / (now() - t0));
  return 0;
}
