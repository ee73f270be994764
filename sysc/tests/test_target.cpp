// The TLM target's edges that the example does not reach: a transaction
// without the extension, unsupported payload features, the debug write,
// DMI taken back by an ordinary access and by a key load, the DMI hint.
// Prints "ok NAME" / "FAIL NAME" lines (tests/test_sysc.sh runs it).
#include <cstdio>
#include <cstring>

#include <tlm_utils/simple_initiator_socket.h>

#include "sysc/ccsim_tlm.h"

using namespace sc_core;

namespace {

struct tester : sc_module {
	tlm_utils::simple_initiator_socket<tester> socket;
	ccsim_tlm::target *tgt = nullptr;
	int failures = 0, invalidations = 0;
	uint64_t last_start = 0;

	SC_HAS_PROCESS(tester);
	tester(sc_module_name n) : sc_module(n), socket("socket")
	{
		socket.register_invalidate_direct_mem_ptr(this, &tester::invalidate);
		SC_THREAD(run);
	}
	void invalidate(sc_dt::uint64 start, sc_dt::uint64)
	{
		invalidations++;
		last_start = start;
	}
	void check(bool ok, const char *name)
	{
		std::printf("%s %s\n", ok ? "ok" : "FAIL", name);
		failures += !ok;
	}
	tlm::tlm_response_status go(tlm::tlm_generic_payload &t, uint64_t addr, void *buf, unsigned len,
				    bool write, sc_time *delay = nullptr)
	{
		sc_time d = SC_ZERO_TIME;
		t.set_command(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
		t.set_address(addr);
		t.set_data_ptr(static_cast<unsigned char *>(buf));
		t.set_data_length(len);
		t.set_streaming_width(len);
		t.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
		socket->b_transport(t, d);
		if (delay)
			*delay = d;
		return t.get_response_status();
	}
	void run()
	{
		tlm::tlm_generic_payload t;
		char buf[8] = "abcdefg";
		sc_time d;
		// plain, no extension: the target's default attributes
		check(go(t, 0x10000, buf, 8, true, &d) == tlm::TLM_OK_RESPONSE, "a write without the extension");
		check(d > SC_ZERO_TIME && d == tgt->clock_period() * 289.0, "its delay is ccsim's cycles times the period");
		check(t.is_dmi_allowed(), "the DMI hint on plain memory");
		unsigned char be[8] = { 0xff };
		t.set_byte_enable_ptr(be);
		t.set_byte_enable_length(8);
		check(go(t, 0x10000, buf, 8, false) == tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE, "byte enables are refused");
		t.set_byte_enable_ptr(nullptr);
		t.set_byte_enable_length(0);
		t.set_command(tlm::TLM_IGNORE_COMMAND);
		sc_time z = SC_ZERO_TIME;
		t.set_streaming_width(8);
		socket->b_transport(t, z);
		check(t.is_response_ok(), "TLM_IGNORE_COMMAND is answered");
		check(go(t, 1ull << 62, buf, 8, false) == tlm::TLM_ADDRESS_ERROR_RESPONSE, "past pa_bits: address error");

		// the debug write lands in DRAM; an ordinary read sees it once no
		// cache holds the line
		uint64_t c;
		ccsim_machine_wbinvd(tgt->machine(), &c);
		tlm::tlm_generic_payload dbg;
		char dw[8] = "debug!!";
		dbg.set_write();
		dbg.set_address(0x10000);
		dbg.set_data_ptr(reinterpret_cast<unsigned char *>(dw));
		dbg.set_data_length(8);
		check(socket->transport_dbg(dbg) == 8, "transport_dbg writes");
		char rb[8] = {};
		go(t, 0x10000, rb, 8, false);
		check(std::memcmp(rb, "debug!!", 8) == 0, "... and the memory path reads it");

		// DMI: granted, then taken back by an ordinary access to the page
		tlm::tlm_dmi dmi;
		check(socket->get_direct_mem_ptr(t, dmi) && dmi.is_read_write_allowed(), "DMI granted");
		std::memcpy(dmi.get_dmi_ptr(), "via dmi", 8);
		go(t, 0x10000, rb, 8, false);
		check(invalidations == 1 && last_start == 0x10000, "an ordinary access takes DMI back");
		check(std::memcmp(rb, "via dmi", 8) == 0, "... after which it reads what DMI wrote");
		// a key load that leaves the grant's key alone leaves the grant
		check(socket->get_direct_mem_ptr(t, dmi), "DMI granted again");
		check(ccsim_machine_key_program(tgt->machine(), 0, true, false) == 0, "the host's key made encrypting");
		check(invalidations == 2, "a key load that makes the page's key encrypt takes DMI back");
		check(!socket->get_direct_mem_ptr(t, dmi), "... and DMI is refused after it");
		go(t, 0x10000, rb, 8, false);
		check(!t.is_dmi_allowed(), "... and the hint is off");
	}
};

} // namespace

int sc_main(int, char **)
{
	ccsim_machine *m;
	char err[512];
	if (ccsim_machine_new("plain", nullptr, 0, &m, err, sizeof(err))) {
		std::fprintf(stderr, "test_target: %s\n", err);
		return 2;
	}
	int failures;
	{
		ccsim_tlm::target tgt("ccsim", m);
		tester t("tester");
		t.tgt = &tgt;
		t.socket.bind(tgt.socket);
		sc_start();
		failures = t.failures;
	}
	ccsim_machine_free(m);
	return failures ? 1 : 0;
}
