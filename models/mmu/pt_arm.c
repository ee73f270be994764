/* VMSAv8-64 descriptors, 4 KB granule, 48-bit OA (Arm ARM DDI 0487 D8:
 * descriptor formats; stage 1 and stage 2 access permissions), with the
 * FEAT_RME stage 2 NS bit of a realm's RTT (TF-RMM s2tt: NS = bit 55); see
 * pt.h. Hardware AF / dirty management and FEAT_XNX are not modelled. */
#include "models/mmu/pt.h"

#include <errno.h>

#define ARM_VALID (1ull << 0)
#define ARM_TABLE (1ull << 1) /* levels 0-2: table (else block); level 3: page */
#define ARM_AP1 (1ull << 6)   /* stage 1 AP[1]: EL0 access; stage 2 S2AP[0]: read */
#define ARM_AP2 (1ull << 7)   /* stage 1 AP[2]: read-only; stage 2 S2AP[1]: write */
#define ARM_SH_INNER (3ull << 8)
#define ARM_AF (1ull << 10)
#define ARM_PXN (1ull << 53)
#define ARM_UXN (1ull << 54) /* stage 2: XN[1] */
#define ARM_S2_NS (1ull << 55)
#define ARM_PXNTABLE (1ull << 59)
#define ARM_UXNTABLE (1ull << 60)
#define ARM_APTABLE0 (1ull << 61) /* no EL0 access below */
#define ARM_APTABLE1 (1ull << 62) /* no write access below */
#define ARM_S2_MEMATTR_WB (0xfull << 2)

static unsigned oa_bits(const struct pt_stage *st)
{
	return st->pa_bits < 48 ? st->pa_bits : 48;
}

/* Descriptor type (D8, descriptor formats): invalid when bit 0 is 0; with the
 * 4 KB granule a block exists only at levels 1 and 2, and a level 3 entry with
 * bit 1 = 0 is reserved: both are Translation faults. Bits [51:48] are RES0
 * without FEAT_LPA2 and are ignored here, as are block RES0 bits below the
 * block size. An OA above the configured PA size is an Address size fault. */
static struct pt_desc arm_decode_common(const struct pt_stage *st, unsigned level, uint64_t e)
{
	struct pt_desc d = { .kind = PT_DESC_INVALID, .perms = PT_PERM_ALL };
	if (!(e & ARM_VALID))
		return d;
	bool table = level < 3 && (e & ARM_TABLE);
	if ((level == 0 && !table) || (level == 3 && !(e & ARM_TABLE)))
		return d;
	d.kind = table ? PT_DESC_TABLE : PT_DESC_LEAF;
	d.addr = e & pt_bits(47, table ? 12 : pt_level_shift(level));
	if (d.addr & pt_bits(47, oa_bits(st)))
		d.fault = PT_FAULT_ADDR_SIZE;
	d.af = table || (e & ARM_AF); /* AF only exists in block / page descriptors */
	return d;
}

static struct pt_desc arm_s1_decode(const struct pt_stage *st, unsigned level, uint64_t e)
{
	struct pt_desc d = arm_decode_common(st, level, e);
	if (d.kind == PT_DESC_TABLE) {
		/* Hierarchical permissions: APTable, UXNTable, PXNTable limit every
		 * lookup below this table (D8, next-level attributes). */
		if (e & ARM_APTABLE0)
			d.perms &= (uint8_t)~(PT_PERM_UR | PT_PERM_UW);
		if (e & ARM_APTABLE1)
			d.perms &= (uint8_t)~(PT_PERM_UW | PT_PERM_SW);
		if (e & ARM_UXNTABLE)
			d.perms &= (uint8_t)~PT_PERM_UX;
		if (e & ARM_PXNTABLE)
			d.perms &= (uint8_t)~PT_PERM_SX;
	} else if (d.kind == PT_DESC_LEAF) {
		/* AP[2:1]: 00 EL1 RW; 01 EL1+EL0 RW; 10 EL1 RO; 11 EL1+EL0 RO. EL0
		 * instruction fetch depends on UXN only (execute-only user pages). */
		if (!(e & ARM_AP1))
			d.perms &= (uint8_t)~(PT_PERM_UR | PT_PERM_UW);
		if (e & ARM_AP2)
			d.perms &= (uint8_t)~(PT_PERM_UW | PT_PERM_SW);
		if (e & ARM_UXN)
			d.perms &= (uint8_t)~PT_PERM_UX;
		/* PXN, and a region writable at EL0 (AP = 01) is never executable at EL1. */
		if ((e & ARM_PXN) || (e & (ARM_AP1 | ARM_AP2)) == ARM_AP1)
			d.perms &= (uint8_t)~PT_PERM_SX;
	}
	return d;
}

