/* The step table: each step's syntax, summary, example and parse-time
 * check, and `ccsim steps`, which prints it; see steps.h and
 * docs/scenarios.md. What a step does is its handler's (harness/run/). */
#include "harness/lang/steps.h"

#include <glib.h>
#include <string.h>

static const char *const actor_names[ACTOR_KIND_COUNT] = { "host", "vm", "phys", "dev", "verifier" };

const char *actor_kind_name(enum actor_kind a)
{
	return a < ACTOR_KIND_COUNT ? actor_names[a] : "?";
}

const struct scn_arg *step_arg(const struct scn_step *st, const char *key)
{
	for (size_t i = 0; i < st->nargs; i++)
		if (strcmp(st->args[i].key, key) == 0)
			return &st->args[i];
	return NULL;
}

char *steps_unknown_command(const char *what, const char *word, const void *table, size_t n,
			    size_t stride, size_t name_off)
{
	GString *s = g_string_new(NULL);
	for (size_t i = 0; i < n; i++) {
		const char *name = *(const char *const *)((const char *)table + i * stride + name_off);
		g_string_append_printf(s, "%s%s", i ? ", " : "", name);
	}
	char *msg = g_strdup_printf("unknown %s \"%s\" (implemented: %s)", what, word, s->str);
	g_string_free(s, TRUE);
	return msg;
}

#define ADDR { "addr", ARG_NUM, true, "physical address" }
/* A vm's access: the GPA the host's nested tables map to addr (default:
 * addr), and whether it is shared (C-bit clear: the host's key, no
 * private-page checks) rather than private. */
#define VM_GPA { "gpa", ARG_NUM, false, "the guest-physical address that reaches addr (default addr)" }
#define VM_SHARED { "shared", ARG_NUM, false, "1: a shared (unencrypted) access" }
/* The host's C-bit: an x86 host maps memory encrypted with its key, or with
 * the C-bit clear, as Linux maps reserved ranges such as the SNP RMP. */
#define HOST_CBIT { "cbit", ARG_NUM, false, "0: C-bit clear, no key: the DRAM cells' bytes as " \
		    "they are (SEV profiles; elsewhere the host's usual path)" }
#define GNAME { "", ARG_NAME, true, "a guest declared with guest NAME" }
#define LEN { "len", ARG_NUM, false, "bytes (default 8; phys.read: 64)" }
#define DATA { "data", ARG_BYTES, true, "\"text\", hex:.., or $secret / $capture" }
/* RMPUPDATE / PSMASH: the host's TLB shootdown of the page after it. */
#define RMP_FLUSH { "flush", ARG_NUM, false, "0: the host skips its TLB shootdown of the page " \
		    "(matters where hardware keeps cached RMP verdicts: rmp.tlb_coherent = false)" }

