/* The host swapping a guest's private page out and back in (hv.h:
 * hv_guest_swap_out / hv_guest_swap_in), through each architecture's way:
 *   plain, sev, sev-es : the host copies the page's cells to a swap slot
 *           and back into the same frame (on SEV the ciphertext under the
 *           guest's key, read and written with the C-bit clear: the
 *           memory controller's path without a key; the tweak is the
 *           frame's address, so the copy goes back where it was). Nothing
 *           checks what comes back (AMD, "AMD SEV-SNP: Strengthening VM
 *           Isolation with Integrity Protection and More", 2020, Table 1:
 *           replay protection only with SEV-SNP);
 *   sev-snp : the SNP firmware's page swap commands (snp_swap.h): the page
 *           made Pre-Swap (RMPUPDATE, Immutable), SNP_PAGE_SWAP_OUT into a
 *           firmware page with its entry in the guest's metadata page
 *           (SNP_PAGE_MD_INIT at the first swap), the copy and the frame
 *           reclaimed (SNP_PAGE_RECLAIM, RMPUPDATE); back in, the frame
 *           made Pre-Guest and SNP_PAGE_SWAP_IN from the slot against the
 *           slot's entry, then reclaimed (Pre-Swap -> Guest-Valid);
 *   tdx, cca : no swap at all: the step is refused (hv_swap_refusal).
 * A swapped-out page's frame stays the host's (pool kind PG_NS, ipa[] the
 * GPA | 1, which no lookup of a page matches) for the swap-in; each slot is
 * a pool page of kind PG_SWAP whose ipa[] is the GPA. The guest's touch
 * of a page swapped out is a nested page fault the host serves by
 * swapping the page's latest copy in (hv_swap_fault). */
#include "stacks/host/hv_priv.h"

#include <string.h>

#include "models/monitor/snp/snp_abi.h"

#define SWAPPED 1ull                /* ipa[] of a frame whose page is swapped out: GPA | 1 */
#define MDATA_PAGE_IPA 1ull         /* ipa[] of the guest's metadata page (PG_META) */
#define MDATA_ENTRIES (PAGE / SNP_MDATA_LEN)

static bool is_snp(const struct hv_guest *g) { return g->sev == CPU_SEV_SNP && g->m->snp; }

const char *hv_swap_refusal(const struct hv_guest *g)
{
	if (g->m->rmm)
		return "RMM 1.0 has no command to swap realm data out: the host can only destroy it "
		       "(RMI_DATA_DESTROY, then RMI_DATA_CREATE_UNKNOWN gives the realm a page of "
		       "unknown contents) (Arm DEN0137 1.0, B2.2 Realm data)";
	if (g->m->tdx_mon)
		return "the TDX module 1.5 has no paging of a TD's private memory: TDH.MEM.PAGE.REMOVE "
		       "loses the contents, TDH.MEM.PAGE.RELOCATE and DEMOTE move or split a page in "
		       "memory, and TDH.EXPORT.MEM / TDH.IMPORT.MEM export pages only for TD "
		       "migration, in a migration session to another TD (Intel TDX Module Base "
		       "Architecture 348549, TD Migration 348550)";
	return NULL;
}

/* The pool index of a page of the pool. */
static uint64_t pool_index(const struct hv_guest *g, uint64_t pa) { return (pa - g->cfg.pool) / PAGE; }

/* The frame a swapped-out page left behind, or 0. */
static uint64_t swapped_frame(const struct hv_guest *g, uint64_t page)
{
	for (uint64_t i = 0; i < g->next; i++)
		if (g->kind[i] == PG_NS && g->ipa[i] == (page | SWAPPED))
			return g->cfg.pool + i * PAGE;
	return 0;
}

/* The page's latest swap slot (the one swapped out last), or 0. */
static uint64_t latest_slot(const struct hv_guest *g, uint64_t page)
{
	for (uint64_t i = g->next; i > 0; i--)
		if (g->kind[i - 1] == PG_SWAP && g->ipa[i - 1] == page)
			return g->cfg.pool + (i - 1) * PAGE;
	return 0;
}