static struct pt_desc arm_s2_decode(const struct pt_stage *st, unsigned level, uint64_t e)
{
	struct pt_desc d = arm_decode_common(st, level, e);
	if (d.kind != PT_DESC_LEAF) /* stage 2 table descriptors carry no attributes */
		return d;
	/* S2AP[0] read, S2AP[1] write, XN[1] (bit 54) forbids execution at EL1 and
	 * EL0 alike; S2AP does not gate instruction fetch. */
	if (!(e & ARM_AP1))
		d.perms &= (uint8_t)~(PT_PERM_UR | PT_PERM_SR);
	if (!(e & ARM_AP2))
		d.perms &= (uint8_t)~(PT_PERM_UW | PT_PERM_SW);
	if (e & ARM_UXN)
		d.perms &= (uint8_t)~(PT_PERM_UX | PT_PERM_SX);
	if (st->realm && (e & ARM_S2_NS)) /* FEAT_RME: output to the NS PAS */
		d.attrs |= PT_ATTR_NS;
	return d;
}

static int arm_encode_table(const struct pt_stage *st, unsigned level, uint64_t table,
			    unsigned flags, uint64_t *e)
{
	(void)level;
	(void)flags;
	if (table & ~pt_bits(oa_bits(st) - 1u, 12))
		return -EINVAL;
	*e = table | ARM_VALID | ARM_TABLE;
	return 0;
}

static uint64_t arm_leaf_base(unsigned level, unsigned flags)
{
	uint64_t e = ARM_VALID | ARM_SH_INNER;
	if (level == 3)
		e |= ARM_TABLE; /* page descriptor */
	if (!(flags & PT_MAP_NO_AF))
		e |= ARM_AF;
	return e;
}

static int arm_s1_encode_leaf(const struct pt_stage *st, unsigned level, uint64_t pa,
			      unsigned prot, unsigned flags, uint64_t *e)
{
	if (!(prot & PT_PROT_R) || (flags & ~PT_MAP_NO_AF) || level == 0)
		return -EINVAL;
	if (pa & ~pt_bits(oa_bits(st) - 1u, pt_level_shift(level)))
		return -EINVAL;
	bool user = prot & PT_PROT_USER;
	*e = pa | arm_leaf_base(level, flags); /* AttrIndx 0 */
	if (user)
		*e |= ARM_AP1;
	if (!(prot & PT_PROT_W))
		*e |= ARM_AP2;
	/* Executable at the one privilege it is meant for, as Linux maps. */
	if (!(prot & PT_PROT_X) || !user)
		*e |= ARM_UXN;
	if (!(prot & PT_PROT_X) || user)
		*e |= ARM_PXN;
	return 0;
}

static int arm_s2_encode_leaf(const struct pt_stage *st, unsigned level, uint64_t pa,
			      unsigned prot, unsigned flags, uint64_t *e)
{
	if ((flags & ~(PT_MAP_NO_AF | PT_MAP_NS)) || level == 0)
		return -EINVAL;
	if ((flags & PT_MAP_NS) && !st->realm)
		return -EINVAL;
	if (pa & ~pt_bits(oa_bits(st) - 1u, pt_level_shift(level)))
		return -EINVAL;
	*e = pa | arm_leaf_base(level, flags) | ARM_S2_MEMATTR_WB;
	if (prot & PT_PROT_R)
		*e |= ARM_AP1;
	if (prot & PT_PROT_W)
		*e |= ARM_AP2;
	if (!(prot & PT_PROT_X))
		*e |= ARM_UXN;
	if (flags & PT_MAP_NS)
		*e |= ARM_S2_NS;
	return 0;
}

const struct pt_format_ops pt_arm_s1_ops = {
	.name = "arm_s1", .decode = arm_s1_decode,
	.encode_table = arm_encode_table, .encode_leaf = arm_s1_encode_leaf,
};

const struct pt_format_ops pt_arm_s2_ops = {
	.name = "arm_s2", .decode = arm_s2_decode,
	.encode_table = arm_encode_table, .encode_leaf = arm_s2_encode_leaf,
};
