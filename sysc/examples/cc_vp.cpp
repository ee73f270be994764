// An example virtual platform: one initiator, standing for a host and a
// confidential guest in turn, and ccsim's machine as the memory target.
//   cc_vp [cca | sev-snp] [--set group.key=value ...]
// cca: the host writes a granule (DMI granted: NS memory is plaintext and
// unchecked), delegates it to the Realm PAS through the RMM (the grant is
// taken back), the realm stores a secret there, the host's read of it is
// refused by the granule protection check, and the DRAM behind it holds
// ciphertext. sev-snp: the page is assigned to a guest by RMPUPDATE, the
// host's write is refused by the RMP, its read returns ciphertext.
// docs/systemc.md walks through the output.
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include <tlm_utils/simple_initiator_socket.h>

#include "sysc/ccsim_tlm.h"

using namespace sc_core;
using ccsim_tlm::security_extension;

namespace {

const uint64_t CCA_PAGE = 0x80100000; // inside cca's delegable range
const uint64_t SNP_PAGE = 0x3000000, SNP_GPA = 0x5000;
const uint64_t RMI_GRANULE_DELEGATE = 0xc4000151;
const char SECRET[] = "top secret: 42!!";

std::string hex(const uint8_t *p, size_t n)
{
	std::string s;
	char b[4];
	for (size_t i = 0; i < n; i++) {
		std::snprintf(b, sizeof(b), "%02x", p[i]);
		s += b;
	}
	return s;
}

std::string text(const uint8_t *p, size_t n)
{
	std::string s;
	for (size_t i = 0; i < n; i++)
		s += p[i] >= 0x20 && p[i] < 0x7f ? static_cast<char>(p[i]) : '.';
	return s;
}

struct initiator : sc_module {
	tlm_utils::simple_initiator_socket<initiator> socket;
	ccsim_tlm::target *tgt = nullptr;
	std::string profile;
	int failures = 0;

	SC_HAS_PROCESS(initiator);
	initiator(sc_module_name n, std::string p) : sc_module(n), socket("socket"), profile(std::move(p))
	{
		socket.register_invalidate_direct_mem_ptr(this, &initiator::invalidate);
		SC_THREAD(run);
	}

	void invalidate(sc_dt::uint64 start, sc_dt::uint64 end)
	{
		std::printf("  dmi: invalidated [0x%" PRIx64 ", 0x%" PRIx64 "]\n", (uint64_t)start,
			    (uint64_t)end);
	}

	// One b_transport; prints who, what, the response and the cost.
	bool access(const char *who, const ccsim_attrs &a, tlm::tlm_command cmd, uint64_t addr,
		    uint8_t *data, unsigned len)
	{
		tlm::tlm_generic_payload t;
		security_extension ext;
		ext.attrs = a;
		t.set_command(cmd);
		t.set_address(addr);
		t.set_data_ptr(data);
		t.set_data_length(len);
		t.set_streaming_width(len);
		t.set_extension(&ext);
		sc_time delay = SC_ZERO_TIME;
		socket->b_transport(t, delay);
		t.clear_extension(&ext);
		wait(delay);
		std::printf("%-6s %-5s 0x%" PRIx64 " %-24s %" PRIu64 " cycles (%s)", who,
			    cmd == tlm::TLM_READ_COMMAND ? "read" : "write", addr,
			    t.get_response_string().c_str(), ext.cycles, delay.to_string().c_str());
		if (ext.faulted())
			std::printf(" fault %s (%s)", ext.fault_kind.c_str(), ext.fault_detail.c_str());
		else if (cmd == tlm::TLM_READ_COMMAND)
			std::printf(" \"%s\"", text(data, len).c_str());
		std::printf("\n");
		return t.is_response_ok();
	}

