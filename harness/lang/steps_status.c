/* Status names across the step namespaces a capture's .status can hold:
 * RMI (rmi.*), RSI (rsi.*, a guest's call), the verifier (verify.*), the
 * RMP instructions (rmp.*), the SNP firmware (snp.*) and the SEV firmware
 * for SEV / SEV-ES guests (sev.*); a SEAMCALL's result, in its own space,
 * the TDX module's completion statuses (tdx.*). The parser asks whether an
 * expectation's status name is one of them. */
#include <glib.h>
#include <string.h>

#include "harness/lang/steps.h"
#include "models/monitor/rmm/rmm.h"
#include "models/monitor/snp/snp_fw.h"
#include "models/monitor/tdx/tdx.h"

const char *steps_status_name(uint64_t x0)
{
	static const char *const v[] = { "verify.ok", "verify.bad_token", "verify.rim_mismatch",
					 "verify.challenge_mismatch" };
	if ((x0 & ~0xffull) == STEPS_VERIFY_STATUS && (x0 & 0xff) < G_N_ELEMENTS(v))
		return v[x0 & 0xff];
	if ((x0 & ~0xffull) == STEPS_RSI_STATUS && (x0 & 0xff) <= RSI_ERROR_UNKNOWN)
		return rsi_status_name(x0 & 0xff);
	if ((x0 & ~0xffull) == STEPS_SNP_STATUS) {
		if (x0 == STEPS_SNP_UNSUPPORTED)
			return "snp.unsupported";
		return snp_status_name((enum snp_status)(x0 & 0xff));
	}
	if ((x0 & ~0xffull) == STEPS_SEV_STATUS) {
		if (x0 == STEPS_SEV_UNSUPPORTED)
			return "sev.unsupported";
		return sev_status_name((enum snp_status)(x0 & 0xff));
	}
	if ((x0 & ~0xffull) == STEPS_RMP_STATUS) {
		static const char *const r[] = { "rmp.success", "rmp.fail_input", "rmp.fail_permission",
						 "rmp.fail_inuse", "rmp.fail_overlap", "rmp.?",
						 "rmp.fail_sizemismatch", "rmp.fail_badaddr" };
		if (x0 == STEPS_RMP_UNSUPPORTED)
			return "rmp.unsupported";
		if ((x0 & 0xff) < G_N_ELEMENTS(r))
			return r[x0 & 0xff];
	}
	return rmi_status_name(x0);
}

bool steps_status_known(const char *name)
{
	if (strcmp(name, "tdx.unsupported") == 0 || tdx_status_known(name))
		return true;
	for (uint64_t i = 0; i < 4; i++)
		if (strcmp(steps_status_name(STEPS_VERIFY_STATUS | i), name) == 0)
			return true;
	for (uint64_t i = 0; i <= RSI_ERROR_UNKNOWN; i++)
		if (strcmp(steps_status_name(STEPS_RSI_STATUS | i), name) == 0)
			return true;
	for (uint64_t i = 0; i <= 0xff; i++)
		if ((strcmp(steps_status_name(STEPS_RMP_STATUS | i), name) == 0 ||
		     strcmp(steps_status_name(STEPS_SNP_STATUS | i), name) == 0 ||
		     strcmp(steps_status_name(STEPS_SEV_STATUS | i), name) == 0) &&
		    strcmp(name, "rmp.?") != 0 && strcmp(name, "snp.?") != 0 && strcmp(name, "sev.?") != 0)
			return true;
	return false;
}
