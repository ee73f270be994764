/* Swap on s390 Secure Execution for a secure CPU a scenario made itself
 * (its vm: host.uvc create_sec_cpu ... vm=NAME), straight over the
 * ultravisor's calls, as KVM's paths do them: out, the host's access to the
 * secure page faults and its handler exports it (UVC_CMD_CONV_FROM_SEC_STOR:
 * "encrypt a guest page and make it accessible to the host for paging",
 * Linux arch/s390/kernel/uv.c uv_convert_from_secure), and the host writes
 * what it reads to swap; in, the host puts a copy back in the frame and
 * imports it (UVC_CMD_CONV_TO_SEC_STOR, "decrypted and integrity checked",
 * gmap_make_secure). The ultravisor keeps each export's tag with the page's
 * index and a counter (libvirt, "Protected Virtualization on s390"), so a
 * copy other than the last export is refused (models/monitor/uv). */
#include "stacks/host/hv.h"

#include "models/monitor/uv/uv.h"
#include "models/monitor/uv/uv_abi.h"

#define PAGE 4096ull

/* One host UVC on a control block of the command's length: its RC. */
static uint16_t host_uvc(struct machine *m, uint16_t cmd, uint64_t handle, uint64_t a, uint64_t *cyc)
{
	uint8_t cb[UVCB_MAX_LEN] = { 0 };
	const struct uv_cmd_info *ci = uv_cmd_by_code(cmd);
	uv_put16(cb, ci->len);
	uv_put16(cb + 2, cmd);
	if (cmd == UVC_CMD_CONV_TO_SEC_STOR) {
		uv_put64(cb + CB_HANDLE, handle);
		uv_put64(cb + CTS_GADDR, a);
	} else {
		uv_put64(cb + CFS_PADDR, a);
	}
	struct uv_caller host = { false, 0 };
	uint64_t c = 0;
	(void)uv_call(m->uv, &host, cb, sizeof(cb), &c);
	*cyc += c;
	return uv_be16(cb + 4);
}

uint16_t hv_uv_swap_out(struct machine *m, struct cpu *host, uint64_t pa, uint8_t *copy,
			uint64_t *cyc)
{
	uint16_t rc = host_uvc(m, UVC_CMD_CONV_FROM_SEC_STOR, 0, pa & ~(PAGE - 1), cyc);
	struct cc_fault f;
	uint64_t c = 0; /* cpu_load sets its latency: added to the call's */
	if (rc == UVC_RC_EXECUTED)
		(void)cpu_load(host, pa & ~(PAGE - 1), copy, (uint32_t)PAGE, &f, &c);
	*cyc += c;
	return rc;
}

uint16_t hv_uv_swap_in(struct machine *m, struct cpu *host, uint64_t handle, uint64_t pa,
		       uint64_t gaddr, const uint8_t *copy, uint64_t *cyc)
{
	struct cc_fault f;
	uint64_t c = 0; /* cpu_store sets its latency: added to the call's */
	int bad = copy && cpu_store(host, pa & ~(PAGE - 1), copy, (uint32_t)PAGE, &f, &c);
	*cyc += c;
	if (bad)
		return UVC_RC_INV_STATE; /* the frame is secure already: nothing swapped out */
	return host_uvc(m, UVC_CMD_CONV_TO_SEC_STOR, handle, gaddr & ~(PAGE - 1), cyc);
}
