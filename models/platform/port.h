/* The interface between a vCPU (or any bus master) and the machine: memory
 * accesses and monitor calls, through an ops table so a CPU model never
 * reaches into the platform's internals. */
#ifndef CCSIM_PLATFORM_PORT_H
#define CCSIM_PLATFORM_PORT_H

#include <stdbool.h>
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
};

#define SMC_REGS 8

struct bus_port_ops {
	/* 0 done, 1 faulted (*fault filled, no data moved past the fault),
	 * negative errno for a malformed request. Adds latency to *cycles. */
	int (*access)(void *ctx, const struct mem_access *a, void *buf, struct cc_fault *fault,
		      uint64_t *cycles);
	/* Secure monitor call from `world`/`el`: regs in, regs out. */
	void (*smc)(void *ctx, enum cc_world world, uint8_t el, uint64_t regs[SMC_REGS],
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

static inline void bus_smc(const struct bus_port *p, enum cc_world w, uint8_t el,
			   uint64_t regs[SMC_REGS], uint64_t *cycles)
{
	p->ops->smc(p->ctx, w, el, regs, cycles);
}

#endif
