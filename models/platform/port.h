/* The interface between a vCPU (or any bus master) and the machine: memory
 * accesses and monitor calls, through an ops table so a CPU model never
 * reaches into the platform's internals. */
#ifndef CCSIM_PLATFORM_PORT_H
#define CCSIM_PLATFORM_PORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "models/mmu/fault.h"
#include "models/mmu/pas.h"

struct mem_access {
	uint64_t pa;
	uint32_t len;
	bool write;
	enum cc_world world;
	enum cc_pas pas;
	uint8_t el;
	uint16_t src; /* trace source of the master */
	int32_t key;  /* key slot (ASID / KeyID) the master tags this access with; -1: by PAS */
	/* Arm FEAT_MEC: the memory encryption context a Realm-PAS access carries
	 * (VMECID_P_EL2, MECID_P0_EL2, ...); with key -1 it selects the engine's
	 * key (machine_mec_slot). 0: the default MECID, the PAS's own key. */
	uint16_t mecid;
	uint8_t core; /* the physical core issuing it (whose L1D it goes through) */
	bool dma;     /* a device transaction: I/O-coherent, enters at the LLC */
	/* Who is asking, for ownership tables that check it (AMD RMP): a guest
	 * access names its ASID, the GPA it translated and whether it was
	 * private (C-bit); anything else is a host access. */
	bool guest;
	bool priv;
	uint8_t vmpl;
	uint32_t asid;
	uint64_t gpa;
	/* The platform's fill-time checks of this page (the AMD RMP) were made
	 * when the master's TLB entry was filled and granted this access: the
	 * memory path does not repeat them. */
	bool checked;
	/* A non-temporal store of a whole line: written past the caches
	 * (write-combining), their copies of the line under its key dropped. */
	bool nt;
	/* A table walker's read (page tables, and the RMP entries its checks
	 * read): it looks up the L1D but its miss takes none of the L1D's miss
	 * slots, the walkers keeping their own outstanding requests. */
	bool walk;
};

/* What a TLB entry caches of the platform's fill-time checks (struct
 * tlb_entry.acl): the accesses they granted. 0: nothing cached, the
 * memory path checks every access. */
#define BUS_ACL_CACHED 0x1u
#define BUS_ACL_READ 0x2u
#define BUS_ACL_WRITE 0x4u
static inline bool bus_acl_allows(uint32_t acl, bool write)
{
	return (acl & (write ? BUS_ACL_WRITE : BUS_ACL_READ)) != 0;
}

#define SMC_REGS 8

struct bus_port_ops {
	/* 0 done, 1 faulted (*fault filled, no data moved past the fault),
	 * negative errno for a malformed request. Adds latency to *cycles. */
	int (*access)(void *ctx, const struct mem_access *a, void *buf, struct cc_fault *fault,
		      uint64_t *cycles);
	/* Secure monitor call from `world`/`el`: regs in, regs out. */
	void (*smc)(void *ctx, enum cc_world world, uint8_t el, uint64_t regs[SMC_REGS],
		    uint64_t *cycles);
	/* The checks hardware makes when it fills a translation and caches with
	 * it (AMD RMP: APM vol. 2 15.36.10), for the page of `a` as its master
	 * (guest or host): returns the BUS_ACL_* rights to cache; if they do not
	 * grant `a` itself, *fault says why (the fault the access takes). NULL
	 * on a platform with no such checks. Adds the table reads to *cycles. */
	uint32_t (*fill_check)(void *ctx, const struct mem_access *a, struct cc_fault *fault,
			       uint64_t *cycles);
};

struct bus_port {
	const struct bus_port_ops *ops;
	void *ctx;
};

static inline int bus_access(const struct bus_port *p, const struct mem_access *a, void *buf,
			     struct cc_fault *fault, uint64_t *cycles)
{
	return p->ops->access(p->ctx, a, buf, fault, cycles);
}

static inline bool bus_has_fill_checks(const struct bus_port *p)
{
	return p->ops->fill_check != NULL;
}

static inline uint32_t bus_fill_check(const struct bus_port *p, const struct mem_access *a,
				      struct cc_fault *fault, uint64_t *cycles)
{
	return p->ops->fill_check(p->ctx, a, fault, cycles);
}

static inline void bus_smc(const struct bus_port *p, enum cc_world w, uint8_t el,
			   uint64_t regs[SMC_REGS], uint64_t *cycles)
{
	p->ops->smc(p->ctx, w, el, regs, cycles);
}

#endif
