/* The devices behind a guest's MMIO window (hv_dev_access): the console,
 * its reports and call results, and the virtio-style block and network
 * devices with their queue page, completion interrupt and bounce buffer;
 * see hv_priv.h. */
#include <string.h>

#include "stacks/host/hv_priv.h"

/* Read `n` bytes the guest shared from `ipa` on, page by page: the host
 * backed each page when it was first touched, so they need not be
 * contiguous. Unbacked pages read as zeros. */
static void shared_read(struct hv_guest *g, enum hv_page kind, uint64_t ipa, uint8_t *buf,
			uint64_t n, uint64_t *cyc)
{
	for (uint64_t o = 0; o < n; o += 64) {
		uint64_t pa = hv_pool_pa(g, kind, ipa + o);
		if (pa)
			(void)hv_load(g, pa, buf + o, (uint32_t)MIN(64, n - o), cyc);
	}
}

/* ---- the block and network devices (virtio style, queue depth 1) ---- */

/* Packet n a guest receives holds what "sector" HV_NET_STREAM + n would. */
#define HV_NET_STREAM (1ull << 40)

/* The byte at offset k of 512-byte sector s: what the backing store holds. */
static uint8_t blk_byte(uint64_t s, uint64_t k)
{
	uint64_t x = (s * 512 + k) * 0x9e3779b97f4a7c15ull;
	return (uint8_t)(x >> 56);
}

/* A trusted device's DMA into the guest's private page `pa` (its guest
 * address `ipa`): the transaction carries the guest's identity, as
 * TDISP-locked devices do once the guest accepted them (SEV-TIO: the
 * IOMMU tags it with the guest's ASID, so its key and the RMP's check as
 * the guest at that GPA; RME-DA: the SMMU gives it the realm PAS). It
 * enters at the LLC like any DMA. Its time is the device's, overlapped
 * with the transfer host.blk_latency_ns and blk_mbps already cover: no
 * host CPU copies, so the host's clock does not move. */
static void trusted_dma(struct hv_guest *g, uint64_t pa, uint64_t ipa, uint8_t *b, uint32_t n,
			bool write, uint64_t *cyc)
{
	bool realm = g->m->rmm != NULL;
	struct mem_access a = { .pa = pa, .len = n, .write = write,
				.world = realm ? WORLD_REALM : WORLD_NS,
				.pas = realm ? PAS_REALM : PAS_NS, .src = g->host->src,
				.key = g->sev ? (int32_t)g->asid : -1, .dma = true,
				.guest = g->sev != 0, .priv = g->sev != 0, .asid = (uint32_t)g->asid,
				.gpa = ipa };
	struct cc_fault f;
	uint64_t c = 0;
	(void)hv_now(g, *cyc);
	struct bus_port bus = machine_bus(g->m);
	(void)bus_access(&bus, &a, b, &f, &c);
}

/* Move `len` bytes between host buffer b and the guest's memory at `ipa`:
 * through the bounce buffer's host pages when it lies there, else the host
 * pages backing its RAM, which the host reaches with its own key only (a
 * confidential guest's private page then holds what it cannot read: why
 * its device data goes through the bounce buffer). */
static void blk_copy(struct hv_guest *g, uint64_t ipa, uint8_t *b, uint64_t len, bool to_guest,
		     uint64_t *cyc)
{
	/* a realm (a TD) names its shared pages by their unprotected alias
	 * (GPA.SHARED), as the host recorded them */
	uint64_t flat = ipa & ~HV_IPA_SHARED_BIT & ~HV_TD_SHARED_BITS;
	bool shared = flat >= GUEST_BOUNCE && flat < GUEST_BOUNCE + GUEST_BOUNCE_SIZE;
	if (shared && flat < GUEST_BOUNCE + GUEST_BLK_QUEUE) /* the data, not the queue page */
		g->n.bounce_bytes += len;
	enum hv_page kind = shared ? (enum hv_page)g->blk_queue_kind : PG_DATA;
	bool trusted = !shared && g->m->cfg.dev_trusted && (g->sev || g->m->rmm);
	for (uint64_t o = 0; o < len;) {
		uint64_t page = (ipa + o) & ~(PAGE - 1), in = (ipa + o) - page;
		uint64_t n = MIN(len - o, PAGE - in), pa = hv_pool_pa(g, kind, page);
		for (uint64_t k = 0; pa && k < n; k += 64) {
			uint32_t c = (uint32_t)MIN(64, n - k);
			if (trusted)
				trusted_dma(g, pa + in + k, ipa + o + k, b + o + k, c, to_guest, cyc);
			else if (to_guest)
				(void)hv_store(g, pa + in + k, b + o + k, c, cyc);
			else
				(void)hv_load(g, pa + in + k, b + o + k, c, cyc);
		}
		o += n;
	}
}

