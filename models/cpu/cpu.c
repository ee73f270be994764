/* vCPU model: loads, stores and SMCs through the bus port; see cpu.h. */
#include "models/cpu/cpu.h"

#include <errno.h>
#include <string.h>

static const struct sim_field cpu_fields[] = {
	SIM_FIELD(struct cpu, world),
	SIM_FIELD(struct cpu, el),
	SIM_FIELD(struct cpu, key),
	SIM_FIELD(struct cpu, core),
	SIM_FIELD(struct cpu, cycles),
	SIM_FIELD(struct cpu, stat_loads),
	SIM_FIELD(struct cpu, stat_stores),
	SIM_FIELD(struct cpu, stat_smcs),
	SIM_FIELD(struct cpu, stat_faults),
	SIM_FIELD(struct cpu, stat_load_cycles),
	SIM_FIELD(struct cpu, stat_store_cycles),
	SIM_FIELD(struct cpu, stat_smc_cycles),
};
static const struct sim_vmstate cpu_vmstate = { "cpu", 1, cpu_fields,
						 sizeof(cpu_fields) / sizeof(cpu_fields[0]) };

static void cpu_reset(struct sim_model *m)
{
	struct cpu *c = (struct cpu *)m;
	c->cycles = 0;
}

static const struct sim_model_ops cpu_ops = { .reset = cpu_reset };

void cpu_init(struct cpu *c, struct sim *s, const char *name, struct bus_port bus,
	      enum cc_world world, unsigned el)
{
	memset(c, 0, sizeof(*c));
	c->base.name = name;
	c->base.kind = "cpu";
	c->base.ops = &cpu_ops;
	c->base.vmstate = &cpu_vmstate;
	c->bus = bus;
	c->world = world;
	c->el = el;
	c->key = -1;
	sim_model_register(s, &c->base);
	c->src = sim_trace_source(s, name);
	sim_stat_register(s, name, "loads", SIM_STAT_COUNT, &c->stat_loads, "load ops");
	sim_stat_register(s, name, "stores", SIM_STAT_COUNT, &c->stat_stores, "store ops");
	sim_stat_register(s, name, "smcs", SIM_STAT_COUNT, &c->stat_smcs, "monitor calls");
	sim_stat_register(s, name, "faults", SIM_STAT_COUNT, &c->stat_faults, "ops that faulted");
	sim_stat_register(s, name, "load_cycles", SIM_STAT_CYCLES, &c->stat_load_cycles, "");
	sim_stat_register(s, name, "store_cycles", SIM_STAT_CYCLES, &c->stat_store_cycles, "");
	sim_stat_register(s, name, "smc_cycles", SIM_STAT_CYCLES, &c->stat_smc_cycles, "");
	sim_stat_register(s, name, "cycles", SIM_STAT_CYCLES, &c->cycles, "busy cycles");
}

int cpu_access_pas(struct cpu *c, enum cc_pas pas, bool write, uint64_t pa, void *buf,
		   uint32_t len, struct cc_fault *fault, uint64_t *cycles)
{
	uint64_t spent = 0;
	int rc = 0;
	uint8_t *p = buf;
	if (!cc_world_may_use_pas(c->world, pas))
		return -EPERM;
	fault->kind = FAULT_NONE;
	while (len && rc == 0) {
		uint32_t chunk = 64 - (uint32_t)(pa & 63);
		if (chunk > len)
			chunk = len;
		struct mem_access a = {
			.pa = pa, .len = chunk, .write = write, .world = c->world, .pas = pas,
			.el = (uint8_t)c->el, .src = c->src, .key = c->key,
			.core = (uint8_t)c->core,
		};
		rc = bus_access(&c->bus, &a, p, fault, &spent);
		pa += chunk;
		p += chunk;
		len -= chunk;
	}
	if (write) {
		c->stat_stores++;
		c->stat_store_cycles += spent;
	} else {
		c->stat_loads++;
		c->stat_load_cycles += spent;
	}
	if (rc == 1)
		c->stat_faults++;
	c->cycles += spent;
	*cycles = spent;
	return rc;
}

int cpu_load(struct cpu *c, uint64_t pa, void *buf, uint32_t len, struct cc_fault *fault,
	     uint64_t *cycles)
{
	return cpu_access_pas(c, cc_world_pas(c->world), false, pa, buf, len, fault, cycles);
}

int cpu_store(struct cpu *c, uint64_t pa, const void *buf, uint32_t len, struct cc_fault *fault,
	      uint64_t *cycles)
{
	/* The port does not write through buf on a store. */
	return cpu_access_pas(c, cc_world_pas(c->world), true, pa, (void *)buf, len, fault, cycles);
}

void cpu_smc(struct cpu *c, uint64_t regs[SMC_REGS], uint64_t *cycles)
{
	uint64_t spent = 0;
	bus_smc(&c->bus, c->world, (uint8_t)c->el, regs, &spent);
	c->stat_smcs++;
	c->stat_smc_cycles += spent;
	c->cycles += spent;
	*cycles = spent;
}
