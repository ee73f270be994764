/* The SNP firmware tests' platform: one flat memory of SNP_FAKE_MEM_TOP
 * bytes holding the RMP and every page, reached through a struct whose
 * first member is that memory (uint8_t *). */
#ifndef CCSIM_MODELS_MONITOR_SNP_TESTS_SNP_FAKE_MEM_H
#define CCSIM_MODELS_MONITOR_SNP_TESTS_SNP_FAKE_MEM_H

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "models/monitor/snp/snp_fw.h"

#define SNP_FAKE_MEM_TOP 0x1000000ull /* 16MB */
#define SNP_FAKE_RMP_BASE 0xF00000ull  /* the last 1MB holds the RMP */
#define SNP_FAKE_RMP_END 0xFFFFFFull

static inline int snp_fake_read(void *ctx, uint64_t pa, void *buf, size_t len)
{
	const uint8_t *mem = *(uint8_t **)ctx;
	if (pa >= SNP_FAKE_MEM_TOP || len > SNP_FAKE_MEM_TOP - pa)
		return -EFAULT;
	memcpy(buf, mem + pa, len);
	return 0;
}

static inline int snp_fake_write(void *ctx, uint64_t pa, const void *buf, size_t len)
{
	uint8_t *mem = *(uint8_t **)ctx;
	if (pa >= SNP_FAKE_MEM_TOP || len > SNP_FAKE_MEM_TOP - pa)
		return -EFAULT;
	memcpy(mem + pa, buf, len);
	return 0;
}

/* The memory (at *mem, zeroed), its io (ctx: the struct whose first
 * member is *mem) and the default configuration with that RMP. */
static inline void snp_fake_platform(void *ctx, struct rmp_io *io, struct snp_fw_config *cfg)
{
	*(uint8_t **)ctx = calloc(1, SNP_FAKE_MEM_TOP);
	*io = (struct rmp_io){ snp_fake_read, snp_fake_write, ctx };
	snp_fw_config_default(cfg);
	cfg->rmp = (struct rmp_config){ .base = SNP_FAKE_RMP_BASE, .end = SNP_FAKE_RMP_END,
					.mem_top = SNP_FAKE_MEM_TOP };
}

#endif