	void ask_dmi(const char *who, const ccsim_attrs &a, uint64_t addr)
	{
		tlm::tlm_generic_payload t;
		security_extension ext;
		ext.attrs = a;
		t.set_address(addr);
		t.set_extension(&ext);
		tlm::tlm_dmi dmi;
		bool ok = socket->get_direct_mem_ptr(t, dmi);
		t.clear_extension(&ext);
		std::printf("  dmi: %s asks for 0x%" PRIx64 ": %s [0x%" PRIx64 ", 0x%" PRIx64 "]%s\n", who,
			    addr, ok ? "granted" : "refused", (uint64_t)dmi.get_start_address(),
			    (uint64_t)dmi.get_end_address(),
			    ok ? (dmi.is_write_allowed() ? " read-write" : " read-only") : "");
	}

	void dram_view(uint64_t addr, unsigned len)
	{
		uint64_t cycles;
		ccsim_machine_wbinvd(tgt->machine(), &cycles);
		std::vector<uint8_t> buf(len);
		tlm::tlm_generic_payload t;
		t.set_read();
		t.set_address(addr);
		t.set_data_ptr(buf.data());
		t.set_data_length(len);
		unsigned n = socket->transport_dbg(t);
		std::printf("dram   0x%" PRIx64 " (transport_dbg, %u bytes) %s \"%s\"\n", addr, n,
			    hex(buf.data(), n).c_str(), text(buf.data(), n).c_str());
		if (std::memcmp(buf.data(), SECRET, sizeof(SECRET) - 1) == 0)
			failures++; // the secret in plaintext in DRAM
	}

	void expect(bool ok, const char *what)
	{
		if (!ok) {
			std::printf("UNEXPECTED: %s\n", what);
			failures++;
		}
	}

	void run_cca()
	{
		ccsim_attrs host = ccsim_tlm::target::host_ns(), realm = host;
		realm.nse = true; // {NSE, NS} = 11: the Realm PAS
		uint8_t buf[16];
		std::memcpy(buf, "host data.......", 16);
		expect(access("host", host, tlm::TLM_WRITE_COMMAND, CCA_PAGE, buf, 16), "host write");
		ask_dmi("host", host, CCA_PAGE);
		uint64_t regs[8] = { RMI_GRANULE_DELEGATE, CCA_PAGE }, cycles;
		std::printf("host   RMI_GRANULE_DELEGATE 0x%" PRIx64 "\n", CCA_PAGE);
		ccsim_machine_smc(tgt->machine(), &host, regs, &cycles);
		std::printf("       -> status %" PRIu64 ", %" PRIu64 " cycles\n", regs[0], cycles);
		expect(regs[0] == 0, "delegation");
		std::memcpy(buf, SECRET, 16);
		expect(access("realm", realm, tlm::TLM_WRITE_COMMAND, CCA_PAGE, buf, 16), "realm write");
		std::memset(buf, 0, 16);
		expect(access("realm", realm, tlm::TLM_READ_COMMAND, CCA_PAGE, buf, 16), "realm read");
		expect(std::memcmp(buf, SECRET, 16) == 0, "realm reads its secret");
		std::memset(buf, 0, 16);
		expect(!access("host", host, tlm::TLM_READ_COMMAND, CCA_PAGE, buf, 16), "host read blocked");
		ask_dmi("realm", realm, CCA_PAGE);
		dram_view(CCA_PAGE, 16);
	}

