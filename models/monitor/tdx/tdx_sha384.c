/* SHA-384: the SHA-512 compression function with SHA-384's initial value,
 * truncated to 48 bytes (FIPS 180-4, 5.3.4 and 6.4). */
#include "models/monitor/tdx/tdx_sha384.h"

#include <string.h>

static const uint64_t K[80] = {
	0x428a2f98d728ae22ull, 0x7137449123ef65cdull, 0xb5c0fbcfec4d3b2full, 0xe9b5dba58189dbbcull,
	0x3956c25bf348b538ull, 0x59f111f1b605d019ull, 0x923f82a4af194f9bull, 0xab1c5ed5da6d8118ull,
	0xd807aa98a3030242ull, 0x12835b0145706fbeull, 0x243185be4ee4b28cull, 0x550c7dc3d5ffb4e2ull,
	0x72be5d74f27b896full, 0x80deb1fe3b1696b1ull, 0x9bdc06a725c71235ull, 0xc19bf174cf692694ull,
	0xe49b69c19ef14ad2ull, 0xefbe4786384f25e3ull, 0x0fc19dc68b8cd5b5ull, 0x240ca1cc77ac9c65ull,
	0x2de92c6f592b0275ull, 0x4a7484aa6ea6e483ull, 0x5cb0a9dcbd41fbd4ull, 0x76f988da831153b5ull,
	0x983e5152ee66dfabull, 0xa831c66d2db43210ull, 0xb00327c898fb213full, 0xbf597fc7beef0ee4ull,
	0xc6e00bf33da88fc2ull, 0xd5a79147930aa725ull, 0x06ca6351e003826full, 0x142929670a0e6e70ull,
	0x27b70a8546d22ffcull, 0x2e1b21385c26c926ull, 0x4d2c6dfc5ac42aedull, 0x53380d139d95b3dfull,
	0x650a73548baf63deull, 0x766a0abb3c77b2a8ull, 0x81c2c92e47edaee6ull, 0x92722c851482353bull,
	0xa2bfe8a14cf10364ull, 0xa81a664bbc423001ull, 0xc24b8b70d0f89791ull, 0xc76c51a30654be30ull,
	0xd192e819d6ef5218ull, 0xd69906245565a910ull, 0xf40e35855771202aull, 0x106aa07032bbd1b8ull,
	0x19a4c116b8d2d0c8ull, 0x1e376c085141ab53ull, 0x2748774cdf8eeb99ull, 0x34b0bcb5e19b48a8ull,
	0x391c0cb3c5c95a63ull, 0x4ed8aa4ae3418acbull, 0x5b9cca4f7763e373ull, 0x682e6ff3d6b2b8a3ull,
	0x748f82ee5defb2fcull, 0x78a5636f43172f60ull, 0x84c87814a1f0ab72ull, 0x8cc702081a6439ecull,
	0x90befffa23631e28ull, 0xa4506cebde82bde9ull, 0xbef9a3f7b2c67915ull, 0xc67178f2e372532bull,
	0xca273eceea26619cull, 0xd186b8c721c0c207ull, 0xeada7dd6cde0eb1eull, 0xf57d4f7fee6ed178ull,
	0x06f067aa72176fbaull, 0x0a637dc5a2c898a6ull, 0x113f9804bef90daeull, 0x1b710b35131c471bull,
	0x28db77f523047d84ull, 0x32caab7b40c72493ull, 0x3c9ebe0a15c9bebcull, 0x431d67c49c100d4cull,
	0x4cc5d4becb3e42b6ull, 0x597f299cfc657e2aull, 0x5fcb6fab3ad6faecull, 0x6c44198c4a475817ull,
};

static uint64_t ror(uint64_t x, unsigned n) { return x >> n | x << (64 - n); }

