/* x86-64 4-level paging entries (Intel SDM vol. 3A 4.5, Tables 4-15..4-20;
 * AMD APM vol. 2 5.3-5.4), which AMD nested tables reuse (APM 15.25), and
 * Intel EPT entries (SDM vol. 3C 29.3.2, Tables 29-1..29-6); see pt.h. */
#include "models/mmu/pt.h"

#include <errno.h>

#define X86_P (1ull << 0)
#define X86_RW (1ull << 1)
#define X86_US (1ull << 2)
#define X86_PS (1ull << 7) /* PDPTE / PDE: maps a 1 GB / 2 MB page */
#define X86_XD (1ull << 63)

#define EPT_R (1ull << 0)
#define EPT_W (1ull << 1)
#define EPT_X (1ull << 2)
#define EPT_LARGE (1ull << 7)
#define EPT_MT_WB (6ull << 3)

static uint64_t cbit_mask(const struct pt_stage *st)
{
	return st->cbit ? 1ull << st->cbit : 0;
}

/* Address bits of an entry: [pa_bits-1:12] (SDM 4.5: M = MAXPHYADDR). */
static uint64_t addr_mask(const struct pt_stage *st, unsigned level, bool leaf)
{
	unsigned lo = leaf ? pt_level_shift(level) : 12;
	return pt_bits(st->pa_bits - 1u, lo) & ~cbit_mask(st);
}

/* SDM 4.5 Tables 4-15..4-20 / APM 5.4: bits [51:MAXPHYADDR] are reserved in
 * every entry. With SME/SEV the C-bit sits among them and is not reserved
 * (APM 7.10 / 15.34: the bits above the reduced MAXPHYADDR stay reserved). */
static uint64_t high_rsvd(const struct pt_stage *st)
{
	return pt_bits(51, st->pa_bits) & ~cbit_mask(st);
}

static struct pt_desc x86_decode(const struct pt_stage *st, unsigned level, uint64_t e)
{
	struct pt_desc d = { .kind = PT_DESC_INVALID, .perms = PT_PERM_ALL, .af = true };
	if (!(e & X86_P)) /* SDM 4.7: P = 0 at any level is a not-present #PF */
		return d;
	bool leaf = level == 3 || (level > 0 && (e & X86_PS));
	d.kind = leaf ? PT_DESC_LEAF : PT_DESC_TABLE;
	uint64_t rsvd = high_rsvd(st);
	if (level == 0)
		rsvd |= X86_PS; /* Table 4-15: PML4E bit 7 is reserved */
	else if (leaf && level < 3)
		rsvd |= pt_bits(pt_level_shift(level) - 1, 13); /* 1 GB / 2 MB: [29|20:13]; 12 is PAT */
	if (!st->nxe)
		rsvd |= X86_XD; /* SDM 4.5: XD is reserved unless IA32_EFER.NXE = 1 */
	if (e & rsvd)
		d.fault = PT_FAULT_RSVD;
	d.addr = e & addr_mask(st, level, leaf);
	/* SDM 4.6.1: access rights combine over every level of the walk. */
	if (!(e & X86_US))
		d.perms &= (uint8_t)~(PT_PERM_UR | PT_PERM_UW | PT_PERM_UX);
	if (!(e & X86_RW))
		d.perms &= (uint8_t)~(PT_PERM_UW | (st->wp ? PT_PERM_SW : 0));
	if (st->nxe && (e & X86_XD))
		d.perms &= (uint8_t)~(PT_PERM_UX | PT_PERM_SX);
	if (leaf && st->cbit && (e & cbit_mask(st)))
		d.attrs |= PT_ATTR_CBIT; /* APM 15.34.6: the C-bit marks the page private */
	return d;
}

static int x86_encode_table(const struct pt_stage *st, unsigned level, uint64_t table,
			    unsigned flags, uint64_t *e)
{
	(void)level;
	if (table & ~addr_mask(st, 3, false))
		return -EINVAL;
	/* Tables grant everything; the leaf decides. */
	*e = table | X86_P | X86_RW | X86_US;
	if ((flags & PT_MAP_CBIT) && st->cbit)
		*e |= cbit_mask(st);
	return 0;
}