/* RMPUPDATE by the host (its time in *cyc): 0 or -1. */
static int rmp_set(struct hv_guest *g, uint64_t pa, bool assigned, uint32_t asid, uint64_t gpa,
		   bool immutable, uint64_t *cyc)
{
	struct rmp_io io = machine_rmp_io(g->m);
	uint64_t c0 = g->m->rmp_io_ctx.cycles;
	(void)hv_now(g, *cyc);
	struct rmp_entry e = { .assigned = assigned, .asid = asid, .gpa = gpa, .immutable = immutable };
	struct rmp_op_result r = rmp_update(&g->m->rmp, &io, pa, &e);
	*cyc += g->m->rmp_io_ctx.cycles - c0;
	machine_tlb_shootdown_page(g->m, pa, cyc);
	return r.fault.fault == RMP_OK && r.status == RMP_SUCCESS ? 0 : -1;
}

/* The firmware's time on a command the host waits for. */
static void fw_charge(struct hv_guest *g, uint64_t mark, uint64_t *cyc)
{
	*cyc += g->fw_cycles - mark;
}

static void note_snp(struct hv_result *res, enum snp_status s)
{
	hv_note(res, s == SNP_SUCCESS ? 0 : HV_SNP_STATUS | (uint64_t)s);
}

/* Copy a page between frames, 64 bytes at a time, through key slot `key`
 * (-1: the host's own). */
static void copy_cells(struct hv_guest *g, uint64_t from, uint64_t to, int32_t key, uint64_t *cyc)
{
	int32_t k0 = g->host->key;
	if (key >= 0)
		g->host->key = key;
	for (uint64_t o = 0; o < PAGE; o += 64) {
		uint8_t b[64];
		(void)hv_load(g, from + o, b, 64, cyc);
		(void)hv_store(g, to + o, b, 64, cyc);
	}
	g->host->key = k0;
}

/* The guest's metadata page, or 0. */
static uint64_t mdata_page_find(const struct hv_guest *g)
{
	for (uint64_t i = 0; i < g->next; i++)
		if (g->kind[i] == PG_META && g->ipa[i] == MDATA_PAGE_IPA)
			return g->cfg.pool + i * PAGE;
	return 0;
}

/* The guest's metadata page for SNP swap entries: made at the first swap
 * (a firmware page through RMPUPDATE, then SNP_PAGE_MD_INIT). 0 if it
 * cannot be had (the status in res). */
static uint64_t mdata_page(struct hv_guest *g, struct hv_result *res, uint64_t *cyc)
{
	uint64_t md = mdata_page_find(g);
	if (md)
		return md;
	md = hv_alloc_page(g, PG_META, MDATA_PAGE_IPA);
	if (!md || rmp_set(g, md, true, 0, 0, true, cyc))
		return 0;
	uint64_t mark = g->fw_cycles;
	enum snp_status s = hv_snp_cmd(g, SNP_CMD_PAGE_MD_INIT, g->rd, md, 0, 0);
	fw_charge(g, mark, cyc);
	note_snp(res, s);
	return s == SNP_SUCCESS ? md : 0;
}

/* The metadata entry of a slot: one of the metadata page's 64, by the
 * slot's place in the pool (64 slots in use at once at most). */
static uint64_t slot_entry(const struct hv_guest *g, uint64_t md, uint64_t slot)
{
	return md + (pool_index(g, slot) % MDATA_ENTRIES) * SNP_MDATA_LEN;
}

static int snp_swap_out(struct hv_guest *g, uint64_t page, uint64_t frame, uint64_t slot,
			struct hv_result *res, uint64_t *cyc)
{
	uint64_t md = mdata_page(g, res, cyc);
	if (!md)
		return 0;
	/* the guest's lines reach DRAM, which the firmware reads */
	(void)machine_clflush(g->m, frame, PAGE, cyc);
	if (rmp_set(g, frame, true, (uint32_t)g->asid, page, true, cyc) ||
	    rmp_set(g, slot, true, 0, 0, true, cyc)) {
		note_snp(res, SNP_INVALID_PAGE_STATE);
		return 0;
	}
	uint64_t mark = g->fw_cycles;
	uint64_t o[CCSIM_MONITOR_REGS] = { SNP_CMD_PAGE_SWAP_OUT, g->rd, frame, slot,
					   slot_entry(g, md, slot), page, SNP_SWAP_DATA, 0 };
	enum snp_status s = hv_fw_cmd(g, o, NULL, 0);
	/* the copy and the frame back to the host, whatever happened */
	enum snp_status r1 = hv_snp_cmd(g, SNP_CMD_PAGE_RECLAIM, slot, 0, 0, 0);
	enum snp_status r2 = hv_snp_cmd(g, SNP_CMD_PAGE_RECLAIM, frame, 0, 0, 0);
	fw_charge(g, mark, cyc);
	note_snp(res, s != SNP_SUCCESS ? s : r1 != SNP_SUCCESS ? r1 : r2);
	if (rmp_set(g, slot, false, 0, 0, false, cyc))
		return -1;
	if (s != SNP_SUCCESS) /* reclaimed, the page is the guest's as it was */
		return 0;
	return rmp_set(g, frame, false, 0, 0, false, cyc);
}

