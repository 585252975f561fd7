/* aes: AES-128/192/256 (FIPS-197) with a byte-oriented reference core,
 * a T-table core, and the ECB, CBC, CFB, OFB, CTR modes plus CMAC. */
#ifndef AES_BENCH_H
#define AES_BENCH_H
#include <stddef.h>
#include <stdint.h>

#define AES_BLOCK 16
#define AES_MAX_ROUNDS 14

typedef struct {
    int rounds;
    int key_words;
    uint32_t ek[4 * (AES_MAX_ROUNDS + 1)]; /* encryption round keys (big-endian words) */
    uint32_t dk[4 * (AES_MAX_ROUNDS + 1)]; /* equivalent-inverse-cipher round keys */
} aes_key;

/* tables.c */
extern uint8_t SBOX[256];
extern uint8_t INV_SBOX[256];
extern uint32_t TE[4][256];
extern uint32_t TD[4][256];
void aes_init_tables(void);
uint8_t gf_mul(uint8_t a, uint8_t b);

/* core.c */
int aes_set_key(aes_key *k, const uint8_t *key, int bits);
void aes_encrypt_ref(const aes_key *k, const uint8_t in[16], uint8_t out[16]);
void aes_decrypt_ref(const aes_key *k, const uint8_t in[16], uint8_t out[16]);
void aes_encrypt_fast(const aes_key *k, const uint8_t in[16], uint8_t out[16]);
void aes_decrypt_fast(const aes_key *k, const uint8_t in[16], uint8_t out[16]);

/* modes.c */
typedef void (*block_fn)(const aes_key *k, const uint8_t in[16], uint8_t out[16]);
size_t ecb_encrypt(const aes_key *k, block_fn f, const uint8_t *in, size_t n, uint8_t *out);
size_t ecb_decrypt(const aes_key *k, block_fn f, const uint8_t *in, size_t n, uint8_t *out);
size_t cbc_encrypt(const aes_key *k, block_fn f, const uint8_t iv[16], const uint8_t *in, size_t n, uint8_t *out);
size_t cbc_decrypt(const aes_key *k, block_fn f, const uint8_t iv[16], const uint8_t *in, size_t n, uint8_t *out);
void ctr_crypt(const aes_key *k, block_fn f, const uint8_t nonce[16], const uint8_t *in, size_t n, uint8_t *out);
void cfb_encrypt(const aes_key *k, block_fn f, const uint8_t iv[16], const uint8_t *in, size_t n, uint8_t *out);
void cfb_decrypt(const aes_key *k, block_fn f, const uint8_t iv[16], const uint8_t *in, size_t n, uint8_t *out);
void ofb_crypt(const aes_key *k, block_fn f, const uint8_t iv[16], const uint8_t *in, size_t n, uint8_t *out);
void cmac(const aes_key *k, block_fn f, const uint8_t *msg, size_t n, uint8_t tag[16]);
void cfb8_crypt(const aes_key *k, block_fn f, const uint8_t iv[16], const uint8_t *in, size_t n, uint8_t *out,
                int encrypting);
int xts_crypt(const aes_key *k1, const aes_key *k2, block_fn f, uint64_t unit, const uint8_t *in, size_t n,
              uint8_t *out, int encrypting);

/* aead.c */
void gcm_encrypt(const aes_key *k, int use_table, const uint8_t *iv, size_t ivlen, const uint8_t *aad,
                 size_t aadlen, const uint8_t *in, size_t n, uint8_t *out, uint8_t tag[16]);
int gcm_decrypt(const aes_key *k, int use_table, const uint8_t *iv, size_t ivlen, const uint8_t *aad,
                size_t aadlen, const uint8_t *in, size_t n, uint8_t *out, const uint8_t tag[16]);
int key_wrap(const aes_key *k, const uint8_t *in, size_t n, uint8_t *out);
int key_unwrap(const aes_key *k, const uint8_t *in, size_t n, uint8_t *out);

/* util */
void hex_to_bytes(const char *hex, uint8_t *out, size_t n);
void bytes_to_hex(const uint8_t *in, size_t n, char *out);
#endif
