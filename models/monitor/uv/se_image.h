/* Secure Execution images, headers and attestation requests, as s390-tools
 * builds them (rust/pvimg: genprotimg's successor; rust/pv/src/uvattest):
 *
 * - the SE header (pvimg se_hdr/hdr_v1.rs SeHdrDataV1, big-endian): magic
 *   "IBMSecEx", version 0x100, its size, the GCM IV, the key slots, the
 *   number of encrypted pages (NEP), the plaintext control flags (PCF), the
 *   customer's public key, the digests of the pages (PLD), their addresses
 *   (ALD) and tweaks (TLD); then, encrypted with AES-256-GCM under the image
 *   protection key (the plaintext part its AAD), the customer communication
 *   key, the components' AES-XTS key, the PSW and the secret control flags;
 *   then the GCM tag. Each key slot wraps the protection key for one host.
 * - components (secured_comp.rs): each page AES-256-XTS encrypted with the
 *   tweak prefix || page offset; PLD = SHA-512 over the encrypted pages in
 *   order, ALD over their addresses (BE64), TLD over their tweaks.
 * - the image file ccsim writes in genprotimg's role: a small container
 *   (docs/scenarios.md, "SE images") holding the header and the encrypted
 *   components with their guest addresses and tweak prefixes, as QEMU's IPL
 *   parameter block hands them to KVM (hw/s390x/ipl.c s390_ipl_pv_unpack).
 * - the attestation request control block (ARCB v1, kvm-unit-tests
 *   s390x/pv-attest.c struct uv_arcb_v1): a measurement key (and nonce)
 *   sealed for host keys the same way. */
#ifndef CCSIM_MODELS_MONITOR_UV_SE_IMAGE_H
#define CCSIM_MODELS_MONITOR_UV_SE_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "models/monitor/uv/se_crypto.h"

#define SE_HDR_MAGIC "IBMSecEx"
#define SE_HDR_VERSION 0x100u
#define SE_HDR_PLAIN 0x1a0u   /* bytes before the key slots */
#define SE_HDR_SEA 128u       /* encrypted: CCK 32, XTS key 64, PSW 16, SCF 8, NOI 4, reserved 4 */
#define SE_HDR_MAX 8192u      /* two pages (hdr_v1.rs SeHdrDataV1::MAX_SIZE) */
#define SE_HDR_NKS_MAX 15u    /* key slots ccsim writes and reads */
/* header offsets */
#define SEH_SEHS 0x0c
#define SEH_IV 0x10
#define SEH_NKS 0x20
#define SEH_SEA 0x28
#define SEH_NEP 0x30
#define SEH_PCF 0x38
#define SEH_CUST 0x40
#define SEH_PLD 0xe0
#define SEH_ALD 0x120
#define SEH_TLD 0x160
/* plaintext control flags, MSB0 bit numbers (pvimg se_hdr/flags.rs PcfV1) */
#define SE_PCF_ALLOW_DUMPING (1ull << (63 - 34))
#define SE_PCF_NO_COMP_ENCRYPTION (1ull << (63 - 35))
/* component kinds: tweak prefixes (pvimg se_img_comps.rs ComponentKind) */
enum se_comp_kind { SE_COMP_KERNEL = 40, SE_COMP_RAMDISK = 50, SE_COMP_CMDLINE = 60 };
#define SE_PSW_MASK_64 0x0000000180000000ull /* EA + BA: 64-bit addressing (POP 4-6) */

/* A header as read: its plaintext fields, and once opened with a host key
 * its confidential ones. */
struct se_hdr {
	uint32_t version, sehs;
	uint8_t iv[SE_GCM_IV];
	uint64_t nks, sea, nep, pcf;
	uint8_t cust[SE_COORD_LEN];
	uint8_t pld[SE_SHA512_LEN], ald[SE_SHA512_LEN], tld[SE_SHA512_LEN];
	uint8_t tag[SE_GCM_TAG];
	/* opened */
	uint8_t cck[32], xts[SE_XTS_KEY];
	uint64_t psw_mask, psw_addr, scf;
	uint8_t phkh[SE_PHKH_LEN]; /* the host key whose slot opened it */
};

enum se_open_err {
	SE_OPEN_OK = 0,
	SE_OPEN_MALFORMED,  /* magic, version, sizes */
	SE_OPEN_NO_KEY,     /* no slot for any of the host's keys */
	SE_OPEN_BAD_TAG,    /* a slot names the key but it or the header fails its tag */
};
/* A header's plaintext fields (what anyone holding the image reads: the
 * digests, the tag): 0, or -1 if it is not a well-formed header. */
int se_hdr_peek(const uint8_t *buf, size_t len, struct se_hdr *h);
/* Read and open a header with the host's keys (index order). */
enum se_open_err se_hdr_open(const uint8_t *buf, size_t len, const struct se_key *keys,
			     size_t nkeys, struct se_hdr *h);

/* One component to build an image from. */
struct se_comp_in {
	const uint8_t *data;
	size_t len;
	uint64_t addr;     /* guest absolute address, 4 KiB aligned, ascending */
	uint16_t kind;     /* enum se_comp_kind */
};
struct se_image_opts {
	uint64_t seed;      /* every key and IV of the image comes from it */
	uint64_t pcf;
	uint64_t psw_addr;  /* entry (default: the first component's address) */
};