static int x86_encode_leaf(const struct pt_stage *st, unsigned level, uint64_t pa, unsigned prot,
			   unsigned flags, uint64_t *e)
{
	if (!(prot & PT_PROT_R) || (!(prot & PT_PROT_X) && !st->nxe))
		return -EINVAL;
	if (pa & ~addr_mask(st, level, true))
		return -EINVAL;
	*e = pa | X86_P;
	if (level < 3)
		*e |= X86_PS;
	if (prot & PT_PROT_W)
		*e |= X86_RW;
	if (prot & PT_PROT_USER)
		*e |= X86_US;
	if (!(prot & PT_PROT_X))
		*e |= X86_XD;
	if (flags & PT_MAP_CBIT) {
		if (!st->cbit)
			return -EINVAL;
		*e |= cbit_mask(st);
	}
	if (flags & PT_MAP_RSVD) {
		if (!(high_rsvd(st) & (1ull << 51)))
			return -EINVAL;
		*e |= 1ull << 51;
	}
	return 0;
}

const struct pt_format_ops pt_x86_ops = {
	.name = "x86", .decode = x86_decode,
	.encode_table = x86_encode_table, .encode_leaf = x86_encode_leaf,
};

static struct pt_desc ept_decode(const struct pt_stage *st, unsigned level, uint64_t e)
{
	struct pt_desc d = { .kind = PT_DESC_INVALID, .perms = PT_PERM_ALL, .af = true };
	if (!(e & (EPT_R | EPT_W | EPT_X))) /* SDM 29.3.2: not present if bits 2:0 are 0 */
		return d;
	bool leaf = level == 3 || (level > 0 && (e & EPT_LARGE));
	d.kind = leaf ? PT_DESC_LEAF : PT_DESC_TABLE;
	/* SDM 29.3.3.1 EPT misconfigurations: write without read, and reserved
	 * bits: [51:MAXPHYADDR]; PML4E [7:3]; non-leaf PDPTE / PDE [6:3]; 1 GB
	 * [29:12], 2 MB [20:12]. Execute-only is taken as supported
	 * (IA32_VMX_EPT_VPID_CAP bit 0); the memory type is not checked. */
	uint64_t rsvd = pt_bits(51, st->pa_bits);
	if (level == 0)
		rsvd |= pt_bits(7, 3);
	else if (!leaf)
		rsvd |= pt_bits(6, 3);
	else if (level < 3)
		rsvd |= pt_bits(pt_level_shift(level) - 1, 12);
	if ((e & (EPT_R | EPT_W)) == EPT_W || (e & rsvd))
		d.fault = PT_FAULT_RSVD;
	d.addr = e & pt_bits(st->pa_bits - 1u, leaf ? pt_level_shift(level) : 12);
	/* SDM 29.3.3.2: an access needs the right in every entry of the walk;
	 * without mode-based execute control bit 2 governs both privileges. */
	if (!(e & EPT_R))
		d.perms &= (uint8_t)~(PT_PERM_UR | PT_PERM_SR);
	if (!(e & EPT_W))
		d.perms &= (uint8_t)~(PT_PERM_UW | PT_PERM_SW);
	if (!(e & EPT_X))
		d.perms &= (uint8_t)~(PT_PERM_UX | PT_PERM_SX);
	return d;
}

static int ept_encode_table(const struct pt_stage *st, unsigned level, uint64_t table,
			    unsigned flags, uint64_t *e)
{
	(void)level;
	(void)flags;
	if (table & ~pt_bits(st->pa_bits - 1u, 12))
		return -EINVAL;
	*e = table | EPT_R | EPT_W | EPT_X;
	return 0;
}

static int ept_encode_leaf(const struct pt_stage *st, unsigned level, uint64_t pa, unsigned prot,
			   unsigned flags, uint64_t *e)
{
	unsigned rwx = prot & (PT_PROT_R | PT_PROT_W | PT_PROT_X);
	/* Nothing (not present) or write without read (misconfigured). */
	if (!rwx || (rwx & (PT_PROT_R | PT_PROT_W)) == PT_PROT_W || (flags & ~PT_MAP_RSVD))
		return -EINVAL;
	if (pa & ~pt_bits(st->pa_bits - 1u, pt_level_shift(level)))
		return -EINVAL;
	*e = pa | EPT_MT_WB | (level < 3 ? EPT_LARGE : 0);
	if (prot & PT_PROT_R)
		*e |= EPT_R;
	if (prot & PT_PROT_W)
		*e |= EPT_W;
	if (prot & PT_PROT_X)
		*e |= EPT_X;
	if (flags & PT_MAP_RSVD) /* bit 51: reserved below MAXPHYADDR 52 (SDM 29.3.3.1) */
		*e |= 1ull << 51;
	return 0;
}

const struct pt_format_ops pt_ept_ops = {
	.name = "ept", .decode = ept_decode,
	.encode_table = ept_encode_table, .encode_leaf = ept_encode_leaf,
};