static enum snp_status snp_swap_in(struct hv_guest *g, uint64_t frame, uint64_t slot, uint64_t *cyc)
{
	uint64_t md = mdata_page_find(g);
	if (!md)
		return SNP_INVALID_MDATA_ENTRY;
	/* what the host wrote to the slot reaches DRAM; no stale line of the
	 * frame is left to be written over what the firmware writes */
	(void)machine_clflush(g->m, slot, PAGE, cyc);
	(void)machine_clflush(g->m, frame, PAGE, cyc);
	if (rmp_set(g, frame, true, (uint32_t)g->asid, 0, true, cyc))
		return SNP_INVALID_PAGE_STATE;
	uint64_t mark = g->fw_cycles;
	uint64_t in[CCSIM_MONITOR_REGS] = { SNP_CMD_PAGE_SWAP_IN, g->rd, slot, frame,
					    slot_entry(g, md, slot), 0, SNP_SWAP_DATA, 0 };
	enum snp_status s = hv_fw_cmd(g, in, NULL, 0);
	enum snp_status r = hv_snp_cmd(g, SNP_CMD_PAGE_RECLAIM, frame, 0, 0, 0);
	fw_charge(g, mark, cyc);
	if (s == SNP_SUCCESS)
		return r;
	/* refused: the frame is the host's again, the page still out */
	(void)rmp_set(g, frame, false, 0, 0, false, cyc);
	return s;
}

/* The frame back in the nested tables at the page's GPA. */
static int frame_map(struct hv_guest *g, uint64_t page, uint64_t frame, uint64_t *cyc)
{
	uint64_t i = pool_index(g, frame);
	g->kind[i] = PG_DATA;
	g->ipa[i] = page;
	hv_vm_setup(g);
	return hv_vm_map(g, page, frame, 0, cyc);
}

static int swap_in(struct hv_guest *g, uint64_t page, uint64_t slot, struct hv_result *res,
		   uint64_t *cyc)
{
	uint64_t frame = swapped_frame(g, page);
	if (is_snp(g)) {
		enum snp_status s = snp_swap_in(g, frame, slot, cyc);
		note_snp(res, s);
		if (s != SNP_SUCCESS)
			return 0;
	} else {
		/* the cells as they are: no key (the C-bit clear) on SEV */
		int32_t key = g->sev ? (int32_t)machine_plain_slot(g->m) : -1;
		copy_cells(g, slot, frame, key, cyc);
		if (g->sev)
			(void)machine_clflush(g->m, frame, PAGE, cyc);
		hv_note(res, 0);
	}
	res->x1 = frame;
	return frame_map(g, page, frame, cyc);
}

int hv_swap_fault(struct hv_guest *g, uint64_t page, uint64_t *cyc)
{
	uint64_t slot = latest_slot(g, page);
	if (!slot || !swapped_frame(g, page) || hv_swap_refusal(g))
		return 0;
	struct hv_result r = { 0 };
	if (swap_in(g, page, slot, &r, cyc) || r.status)
		return -1;
	return 1;
}

/* The checks both steps make: 0 go on, 1 refused (no swap on this
 * architecture: the status says so), -1 with err set. */
static int swap_check(struct hv_guest *g, uint64_t ipa, struct hv_result *res, char *err,
		      size_t errlen)
{
	memset(res, 0, sizeof(*res));
	g->t0 = sim_time(g->m->sim);
	if (g->state != HV_CREATED && g->state != HV_OFF) {
		snprintf(err, errlen, "guest %s: host.guest_create first", g->name);
		return -1;
	}
	if (ipa & (PAGE - 1) || ipa >= g->cfg.k.ram_size) {
		snprintf(err, errlen, "guest %s: gpa 0x%llx: expected a page of its RAM (page-aligned, "
			 "below 0x%llx)", g->name, (unsigned long long)ipa,
			 (unsigned long long)g->cfg.k.ram_size);
		return -1;
	}
	if (hv_swap_refusal(g)) {
		hv_note(res, HV_SWAP_STATUS | HV_SWAP_UNSUPPORTED);
		return 1;
	}
	return 0;
}