static const struct step_spec step_table[] = {
	{ ACTOR_HOST, "load", "host (NS EL2) loads bytes", "host.load addr=0x80000000 len=16 -> r",
	  { ADDR, LEN, HOST_CBIT } },
	{ ACTOR_HOST, "store", "host (NS EL2) stores bytes", "host.store addr=0x80000000 data=\"evil\"",
	  { ADDR, DATA, HOST_CBIT } },
	{ ACTOR_HOST, "fill", "host stores len copies of one byte", "host.fill addr=0x80000000 len=4K byte=0",
	  { ADDR, { "len", ARG_NUM, true, "bytes" }, { "byte", ARG_NUM, false, "value (default 0)" } } },
	{ ACTOR_HOST, "rmi", "RMI call to the RMM by name, arguments named as in DEN0137",
	  "host.rmi granule_delegate addr=0x80000000 -> st",
	  { { "", ARG_NAME, true, "command name (version, granule_delegate, ...)" },
	    { "addr", ARG_NUM, false, "granule address" },
	    { "req", ARG_NUM, false, "requested interface version" } },
	  steps_rmi_check, steps_rmi_print },
	{ ACTOR_HOST, "seamcall", "TDX: a SEAMCALL to the TDX module by leaf name (sys.init, "
	  "mng.create, mem.page.add, vp.enter, ...), its inputs named as the module ABI's (.status "
	  "tdx.*, the completion status; .x1 to .x6, also named .rcx, .rdx, .r8 to .r11, the "
	  "output registers RCX, RDX, R8..R11; tdx.unsupported off tdx)",
	  "host.seamcall mng.create tdr=0x80100000 hkid=33 -> c",
	  { { "", ARG_NAME, true, "leaf name, the ABI's after \"TDH.\", lower case" },
	    { "lp", ARG_NUM, false, "the logical processor it runs on (default the host's core)" },
	    { "vm", ARG_NAME, false, "a vm: its TD's tdr=, tdvpr= and hkid= where not given" } },
	  steps_seamcall_check, steps_seamcall_print },
	{ ACTOR_HOST, "tdx_shared_eptp", "TDX: the shared EPT root of a TD vCPU (TDH.VP.WR of the TD "
	  "VMCS SHARED_EPTP); .status tdx.*",
	  "host.tdx_shared_eptp tdvpr=0x80110000 eptp=0x20020000 -> s",
	  { { "tdvpr", ARG_NUM, true, "the vCPU's TDVPR page" },
	    { "eptp", ARG_NUM, true, "host address of the shared EPT's root table" } } },
	{ ACTOR_HOST, "tdx_quote", "TDX: the host's quoting service answers a TD's GetQuote: the "
	  "TDREPORT in the shared buffer at buf becomes a DCAP v4 quote written back after the "
	  "header (capture: the quote; .x1 the GetQuote status, 0 success; .x2 its length)",
	  "host.tdx_quote buf=0x20030000 -> q",
	  { { "buf", ARG_NUM, true, "host address of the GetQuote buffer (version, status, in_len, "
	      "out_len, TDREPORT)" },
	    { "len", ARG_NUM, false, "the buffer's size, as R13 gives it (default 4K)" } } },
	{ ACTOR_HOST, "smc", "raw SMC with x0 = fid (.status X0, named in the space of the fid: "
	  "rmi.*, rsi.*, psci.*, smc.unknown; .x1 to .x7 as the call left them)",
	  "host.smc fid=0xC4000150 x1=0x10000 -> v",
	  { { "fid", ARG_NUM, true, "function id (x0)" }, { "x1", ARG_NUM, false, "argument register" },
	    { "x2", ARG_NUM, false, "argument register" }, { "x3", ARG_NUM, false, "argument register" },
	    { "x4", ARG_NUM, false, "argument register" },
	    { "x5", ARG_NUM, false, "argument register" } } },
	{ ACTOR_HOST, "wbinvd", "write back and invalidate every cache level", "host.wbinvd",
	  { { NULL } } },
	{ ACTOR_HOST, "invd", "invalidate every cache level WITHOUT write-back: dirty lines are lost "
	  "(x1 = lines dropped); a #GP (cpu.gp) where the processor refuses it (tdx)", "host.invd -> d", { { NULL } } },
	{ ACTOR_HOST, "guest_load", "the host stack stages a guest's image in its own memory "
	  "(x1 = its PA, x2 = its size)", "host.guest_load g0 -> img", { GNAME } },
	{ ACTOR_HOST, "guest_create", "the host stack builds the guest: a realm through the RMI on "
	  "cca, an ordinary VM elsewhere (status: first failing RMI status; x1 = RD, x2 = the REC "
	  "run structure, x3 = where the boot vCPU's registers live: its REC, TDVPR, VMSA or VMCB "
	  "save area)",
	  "host.guest_create g0 -> c", { GNAME } },
	{ ACTOR_HOST, "guest_run", "run the guest, handling its exits, until it powers off "
	  "(x1 = exits, x2 = the ticks it reported; bytes: what it sent out)",
	  "host.guest_run g0 -> r",
	  { GNAME, { "exits", ARG_NUM, false, "stop after this many exits" },
	    { "until", ARG_NAME, false, "stop at the first exit of this reason (sync, irq, psci, "
	      "ripas_change, host_call, ...): on cca before handling it (the next run does), "
	      "elsewhere after; `repeat N host.guest_run ... until=R` stops at the Nth" },
	    { "mmio", ARG_NUM, false, "a hostile device answer: the guest's MMIO read in this run "
	      "returns this value instead of the device's (trace: hv.mmio_forge)" },
	    { "mmio_nth", ARG_NUM, false, "with mmio=: the Nth such read of the run (default 1)" },
	    { "mmio_reg", ARG_NUM, false, "with mmio=: only reads of this device register "
	      "(offset in the MMIO window, e.g. 0x18 the device id)" } },
	  steps_guest_run_check },
	{ ACTOR_HOST, "guest_regs", "read the guest's registers X0..X30 (bytes; x1 = where) where "
	  "the host keeps them, or with reg= value= write one: a VMCB save area (plain, sev), "
	  "the encrypted VMSA (sev-es, sev-snp), the REC (cca), with the host's own accesses",
	  "host.guest_regs g0 -> regs",
	  { GNAME, { "reg", ARG_NUM, false, "write this register (0..30)" },
	    { "value", ARG_NUM, false, "the value to write" } } },
	{ ACTOR_HOST, "guest_unmap", "page-fault channel: unmap the guest page at ipa from its "
	  "stage 2 / nested tables (data kept); its next touch is a fault the host records "
	  "(hv.NAME.traps, hv.NAME.last_trap) and maps back; on tdx the page is blocked "
	  "(TDH.MEM.RANGE.BLOCK + TRACK) and unblocked at the touch; not on cca",
	  "host.guest_unmap g0 ipa=0x110000",
	  { GNAME, { "ipa", ARG_NUM, true, "the guest page" } } },
	{ ACTOR_HOST, "guest_swap_out", "swap the guest's private page at gpa out through the "
	  "architecture's way: a copy of its cells (plain; its ciphertext on sev, sev-es), "
	  "SNP_PAGE_SWAP_OUT with a metadata entry (sev-snp), the ultravisor's export "
	  "(s390-se: the host's read faults and its handler exports the page; the guest's next "
	  "touch imports it; or a vm made a secure CPU, addr= its host page); none on tdx and cca "
	  "(.status swap.unsupported, bytes: why); bytes: the copy, x1 its swap slot, x2 the frame",
	  "host.guest_swap_out g0 gpa=0x110000 -> s",
	  { { "", ARG_NAME, true, "a guest declared with guest NAME (s390-se: a vm)" },
	    { "gpa", ARG_NUM, true, "the guest page" },
	    { "addr", ARG_NUM, false, "s390-se vm: the host page backing gpa" } } },
	{ ACTOR_HOST, "guest_swap_in", "swap the guest's page at gpa back in from a swap slot "
	  "(from=: a host.guest_swap_out's .x1; default its latest): SNP_PAGE_SWAP_IN checks it "
	  "against the slot's metadata entry (sev-snp), the ultravisor's import checks its tag "
	  "and counter (s390-se: data= the copy to put back, default the frame as it is); "
	  "plain, sev, sev-es take whatever the slot holds (x2 = 1: not the page's last copy)",
	  "host.guest_swap_in g0 gpa=0x110000 from=$s.x1 -> r",
	  { { "", ARG_NAME, true, "a guest declared with guest NAME (s390-se: a vm)" },
	    { "gpa", ARG_NUM, true, "the guest page" },
	    { "from", ARG_NUM, false, "the swap slot (default: the page's latest)" },
	    { "addr", ARG_NUM, false, "s390-se vm: the host page backing gpa" },
	    { "handle", ARG_NUM, false, "s390-se vm: its secure configuration's handle" },
	    { "data", ARG_BYTES, false, "s390-se vm: the copy the host puts back" } } },
	{ ACTOR_HOST, "guest_vmcb", "CrossLine: rewrite the guest's VMCB control area: the ASID "
	  "it runs under and where VMRUN takes its registers from (another guest's VMCB save area "
	  "or VMSA); the key and the RMP decide what its next run can do; on tdx the host asks "
	  "the module (TDH.VP.WR of the TD HKID, TDH.VP.RD of the other's guest RIP), whose "
	  "refusal is the status; not on cca (x1 = ASID / HKID, x2 = state page / TDVPR)",
	  "host.guest_vmcb mallory asid_of=alice state_of=alice",
	  { GNAME, { "asid", ARG_NUM, false, "the ASID" },
	    { "asid_of", ARG_NAME, false, "or that guest's ASID" },
	    { "state_of", ARG_NAME, false, "run from that guest's boot vCPU state" } } },
	{ ACTOR_HOST, "guest_map", "map the guest's page at ipa to a system page in its nested / "
	  "stage 2 table (replacing what was there): pa=, or of= the page backing another guest's "
	  "of_ipa (default ipa); on tdx the page there is removed and the new one offered with "
	  "TDH.MEM.PAGE.AUG, whose refusal is the status; not on cca (x1 = the page)",
	  "host.guest_map mallory ipa=0x104000 of=alice of_ipa=0x110000",
	  { GNAME, { "ipa", ARG_NUM, true, "the guest page" },
	    { "pa", ARG_NUM, false, "the system page" },
	    { "of", ARG_NAME, false, "or the page backing this guest's of_ipa" },
	    { "of_ipa", ARG_NUM, false, "that guest's page (default ipa)" } } },
	{ ACTOR_HOST, "guest_peek", "the host loads from the page backing the guest's ipa, with "
	  "its own key: plaintext on plain, ciphertext under a guest key, a fault on a realm's "
	  "granule (x1 = the PA)",
	  "host.guest_peek g0 ipa=0x110000 len=16 -> p",
	  { GNAME, { "ipa", ARG_NUM, true, "the guest address" },
	    { "len", ARG_NUM, false, "bytes (default 8), within the page" } } },
	{ ACTOR_HOST, "guest_npf", "what the host learnt from the guest's nested page faults: the "
	  "last one's GPA (EXITINFO2; bytes: it, little-endian; x1 = it, x2 = how many)",
	  "host.guest_npf mallory -> f", { GNAME } },
	{ ACTOR_HOST, "guest_inject", "inject an event at the guest's next entry: vc=CODE a #VC "
	  "with that exit code (srt= the register its syndrome names, write=1 a write, far= the "
	  "address), or irq=INTID a virtual interrupt; Restricted Injection (sev-snp-ri) refuses "
	  "both, the TDX module a vc= (TDH.VP.WR of the VM-entry interruption field) (x1 = 1)",
	  "host.guest_inject g0 vc=0x400 srt=1 far=0x10000018",
	  { GNAME, { "vc", ARG_NUM, false, "#VC exit code" }, { "srt", ARG_NUM, false, "#VC: register" },
	    { "write", ARG_NUM, false, "#VC: 1 for a write" }, { "far", ARG_NUM, false, "#VC: address" },
	    { "irq", ARG_NUM, false, "virtual interrupt INTID" } } },
	{ ACTOR_HOST, "rmpupdate", "SNP: RMPUPDATE a page: assigned to a vm (its ASID) or asid=, "
	  "at GPA gpa= (default addr); neither: back to the hypervisor (.status rmp.*; "
	  "rmp.unsupported without an RMP)", "host.rmpupdate addr=0x80000000 vm=victim",
	  { ADDR, { "vm", ARG_NAME, false, "the guest it is assigned to" },
	    { "asid", ARG_NUM, false, "or its ASID" }, { "gpa", ARG_NUM, false, "guest page (default addr)" },
	    { "size", ARG_NUM, false, "4K (default) or 2M" },
	    { "immutable", ARG_NUM, false, "1: firmware-owned" }, RMP_FLUSH } },
	{ ACTOR_HOST, "tdx_aug", "TDX: the host adds its page addr to a vm's TD at gpa= (default "
	  "addr): TDH.MEM.SEPT.ADD of the tables it needs, then TDH.MEM.PAGE.AUG; the TD must "
	  "accept it (.status tdx.*, the first failure; tdx.unsupported off tdx)",
	  "host.tdx_aug addr=0x80000000 vm=victim",
	  { ADDR, { "vm", ARG_NAME, true, "the vm whose TD gets the page" },
	    { "gpa", ARG_NUM, false, "guest page (default addr)" } } },
	{ ACTOR_HOST, "snp", "SNP: a firmware command (init, launch_start, activate, launch_update, "
	  "launch_finish, decommission, df_flush, report, page_swap_out, page_swap_in, "
	  "page_md_init, page_reclaim) with its arguments (.status snp.*; "
	  "report: the signed ATTESTATION_REPORT as bytes; snp.unsupported off sev-snp)",
	  "host.snp launch_start gctx=0x80100000 policy=0x30000",
	  { { "", ARG_NAME, true, "command" }, { "gctx", ARG_NUM, false, "the guest context page" },
	    { "policy", ARG_NUM, false, "guest policy (default 0x30000); launch_finish: the ID block's" },
	    { "asid", ARG_NUM, false, "activate: the ASID" },
	    { "addr", ARG_NUM, false, "launch_update: the page (SPA)" },
	    { "gpa", ARG_NUM, false, "launch_update: its GPA" },
	    { "type", ARG_NAME_NUM, false, "launch_update: normal, vmsa, zero, unmeasured, secrets, cpuid, or a PAGE_TYPE byte" },
	    { "vmpl", ARG_NUM, false, "report: the requesting VMPL" },
	    { "data", ARG_BYTES, false, "report: REPORT_DATA (up to 64 bytes)" },
	    { "host_data", ARG_BYTES, false, "launch_finish: HOST_DATA (up to 32 bytes)" },
	    { "id_ld", ARG_BYTES, false, "launch_finish: an ID block naming this launch digest (48 "
	      "bytes; its policy: policy=)" },
	    { "src", ARG_NUM, false, "page_swap_out / page_swap_in: SRC_PADDR" },
	    { "dst", ARG_NUM, false, "page_swap_out / page_swap_in: DST_PADDR" },
	    { "mdata", ARG_NUM, false, "page_swap_out / page_swap_in: MDATA_PADDR, the metadata entry" },
	    { "page_type", ARG_NAME_NUM, false, "page_swap_*: data (0), metadata (1) or vmsa (2)" },
	    { "root", ARG_NUM, false, "page_swap_*: 1: the entry is the context page's (ROOT_MDATA_EN)" },
	    { "in_place", ARG_NUM, false, "page_swap_in: 1: SWAP_IN_PLACE (src = dst)" },
	    { "software_data", ARG_NUM, false, "page_swap_out: SOFTWARE_DATA kept in the entry" } },
	  steps_snp_check },
	{ ACTOR_HOST, "sev", "SEV / SEV-ES: a firmware command (init, launch_start, activate, "
	  "launch_update_data, launch_update_vmsa, launch_measure, launch_finish, deactivate, "
	  "decommission, df_flush) (.status sev.*; launch_start: x1 = the handle; launch_measure: "
	  "MEASURE || MNONCE as bytes; sev.unsupported off sev / sev-es)",
	  "host.sev launch_start policy=0x1",
	  { { "", ARG_NAME, true, "command" }, { "handle", ARG_NUM, false, "the guest (1, 2, ...)" },
	    { "policy", ARG_NUM, false, "launch_start: guest policy (default 0)" },
	    { "tik", ARG_BYTES, false, "launch_start: the 16-byte TIK (default: from the seed)" },
	    { "asid", ARG_NUM, false, "activate: the ASID" },
	    { "addr", ARG_NUM, false, "launch_update_*: the region (SPA)" },
	    { "len", ARG_NUM, false, "launch_update_*: its bytes (default 4096)" } },
	  steps_sev_check },
	{ ACTOR_HOST, "uvc", "s390-se: an ultravisor call (UVC) from the host by its uv.h name "
	  "(init_uv, create_sec_conf, create_sec_cpu, set_sec_conf_params, unpack_img, verify_img, "
	  "conv_to_sec_stor, conv_from_sec_stor, ...), its control block fields by name (.status "
	  "uv.*, the RC; .x1 the RRC; .x2.. what the call returns; bytes: the control block after "
	  "it; uv.unsupported off s390-se)",
	  "host.uvc create_sec_cpu guest_handle=$c.x2 stor_origin=0x91200000 state_origin=0x91300000 vm=g -> p",
	  { { "", ARG_NAME, true, "call name" },
	    { "vm", ARG_NAME, false, "create_sec_cpu: the vm that becomes this secure CPU (its "
	      "accesses are then the secure guest's); destroy_sec_cpu: the vm that stops being it" },
	    { "len", ARG_NUM, false, "the header's length (default the call's control block size)" },
	    { "code", ARG_NUM, false, "the header's command code (default the call's)" } },
	  steps_uvc_check, steps_uvc_print },
	{ ACTOR_HOST, "se_image", "s390-se: an SE image of a payload sealed for this machine's host "
	  "key (host_seed=: another machine's; also_seed=: a second one), as ccsim se-image builds "
	  "it, or an image file; the host stages its header at hdr= and its encrypted pages at mso= "
	  "plus their guest addresses (bytes: the image; x1 hdr, x2 its length, x3 components, "
	  "x4..x6 the first one's guest address, size and tweak prefix)",
	  "host.se_image data=\"kernel\" hdr=0x92000000 mso=0x40000000 -> img",
	  { { "data", ARG_BYTES, false, "the payload (a kernel-like component)" },
	    { "file", ARG_BYTES, false, "or an image file (ccsim se-image), relative to the scenario" },
	    { "hdr", ARG_NUM, true, "host address for the SE header" },
	    { "mso", ARG_NUM, false, "host address of guest address 0 (default 0)" },
	    { "addr", ARG_NUM, false, "the component's guest address (default 0x10000)" },
	    { "host_seed", ARG_NUM, false, "seal for the machine run with this seed (default this run's)" },
	    { "also_seed", ARG_NUM, false, "and for the machine of this seed too" },
	    { "seed", ARG_NUM, false, "the image's own keys and IVs (default 1)" },
	    { "pcf", ARG_NUM, false, "plaintext control flags (0x20000000: allow dumping)" } } },
	{ ACTOR_HOST, "se_unpack", "s390-se: unpack_img for every page of an SE image, in order, as "
	  "KVM does for each component QEMU names; stops at the first refusal (.status uv.*, .x1 "
	  "the RRC, .x2 the pages unpacked)",
	  "host.se_unpack handle=$c.x2 image=$img -> u",
	  { { "handle", ARG_NUM, true, "the secure configuration" },
	    { "image", ARG_BYTES, true, "the image (host.se_image's capture)" } } },
	{ ACTOR_HOST, "psmash", "SNP: PSMASH the 2 MB RMP entry at addr into 512 4 KB ones",
	  "host.psmash addr=0x80000000", { ADDR, RMP_FLUSH } },
	{ ACTOR_HOST, "tlb_shootdown", "the host invalidates every translation of the page at addr "
	  "in every core's TLB (INVLPGB + TLBSYNC), and with them the RMP verdicts they cache",
	  "host.tlb_shootdown addr=0x80000000", { ADDR } },
	{ ACTOR_HOST, "stat", "read a simulator counter as it stands (x1), e.g. a guest's "
	  "hv.NAME.cpus_reported", "host.stat name=hv.g0.exits -> n",
	  { { "name", ARG_NAME, true, "the counter's dotted name (stats.json lists them)" } } },
	{ ACTOR_HOST, "guess", "state what a side channel told the attacker about a secret: the "
	  "run compares it with the secret (x1 = 1 if right); a right guess is the outcome "
	  "inferred", "host.guess page value=$seen.x1 -> g",
	  { { "", ARG_NAME, true, "the secret guessed (declared with secret NAME=...)" },
	    { "value", ARG_NUM, false, "the guess as a number: the secret's bytes little-endian "
	      "(a secret of up to 8 bytes)" },
	    { "bytes", ARG_BYTES, false, "the guess as bytes: the whole secret" } } },
	{ ACTOR_HOST, "guest_token", "the attestation evidence the guest handed the host to pass "
	  "on: a CCA token, an SNP report, a TD's quote (x1 = its size)", "host.guest_token g0 -> t", { GNAME } },
	{ ACTOR_HOST, "guest_destroy", "tear the guest down and give every page back",
	  "host.guest_destroy g0 -> d", { GNAME } },
	{ ACTOR_VERIFIER, "verify", "check attestation evidence with this run's platform keys: a "
	  "CCA token, an SEV-SNP report or a TDX quote, then the RIM / measurement / MRTD and the "
	  "challenge / REPORT_DATA / REPORTDATA if given (status verify.ok, verify.bad_token, "
	  "verify.rim_mismatch, verify.challenge_mismatch; x1 1: a forged SEV-SNP report accepted; "
	  "bytes: the RIM, measurement or MRTD)",
	  "verifier.verify token=$r rim=$ref -> v",
	  { { "token", ARG_BYTES, true, "the token" }, { "rim", ARG_BYTES, false, "expected RIM, SNP measurement or MRTD" },
	    { "challenge", ARG_BYTES, false, "expected challenge (zero-padded to 64 bytes)" } } },
	{ ACTOR_VERIFIER, "measure", "the launch measurement the guest's owner expects of its "
	  "image (host.guest_load's capture), computed by the verifier, not read from the run: on "
	  "tdx the MRTD (x1 = 48); elsewhere not yet (no bytes, x1 = 0)",
	  "verifier.measure image=$img -> ref",
	  { { "image", ARG_BYTES, true, "the guest image as host.guest_load captured it" } } },
	{ ACTOR_VERIFIER, "se_arcb", "s390-se: the guest owner's attestation request (ARCB v1) "
	  "sealing its measurement key for this machine's host key (host_seed=: another's) (bytes: "
	  "the ARCB; x1 its length)",
	  "verifier.se_arcb mkey=\"a 64-byte measurement key\" -> arcb",
	  { { "mkey", ARG_BYTES, true, "the measurement key (zero-padded to 64 bytes)" },
	    { "nonce", ARG_BYTES, false, "a 16-byte nonce to bind" },
	    { "host_seed", ARG_NUM, false, "seal for the machine of this seed (default this run's)" },
	    { "paf", ARG_NUM, false, "plaintext attestation flags (image / attest host key hashes)" },
	    { "seed", ARG_NUM, false, "the request's own keys (default 1)" } } },
	{ ACTOR_VERIFIER, "se_measure", "s390-se: the attestation measurement the owner expects: "
	  "HMAC-SHA512 with its key over the image header's PLD, ALD, TLD and tag and the "
	  "configuration id and user data of the guest's retr_attest (bytes: 64; x1 = 64, 0 if "
	  "image= is no SE image)",
	  "verifier.se_measure image=$img mkey=\"a 64-byte measurement key\" attest=$a -> ref",
	  { { "image", ARG_BYTES, true, "the SE image (host.se_image's capture)" },
	    { "mkey", ARG_BYTES, true, "the measurement key the ARCB sealed" },
	    { "attest", ARG_BYTES, true, "the guest's retr_attest capture (its control block)" },
	    { "nonce", ARG_BYTES, false, "the nonce the ARCB carried" },
	    { "add", ARG_BYTES, false, "the additional data the call returned" } } },
	{ ACTOR_VM, "load", "the guest loads bytes from its own (protected) memory",
	  "victim.load addr=0x80000000 len=10 -> v", { ADDR, LEN, VM_GPA, VM_SHARED } },
	{ ACTOR_VM, "store", "the guest stores bytes", "victim.store addr=0x80000000 data=$secret",
	  { ADDR, DATA, VM_GPA, VM_SHARED } },
	{ ACTOR_VM, "fill", "the guest stores len copies of one byte", "victim.fill addr=0x80000000 len=4K",
	  { ADDR, { "len", ARG_NUM, true, "bytes" }, { "byte", ARG_NUM, false, "value (default 0)" } } },
	{ ACTOR_VM, "pvalidate", "SNP: PVALIDATE the guest's page (GPA = addr): validate=1 sets "
	  "Validated, 0 clears it (.status rmp.*, .x1 rFLAGS.CF; #VC / #NPF as faults)",
	  "victim.pvalidate addr=0x80000000",
	  { ADDR, { "validate", ARG_NUM, false, "1 (default) or 0" },
	    { "size", ARG_NUM, false, "4K (default) or 2M" } } },
	{ ACTOR_VM, "accept", "TDX: the TD accepts the page the host added at gpa= (default addr) "
	  "with TDG.MEM.PAGE.ACCEPT (.status tdx.*; tdx.unsupported off tdx)",
	  "victim.accept addr=0x80000000",
	  { ADDR, { "gpa", ARG_NUM, false, "the guest page (default addr)" } } },
	{ ACTOR_VM, "rmpadjust", "SNP: RMPADJUST from the guest's VMPL: give VMPL vmpl= the "
	  "permissions perms= (RMP_PERM_* bits) on its page", "victim.rmpadjust addr=0x80000000 vmpl=1 perms=0x3",
	  { ADDR, { "vmpl", ARG_NUM, true, "target VMPL (1..3)" },
	    { "perms", ARG_NUM, true, "R 1, W 2, XU 4, XS 8, SSS 0x10" },
	    { "vmsa", ARG_NUM, false, "1: mark the page a VMSA (VMPL0 only)" },
	    { "size", ARG_NUM, false, "4K (default) or 2M" } } },
	{ ACTOR_VM, "uvc", "s390-se: an ultravisor call from the guest (set_shared_access, "
	  "remove_shared_access, retr_attest, qui), as the secure CPU it is once host.uvc "
	  "create_sec_cpu vm=NAME made it one (.status uv.*, .x1 the RRC, .x2.. what the call "
	  "returns; bytes: the control block)",
	  "victim.uvc set_shared_access paddr=0x300000 -> s",
	  { { "", ARG_NAME, true, "call name" },
	    { "user", ARG_BYTES, false, "retr_attest: the user data (up to 256 bytes)" },
	    { "len", ARG_NUM, false, "the header's length (default the call's control block size)" },
	    { "code", ARG_NUM, false, "the header's command code (default the call's)" } },
	  steps_uvc_check, steps_uvc_print },
	{ ACTOR_DEV, "dma_read", "a device reads memory by DMA through the IOMMU",
	  "dev.dma_read addr=0x80000000 len=64 -> r",
	  { { "addr", ARG_NUM, true, "I/O virtual address (= PA for a bypass stream)" }, LEN,
	    { "stream", ARG_NUM, false, "IOMMU stream (device), default 0" } } },
	{ ACTOR_DEV, "dma_write", "a device writes memory by DMA through the IOMMU",
	  "dev.dma_write addr=0x80000000 data=\"evil\"",
	  { { "addr", ARG_NUM, true, "I/O virtual address (= PA for a bypass stream)" }, DATA,
	    { "stream", ARG_NUM, false, "IOMMU stream (device), default 0" } } },
	{ ACTOR_PHYS, "read", "read raw DRAM cells (what the DIMM holds)", "phys.read addr=0x80000000 len=64 -> ct",
	  { ADDR, LEN } },
	{ ACTOR_PHYS, "write", "write raw DRAM cells", "phys.write addr=0x80000000 data=$ct",
	  { ADDR, DATA } },
	{ ACTOR_PHYS, "capture", "capture one whole line as the DIMM holds it: data cells and "
	  "the ECC bits (MAC, owner, counter)", "phys.capture addr=0x80000000 -> old",
	  { { "addr", ARG_NUM, true, "64-byte aligned physical address" } } },
	{ ACTOR_PHYS, "replay", "put a captured line back (data and per-line metadata)",
	  "phys.replay addr=0x80000000 from=old",
	  { { "addr", ARG_NUM, true, "64-byte aligned physical address" },
	    { "from", ARG_NAME, true, "a phys.capture capture" } } },
	{ ACTOR_PHYS, "alias", "rewire the DIMM's decoder: addr..addr+size reaches target's cells",
	  "phys.alias addr=0x40000000 target=0x80060000 size=4K",
	  { ADDR, { "target", ARG_NUM, true, "cell address it should reach" },
	    { "size", ARG_NUM, false, "bytes, 4 KiB multiple (default 4K)" } } },
	{ ACTOR_PHYS, "snoop_start", "start logging every line that crosses the memory bus",
	  "phys.snoop_start", { { NULL } } },
	{ ACTOR_PHYS, "snoop_stop", "stop logging; capture the bytes seen (x1 = lines)",
	  "phys.snoop_stop -> bus", { { NULL } } },
	{ ACTOR_PHYS, "flip", "flip one bit of a DRAM byte (rowhammer-style)", "phys.flip addr=0x80000000 bit=3",
	  { ADDR, { "bit", ARG_NUM, true, "bit number 0..7" } } },
};