/* The image container. */
#define SE_IMG_MAGIC "ccsimSE1"
#define SE_IMG_COMP_MAX 8u
#define SE_IMG_FIXED 0x20u    /* magic, version, ncomp, header offset and length */
#define SE_IMG_ENTRY 0x20u    /* per component: addr, size, tweak prefix, offset */
struct se_image_view {
	const uint8_t *hdr;
	size_t hdr_len;
	size_t ncomp;
	struct {
		uint64_t addr, size, tweak; /* tweak: the prefix, KVM's tweak[0] */
		const uint8_t *data;        /* size bytes, encrypted */
	} comp[SE_IMG_COMP_MAX];
};

/* Build an image for the host keys given (hosts: nhosts coordinates).
 * *out g_malloc'd. 0, or -1 with why in err. */
int se_image_build(const struct se_comp_in *comps, size_t ncomp, const uint8_t *hosts,
		   size_t nhosts, const struct se_image_opts *o, uint8_t **out, size_t *outlen,
		   char *err, size_t errlen);
/* Read an image: 0, or -1 with "byte N: what" in err. */
int se_image_parse(const uint8_t *buf, size_t len, struct se_image_view *v, char *err,
		   size_t errlen);
/* The customer communication key of an image built with these options and
 * components (what its owner keeps, to read a dump). */
void se_image_cck(const struct se_comp_in *comps, size_t ncomp, const struct se_image_opts *o,
		  uint8_t cck[32]);

/* --- attestation requests (ARCB v1) --- */
#define SE_ARCB_VERSION 0x100u
#define SE_ARCB_PLAIN 0xe0u        /* bytes before the key slots */
#define SE_ARCB_MEAS_HMAC_SHA512 1u
#define SE_ARCB_MKEY 64u
#define SE_ARCB_NONCE 16u
/* plaintext attestation flags, MSB0 (rust/pv uvattest/arcb.rs AttestationFlags) */
#define SE_PAF_NONCE (1ull << (63 - 1))
#define SE_PAF_IMAGE_PHKH (1ull << (63 - 2))
#define SE_PAF_ATTEST_PHKH (1ull << (63 - 3))
#define SE_PAF_SUPPORTED (SE_PAF_NONCE | SE_PAF_IMAGE_PHKH | SE_PAF_ATTEST_PHKH)
/* ARCB offsets */
#define ARCB_REQ_VER 0x08
#define ARCB_REQ_LEN 0x0c
#define ARCB_IV 0x10
#define ARCB_NKS 0x27
#define ARCB_SEA 0x2c
#define ARCB_PAF 0x30
#define ARCB_MAI 0x38
#define ARCB_CPK 0x40

/* An ARCB for the host keys given, sealing meas_key (64 bytes) and, if
 * nonce is not NULL, a 16-byte nonce. *out g_malloc'd. 0 or -1. */
int se_arcb_build(const uint8_t *hosts, size_t nhosts, const uint8_t mkey[SE_ARCB_MKEY],
		  const uint8_t *nonce, uint64_t paf, uint64_t seed, uint8_t **out, size_t *outlen);

/* Why an ARCB is refused (in the order the UV checks, kvm-unit-tests
 * s390x/pv-attest.c test_attest_v1). */
enum se_arcb_err {
	SE_ARCB_OK = 0,
	SE_ARCB_VERSION_BAD,   /* req_ver is not 0x100 */
	SE_ARCB_LEN_BAD,       /* req_len does not fit the key slots and encrypted part */
	SE_ARCB_NKS_BAD,       /* no key slot */
	SE_ARCB_SEA_BAD,       /* encrypted part neither 64 nor 80 bytes, or a nonce without the flag */
	SE_ARCB_PAF_BAD,       /* a flag the UV does not support */
	SE_ARCB_MAI_BAD,       /* a measurement algorithm other than HMAC-SHA512 */
	SE_ARCB_UNSEAL,        /* no slot opens, or the tag fails */
};
/* Open an ARCB with the host's keys: the measurement key, the nonce (if
 * its flag is set: *has_nonce), the flags and the host key hash used. */
enum se_arcb_err se_arcb_open(const uint8_t *buf, size_t len, const struct se_key *keys,
			      size_t nkeys, uint8_t mkey[SE_ARCB_MKEY], uint8_t nonce[SE_ARCB_NONCE],
			      int *has_nonce, uint64_t *paf, uint8_t phkh[SE_PHKH_LEN]);

/* The attestation measurement (rust/pv uvattest/attest.rs): HMAC-SHA512
 * keyed by the measurement key over PLD || ALD || TLD || header tag || CUID
 * || BE16(user length) || 00 00 || BE32(additional length) || user data ||
 * nonce || additional data. */
void se_measurement(const uint8_t mkey[SE_ARCB_MKEY], const struct se_hdr *h,
		    const uint8_t cuid[16], const uint8_t *user, size_t ulen, const uint8_t *nonce,
		    const uint8_t *add, size_t alen, uint8_t out[SE_SHA512_LEN]);

#endif