int hv_guest_swap_out(struct hv_guest *g, uint64_t ipa, uint8_t *copy, struct hv_result *res,
		      char *err, size_t errlen)
{
	if (hv_is_s390(g)) /* the host's read faults, its handler exports the page */
		return hv_s390_guest_swap_out(g, ipa, copy, res, err, errlen);
	uint64_t cyc = 0;
	int c = swap_check(g, ipa, res, err, errlen);
	if (c)
		return c < 0 ? -1 : 0;
	uint64_t frame = hv_pool_pa(g, PG_DATA, ipa);
	if (!frame) {
		snprintf(err, errlen, "guest %s: gpa 0x%llx is not a private page it has now (never "
			 "touched, shared, or swapped out)", g->name, (unsigned long long)ipa);
		return -1;
	}
	uint64_t slot = hv_alloc_page(g, PG_SWAP, ipa);
	if (!slot) {
		snprintf(err, errlen, "guest %s: its pool has no room for a swap slot", g->name);
		return -1;
	}
	int rc = 0;
	if (is_snp(g)) {
		rc = snp_swap_out(g, ipa, frame, slot, res, &cyc);
	} else {
		/* the guest's lines reach DRAM; the cells go to the slot */
		if (g->sev)
			(void)machine_clflush(g->m, frame, PAGE, &cyc);
		copy_cells(g, frame, slot, g->sev ? (int32_t)machine_plain_slot(g->m) : -1, &cyc);
		hv_note(res, 0);
	}
	if (!rc && res->status) { /* refused: no copy, the page stays in */
		g->kind[pool_index(g, slot)] = PG_FREE;
		res->cycles = cyc;
		return 0;
	}
	/* the page leaves the nested tables; its frame waits for the swap-in */
	hv_vm_setup(g);
	if (rc || hv_vm_unmap(g, ipa, &cyc)) {
		snprintf(err, errlen, "guest %s: gpa 0x%llx could not be taken out", g->name,
			 (unsigned long long)ipa);
		return -1;
	}
	g->kind[pool_index(g, frame)] = PG_NS;
	g->ipa[pool_index(g, frame)] = ipa | SWAPPED;
	if (copy)
		(void)hv_load(g, slot, copy, (uint32_t)PAGE, &cyc);
	res->x1 = slot;
	res->x2 = frame;
	res->cycles = cyc;
	return 0;
}

int hv_guest_swap_in(struct hv_guest *g, uint64_t ipa, uint64_t slot, struct hv_result *res,
		     char *err, size_t errlen)
{
	if (hv_is_s390(g)) {
		snprintf(err, errlen, "guest %s: on s390-se a page comes back when the guest touches "
			 "it (a gmap fault, then the import: UVC convert to secure storage); "
			 "host.guest_swap_in takes a scenario vm's page there", g->name);
		return -1;
	}
	uint64_t cyc = 0;
	int c = swap_check(g, ipa, res, err, errlen);
	if (c)
		return c < 0 ? -1 : 0;
	if (!swapped_frame(g, ipa)) {
		snprintf(err, errlen, "guest %s: gpa 0x%llx is not swapped out", g->name,
			 (unsigned long long)ipa);
		return -1;
	}
	if (!slot)
		slot = latest_slot(g, ipa);
	if (slot < g->cfg.pool || slot >= g->cfg.pool + g->next * PAGE || (slot & (PAGE - 1)) ||
	    g->kind[pool_index(g, slot)] != PG_SWAP || g->ipa[pool_index(g, slot)] != ipa) {
		snprintf(err, errlen, "guest %s: 0x%llx is no swap slot of gpa 0x%llx (from=: a "
			 "host.guest_swap_out's .x1)", g->name, (unsigned long long)slot,
			 (unsigned long long)ipa);
		return -1;
	}
	int rc = swap_in(g, ipa, slot, res, &cyc);
	res->cycles = cyc;
	if (rc) {
		snprintf(err, errlen, "guest %s: gpa 0x%llx could not be mapped back", g->name,
			 (unsigned long long)ipa);
		return -1;
	}
	return 0;
}