/* The guest notified: take the descriptor from the queue page and start
 * the request; it completes blk_latency_ns (+ its bytes at blk_mbps) later. */
void hv_blk_kick(struct hv_guest *g, enum hv_page queue_kind, uint64_t bounce_ipa, uint64_t *cyc)
{
	uint8_t d[24];
	if (g->blk_pending)
		return; /* queue depth 1: a second notify before the completion is ignored */
	g->blk_queue_kind = queue_kind;
	g->blk_queue = bounce_ipa + GUEST_BLK_QUEUE;
	shared_read(g, queue_kind, g->blk_queue, d, sizeof(d), cyc);
	g->blk_sector = sim_le64_load(d + GUEST_BLK_SECTOR);
	g->blk_buf = sim_le64_load(d + GUEST_BLK_BUF);
	g->blk_len = sim_le64_load(d + GUEST_BLK_LEN);
	uint64_t bytes = MIN(g->blk_len & ~(GUEST_BLK_WRITE | GUEST_BLK_NET), GUEST_BLK_MAX);
	const struct platform_config *cfg = &g->m->cfg;
	bool net = (g->blk_len & GUEST_BLK_NET) != 0;
	uint64_t lat = net ? cfg->net_latency_ns : cfg->blk_latency_ns;
	uint64_t mbps = net ? cfg->net_mbps : cfg->blk_mbps;
	uint64_t ns = lat + (mbps ? bytes * 1000 / mbps : 0);
	g->blk_done_at = hv_now(g, *cyc) + sim_ns_to_cycles(g->m->sim, ns);
	g->blk_vcpu = g->cur;
	g->blk_pending = 1;
}

/* A vCPU that halts while its request is in flight wakes at its completion. */
void hv_blk_wake(struct hv_guest *g, struct hv_vcpu *c)
{
	if (g->blk_pending && (uint64_t)(c - g->vcpu) == g->blk_vcpu && g->blk_done_at < c->wake_at)
		c->wake_at = g->blk_done_at;
}

/* Cycles until the request completes (UINT64_MAX: none in flight): a
 * running vCPU is stopped then, as the device's interrupt would. */
uint64_t hv_blk_horizon(struct hv_guest *g, uint64_t now)
{
	if (!g->blk_pending)
		return UINT64_MAX;
	return g->blk_done_at > now ? g->blk_done_at - now : 0;
}

/* Complete the request if its time has come: the data moves, the used
 * count in the queue page moves on, and the completion interrupt is
 * pending for the vCPU that asked. */
