// make bench's SystemC figures (docs/bench.md): b_transport transactions
// per second of host time through ccsim's TLM target, beside a bare
// loosely-timed memory target (a simple_target_socket that memcpys) timed
// in the same run by the same initiator. Prints "name value" lines that
// harness/bench reads. Host time is read here only, never by the model.
//   bench_sysc [transactions]
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include <tlm_utils/simple_initiator_socket.h>

#include "sysc/ccsim_tlm.h"

using namespace sc_core;

namespace {

const int REPEATS = 3;
const uint64_t PAGE = 0x80100000; // cca: delegable; plain: ordinary memory
const unsigned SPAN = 4096;       // one page, 8 bytes at a time: L1 hits

// The reference: the simplest LT memory, what an untimed model costs.
struct bare_memory : sc_module {
	tlm_utils::simple_target_socket<bare_memory> socket;
	std::vector<uint8_t> mem;
	bare_memory(sc_module_name n) : sc_module(n), socket("socket"), mem(1 << 20)
	{
		socket.register_b_transport(this, &bare_memory::b_transport);
	}
	void b_transport(tlm::tlm_generic_payload &t, sc_time &delay)
	{
		uint64_t a = t.get_address() & (mem.size() - 1);
		if (t.is_read())
			std::memcpy(t.get_data_ptr(), &mem[a], t.get_data_length());
		else
			std::memcpy(&mem[a], t.get_data_ptr(), t.get_data_length());
		delay += sc_time(1, SC_NS);
		t.set_response_status(tlm::TLM_OK_RESPONSE);
	}
};

struct runner : sc_module {
	static const int TARGETS = 3;
	tlm_utils::simple_initiator_socket<runner> sock[TARGETS];
	const char *names[TARGETS] = { "sysc.bare_lt_per_s", "sysc.ccsim_plain_per_s",
				       "sysc.ccsim_cca_realm_per_s" };
	ccsim_attrs attrs[TARGETS] = {};
	uint64_t n;
	double rate[TARGETS] = {};
	uint64_t cycles[TARGETS] = {};
	int failures = 0;

	SC_HAS_PROCESS(runner);
	runner(sc_module_name nm, uint64_t count) : sc_module(nm), n(count)
	{
		SC_THREAD(run);
	}

	// n 8-byte reads over one page; the best rate of REPEATS.
	void measure(int i)
	{
		tlm::tlm_generic_payload t;
		ccsim_tlm::security_extension ext;
		ext.attrs = attrs[i];
		uint64_t v = 0, bad = 0;
		t.set_data_ptr(reinterpret_cast<unsigned char *>(&v));
		t.set_data_length(8);
		t.set_streaming_width(8);
		t.set_extension(&ext);
		for (int rep = 0; rep < REPEATS; rep++) {
			sc_time delay = SC_ZERO_TIME;
			auto t0 = std::chrono::steady_clock::now();
			for (uint64_t k = 0; k < n; k++) {
				t.set_command(tlm::TLM_READ_COMMAND);
				t.set_address(PAGE + (k * 8) % SPAN);
				t.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
				sock[i]->b_transport(t, delay);
				bad += !t.is_response_ok();
			}
			std::chrono::duration<double> s = std::chrono::steady_clock::now() - t0;
			wait(delay); // the quantum: one sync per repeat
			double r = static_cast<double>(n) / s.count();
			if (r > rate[i])
				rate[i] = r;
			cycles[i] = ext.cycles;
		}
		t.clear_extension(&ext);
		if (bad) {
			std::fprintf(stderr, "bench_sysc: %s: %" PRIu64 " transactions failed\n", names[i],
				     bad);
			failures++;
		}
	}

	void run()
	{
		for (int i = 0; i < TARGETS; i++)
			measure(i);
	}
};

} // namespace

int sc_main(int argc, char **argv)
{
	uint64_t n = argc > 1 ? std::strtoull(argv[1], nullptr, 0) : 4u << 20;
	ccsim_machine *plain, *cca;
	char err[512];
	if (ccsim_machine_new("plain", nullptr, 0, &plain, err, sizeof(err)) ||
	    ccsim_machine_new("cca", nullptr, 0, &cca, err, sizeof(err))) {
		std::fprintf(stderr, "bench_sysc: %s\n", err);
		return 2;
	}
	// the realm's page: delegated through the RMM, then filled
	ccsim_attrs host{}, realm{};
	host.ns = realm.ns = realm.nse = true;
	uint64_t regs[8] = { 0xc4000151, PAGE }, c;
	ccsim_machine_smc(cca, &host, regs, &c);
	std::vector<uint8_t> fill(SPAN, 0x5a);
	ccsim_result r;
	if (regs[0] != 0 || ccsim_machine_access(cca, PAGE, fill.data(), SPAN, true, &realm, &r) != 0) {
		std::fprintf(stderr, "bench_sysc: cannot set the realm's page up\n");
		return 1;
	}
	int failures;
	{
		bare_memory bare("bare");
		ccsim_tlm::target tp("ccsim_plain", plain), tc("ccsim_cca", cca);
		runner run("runner", n);
		run.attrs[2] = realm;
		run.sock[0].bind(bare.socket);
		run.sock[1].bind(tp.socket);
		run.sock[2].bind(tc.socket);
		sc_start();
		for (int i = 0; i < runner::TARGETS; i++)
			std::printf("%s %.0f\n", run.names[i], run.rate[i]);
		std::printf("sysc.ccsim_plain_cycles %" PRIu64 "\n", run.cycles[1]);
		std::printf("sysc.ccsim_cca_realm_cycles %" PRIu64 "\n", run.cycles[2]);
		std::printf("sysc.transactions %" PRIu64 "\n", n);
		failures = run.failures;
	}
	ccsim_machine_free(plain);
	ccsim_machine_free(cca);
	return failures ? 1 : 0;
}