const struct step_spec *step_lookup(enum actor_kind actor, const char *op)
{
	for (size_t i = 0; i < sizeof(step_table) / sizeof(step_table[0]); i++)
		if (step_table[i].actor == actor && strcmp(step_table[i].op, op) == 0)
			return &step_table[i];
	return NULL;
}

size_t steps_table(const struct step_spec **all)
{
	*all = step_table;
	return sizeof(step_table) / sizeof(step_table[0]);
}

void steps_print(FILE *f)
{
	static const char *const arg_type[] = { "number", "bytes", "name", "name|#" };
	static const char *const who[ACTOR_KIND_COUNT] = {
		"host: the untrusted hypervisor, a vCPU in the normal world at EL2",
		"vm NAME: a guest declared with `vm NAME`, in the profile's protected world "
		"(realm on cca, normal world on plain)",
		"phys: a physical attacker holding the DIMM: raw DRAM, past every check and cache",
		"dev: a device the host controls, doing DMA through the IOMMU / SMMU (stream 0 "
		"bypasses translation in the NS PAS unless configured otherwise)",
		"verifier: a relying party checking attestation evidence (not an attacker)",
	};
	for (int a = 0; a < ACTOR_KIND_COUNT; a++) {
		fprintf(f, "%s\n", who[a]);
		for (size_t i = 0; i < sizeof(step_table) / sizeof(step_table[0]); i++) {
			const struct step_spec *s = &step_table[i];
			if ((int)s->actor != a)
				continue;
			fprintf(f, "  %s.%-8s %s\n", a == ACTOR_VM ? "NAME" : actor_names[a], s->op, s->summary);
			for (const struct step_arg_spec *q = s->args; q->name; q++)
				fprintf(f, "      %-10s %-6s %s%s\n", q->name[0] ? q->name : "(word)",
					arg_type[q->type], q->required ? "" : "optional: ", q->help);
			fprintf(f, "      e.g. %s\n", s->example);
			if (s->print)
				s->print(f);
		}
		fputc('\n', f);
	}
	fputs("Any step may start with `at CYCLE` (not before that cycle) and `repeat N`,\n"
	      "and end with `-> NAME` to capture its result for `expect`.\n", f);
}