void hv_blk_poll(struct hv_guest *g, uint64_t *cyc)
{
	if (!g->blk_pending || hv_now(g, *cyc) < g->blk_done_at)
		return;
	uint64_t bytes = MIN(g->blk_len & ~(GUEST_BLK_WRITE | GUEST_BLK_NET), GUEST_BLK_MAX);
	bool write = (g->blk_len & GUEST_BLK_WRITE) != 0, net = (g->blk_len & GUEST_BLK_NET) != 0;
	uint8_t b[GUEST_BLK_MAX];
	if (write) {
		blk_copy(g, g->blk_buf, b, bytes, false, cyc);
	} else {
		/* a block's bytes by sector; a packet's by its number */
		uint64_t s = net ? HV_NET_STREAM + g->n.net_rx : g->blk_sector;
		for (uint64_t k = 0; k < bytes; k++)
			b[k] = blk_byte(s, k);
		blk_copy(g, g->blk_buf, b, bytes, true, cyc);
	}
	if (net) {
		g->n.net_tx += write;
		g->n.net_rx += !write;
		g->n.net_bytes += bytes;
	} else {
		g->n.blk_writes += write;
		g->n.blk_reads += !write;
		g->n.blk_bytes += bytes;
	}
	uint8_t used[8];
	sim_le64_store(used, g->n.blk_reads + g->n.blk_writes + g->n.net_tx + g->n.net_rx);
	blk_copy(g, g->blk_queue + GUEST_BLK_USED, used, sizeof(used), true, cyc);
	g->blk_pending = 0;
	struct hv_vcpu *c = &g->vcpu[g->blk_vcpu];
	struct vcpu_state v = { 0 };
	memcpy(v.lr, c->lrs, sizeof(v.lr));
	if (!vcpu_lr_holds(&v, GUEST_BLK_INTID) && vcpu_lr_inject(&v, GUEST_BLK_INTID) == 0) {
		memcpy(c->lrs, v.lr, sizeof(v.lr));
		g->n.injected++;
	}
	if (c->waiting) /* the interrupt wakes its halt */
		c->wake_at = 0;
}

/* The device behind the guest's MMIO window; the bounce buffer is at
 * `bounce_ipa`, backed by host pages of `bounce_kind`. */
uint64_t hv_dev_access(struct hv_guest *g, uint64_t off, bool write, uint64_t val,
			   enum hv_page bounce_kind, uint64_t bounce_ipa, uint64_t *cyc)
{
	g->n.mmio++;
	if (!write) {
		uint64_t v = off == GUEST_DEV_ID ? GUEST_DEV_ID_VALUE : 0;
		struct hv_mmio_forge *f = &g->forge;
		if (f->armed && (f->reg == HV_MMIO_ANY || f->reg == off) && ++f->seen == f->nth) {
			trace_MMIO_FORGE(g->m->sim, g->host->src, off, f->value, f->nth, v);
			v = f->value;
			f->armed = false;
		}
		return v;
	}
	switch (off) {
	case GUEST_DEV_CONSOLE: {
		uint8_t c = (uint8_t)val;
		g_byte_array_append(g->out, &c, 1);
		break;
	}
	case GUEST_DEV_SEND:
	case GUEST_DEV_TOKEN: {
		uint64_t n = MIN(val, GUEST_BOUNCE_SIZE);
		uint8_t *b = g_malloc0(n ? n : 1);
		g->n.bounce_bytes += n;
		shared_read(g, bounce_kind, bounce_ipa, b, n, cyc);
		if (off == GUEST_DEV_TOKEN)
			g_byte_array_set_size(g->token, 0);
		g_byte_array_append(off == GUEST_DEV_TOKEN ? g->token : g->out, b, (guint)n);
		g_free(b);
		break;
	}
	case GUEST_DEV_REPORT:
		g->n.reported = val;
		break;
	case GUEST_DEV_CPUS:
		g->n.cpus_reported = val;
		break;
	case GUEST_DEV_BLK_KICK:
		hv_blk_kick(g, bounce_kind, bounce_ipa, cyc);
		break;
	case GUEST_DEV_PANIC:
		g->n.panicked = 1;
		g->n.panic_esr = val;
		break;
	case GUEST_DEV_RESULT_OP: {
		struct hv_call_result r = { .op = val };
		g_array_append_val(g->results, r);
		break;
	}
	case GUEST_DEV_RESULT:
		if (g->results->len) {
			struct hv_call_result *r =
				&g_array_index(g->results, struct hv_call_result, g->results->len - 1);
			if (r->n < GUEST_CALL_MAX_RESULTS)
				r->x[r->n++] = val;
		}
		break;
	default:
		break;
	}
	return 0;
}