static uint64_t be64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static void compress(uint64_t h[8], const uint8_t b[TDX_SHA384_BLOCK])
{
	uint64_t w[80], s[8];
	for (int i = 0; i < 16; i++)
		w[i] = be64(b + 8 * i);
	for (int i = 16; i < 80; i++) {
		uint64_t s0 = ror(w[i - 15], 1) ^ ror(w[i - 15], 8) ^ (w[i - 15] >> 7);
		uint64_t s1 = ror(w[i - 2], 19) ^ ror(w[i - 2], 61) ^ (w[i - 2] >> 6);
		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	memcpy(s, h, sizeof(s));
	for (int i = 0; i < 80; i++) {
		uint64_t t1 = s[7] + (ror(s[4], 14) ^ ror(s[4], 18) ^ ror(s[4], 41)) +
			      ((s[4] & s[5]) ^ (~s[4] & s[6])) + K[i] + w[i];
		uint64_t t2 = (ror(s[0], 28) ^ ror(s[0], 34) ^ ror(s[0], 39)) +
			      ((s[0] & s[1]) ^ (s[0] & s[2]) ^ (s[1] & s[2]));
		memmove(s + 1, s, 7 * sizeof(s[0]));
		s[4] += t1;
		s[0] = t1 + t2;
	}
	for (int i = 0; i < 8; i++)
		h[i] += s[i];
}

void tdx_sha384_init(struct tdx_sha384 *c)
{
	static const uint64_t iv[8] = {
		0xcbbb9d5dc1059ed8ull, 0x629a292a367cd507ull, 0x9159015a3070dd17ull,
		0x152fecd8f70e5939ull, 0x67332667ffc00b31ull, 0x8eb44a8768581511ull,
		0xdb0c2e0d64f98fa7ull, 0x47b5481dbefa4fa4ull,
	};
	memcpy(c->h, iv, sizeof(iv));
	c->blocks = 0;
}

void tdx_sha384_update(struct tdx_sha384 *c, const uint8_t *blocks, size_t n)
{
	for (size_t i = 0; i < n; i++)
		compress(c->h, blocks + i * TDX_SHA384_BLOCK);
	c->blocks += n;
}

/* The tail (len < 128 bytes past whole blocks) and the padding: 0x80, zeros,
 * the message length in bits as 128-bit big-endian. */
static void finish(struct tdx_sha384 *c, const uint8_t *tail, size_t len,
		   uint8_t out[TDX_SHA384_LEN])
{
	uint8_t pad[2 * TDX_SHA384_BLOCK] = { 0 };
	if (len)
		memcpy(pad, tail, len);
	pad[len] = 0x80;
	size_t n = len + 1 + 16 <= TDX_SHA384_BLOCK ? 1 : 2;
	uint64_t bits_lo = (c->blocks * TDX_SHA384_BLOCK + len) << 3;
	uint64_t bits_hi = c->blocks >> 54; /* (blocks * 1024) >> 64 */
	uint8_t *l = pad + n * TDX_SHA384_BLOCK - 16;
	for (int i = 0; i < 8; i++) {
		l[i] = (uint8_t)(bits_hi >> (56 - 8 * i));
		l[8 + i] = (uint8_t)(bits_lo >> (56 - 8 * i));
	}
	for (size_t i = 0; i < n; i++)
		compress(c->h, pad + i * TDX_SHA384_BLOCK);
	for (int i = 0; i < TDX_SHA384_LEN; i++)
		out[i] = (uint8_t)(c->h[i / 8] >> (56 - 8 * (i % 8)));
}

void tdx_sha384_final(struct tdx_sha384 *c, uint8_t out[TDX_SHA384_LEN])
{
	finish(c, NULL, 0, out);
}

void tdx_sha384(const void *buf, size_t len, uint8_t out[TDX_SHA384_LEN])
{
	struct tdx_sha384 c;
	const uint8_t *p = buf;
	tdx_sha384_init(&c);
	tdx_sha384_update(&c, p, len / TDX_SHA384_BLOCK);
	finish(&c, p + len / TDX_SHA384_BLOCK * TDX_SHA384_BLOCK, len % TDX_SHA384_BLOCK, out);
}