	void run_snp()
	{
		ccsim_attrs host{}, guest{};
		host.c_bit = false; // the host's plaintext path
		guest.guest = true;
		guest.c_bit = true;
		guest.asid = 1;
		guest.gpa = SNP_GPA;
		ccsim_machine *m = tgt->machine();
		uint8_t buf[16];
		uint64_t cycles, args[4] = { 0 };
		ccsim_fault f;
		std::memcpy(buf, "host data.......", 16);
		expect(access("host", host, tlm::TLM_WRITE_COMMAND, SNP_PAGE, buf, 16), "host write");
		ask_dmi("host", host, SNP_PAGE);
		int s = ccsim_machine_snp(m, "init", args, &cycles);
		std::printf("host   SNP_INIT: status %d\n", s);
		// the guest's key in its ASID's slot, as SNP_ACTIVATE loads it
		expect(ccsim_machine_key_program(m, 1, true, false) == 0, "key load");
		std::printf("host   RMPUPDATE 0x%" PRIx64 " asid 1 gpa 0x%" PRIx64 "\n", SNP_PAGE, SNP_GPA);
		s = ccsim_machine_rmpupdate(m, SNP_PAGE, 1, SNP_GPA, false, &f, &cycles);
		std::printf("       -> status %d, %" PRIu64 " cycles\n", s, cycles);
		expect(s == 0, "rmpupdate");
		s = ccsim_machine_pvalidate(m, SNP_PAGE, 1, SNP_GPA, true, &f, &cycles);
		std::printf("guest  PVALIDATE 0x%" PRIx64 ": status %d\n", SNP_GPA, s);
		std::memcpy(buf, SECRET, 16);
		expect(access("guest", guest, tlm::TLM_WRITE_COMMAND, SNP_PAGE, buf, 16), "guest write");
		std::memset(buf, 0, 16);
		expect(access("guest", guest, tlm::TLM_READ_COMMAND, SNP_PAGE, buf, 16), "guest read");
		std::memcpy(buf, "host overwrite..", 16);
		expect(!access("host", host, tlm::TLM_WRITE_COMMAND, SNP_PAGE, buf, 16), "host write blocked");
		// once the guest's lines are written back, the host reads what
		// DRAM holds: the host's reads are not RMP-checked (APM 15.36.10)
		dram_view(SNP_PAGE, 16);
		expect(access("host", host, tlm::TLM_READ_COMMAND, SNP_PAGE, buf, 16), "host read");
		expect(std::memcmp(buf, SECRET, 16) != 0, "host reads ciphertext");
	}

	void run()
	{
		if (profile == "sev-snp")
			run_snp();
		else
			run_cca();
		std::printf("target: %" PRIu64 " transactions, %" PRIu64 " refused, %" PRIu64
			    " dmi grants, %" PRIu64 " dmi invalidations; simulated %s\n",
			    tgt->transactions, tgt->faults, tgt->dmi_grants, tgt->dmi_invalidations,
			    sc_time_stamp().to_string().c_str());
	}
};

} // namespace

int sc_main(int argc, char **argv)
{
	std::string profile = "cca";
	std::vector<const char *> sets;
	for (int i = 1; i < argc; i++) {
		if (std::strcmp(argv[i], "--set") == 0 && i + 1 < argc) {
			sets.push_back(argv[++i]);
		} else if (argv[i][0] != '-') {
			profile = argv[i];
		} else {
			std::fprintf(stderr, "usage: %s [cca | sev-snp] [--set group.key=value ...]\n", argv[0]);
			return 2;
		}
	}
	if (profile != "cca" && profile != "sev-snp") {
		std::fprintf(stderr, "cc_vp: the example knows cca and sev-snp, not %s\n", profile.c_str());
		return 2;
	}
	ccsim_machine *m;
	char err[512];
	if (ccsim_machine_new(profile.c_str(), sets.data(), sets.size(), &m, err, sizeof(err))) {
		std::fprintf(stderr, "cc_vp: %s\n", err);
		return 2;
	}
	int failures;
	{
		ccsim_tlm::target tgt("ccsim", m);
		initiator ini("cpu", profile);
		ini.tgt = &tgt;
		ini.socket.bind(tgt.socket);
		std::printf("cc_vp: profile %s (%s), clock period %s\n", ccsim_machine_profile(m),
			    ccsim_machine_arch(m), tgt.clock_period().to_string().c_str());
		sc_start();
		failures = ini.failures;
	}
	std::printf("machine.gpc.faults %" PRIu64 ", machine.rmp.faults %" PRIu64
		    ", memenc.encrypts %" PRIu64 "\n",
		    ccsim_machine_stat(m, "machine.gpc.faults"), ccsim_machine_stat(m, "machine.rmp.faults"),
		    ccsim_machine_stat(m, "memenc.encrypts"));
	ccsim_machine_free(m);
	std::printf("%s\n", failures ? "cc_vp: FAILED" : "cc_vp: ok");
	return failures ? 1 : 0;
}
