// The TLM-2.0 target over ccsim's machine; see ccsim_tlm.h and
// docs/systemc.md.
#include "sysc/ccsim_tlm.h"

#include <cerrno>
#include <vector>

namespace ccsim_tlm {

using namespace sc_core;

target::target(sc_module_name name, ccsim_machine *m, sc_time clock_period, ccsim_attrs defaults)
	: sc_module(name), socket("socket"), m_(m), period_(clock_period), defaults_(defaults)
{
	if (period_ == SC_ZERO_TIME)
		period_ = sc_time(1.0 / static_cast<double>(ccsim_machine_freq_hz(m)), SC_SEC);
	socket.register_b_transport(this, &target::b_transport);
	socket.register_transport_dbg(this, &target::transport_dbg);
	socket.register_get_direct_mem_ptr(this, &target::get_direct_mem_ptr);
	ccsim_machine_on_change(m_, &target::changed, this);
}

target::~target()
{
	ccsim_machine_on_change(m_, nullptr, nullptr);
}

const ccsim_attrs &target::attrs_of(tlm::tlm_generic_payload &t, security_extension *&ext) const
{
	t.get_extension(ext);
	return ext ? ext->attrs : defaults_;
}

// A fault's response: an address the machine does not have is the
// interconnect's decode error; every other refusal (a check, an integrity
// failure) the completer's error, with its detail in the extension.
static tlm::tlm_response_status fault_status(const ccsim_fault &f)
{
	return std::string(f.kind) == "bus.range" ? tlm::TLM_ADDRESS_ERROR_RESPONSE
						    : tlm::TLM_GENERIC_ERROR_RESPONSE;
}

void target::b_transport(tlm::tlm_generic_payload &t, sc_time &delay)
{
	security_extension *ext = nullptr;
	const ccsim_attrs &a = attrs_of(t, ext);
	uint64_t addr = t.get_address();
	unsigned len = t.get_data_length();
	transactions++;
	if (t.get_byte_enable_ptr()) {
		t.set_response_status(tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
		return;
	}
	if (t.get_streaming_width() < len) {
		t.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE);
		return;
	}
	if (t.is_read() == t.is_write()) { // TLM_IGNORE_COMMAND
		t.set_response_status(tlm::TLM_OK_RESPONSE);
		return;
	}
	// an ordinary access to a page a DMI pointer reaches would leave copies
	// in the caches the pointer bypasses: the grant goes first
	for (uint64_t p = addr & ~0xfffull; len && p <= addr + len - 1; p += 0x1000) {
		if (grants_.count(p))
			revoke(p);
	}
	ccsim_result r;
	int rc = ccsim_machine_access(m_, addr, t.get_data_ptr(), len, t.is_write(), &a, &r);
	delay += period_ * static_cast<double>(r.cycles);
	if (ext) {
		ext->cycles = r.cycles;
		ext->fault_kind = rc < 0 ? "request" : r.fault.kind;
		ext->fault_detail = rc == -ENOKEY ? "key_not_loaded" : rc < 0 ? "malformed" : r.fault.detail;
		ext->fault_addr = rc == 1 ? r.fault.addr : 0;
	}
	if (rc == 0) {
		t.set_response_status(tlm::TLM_OK_RESPONSE);
	} else {
		faults++;
		t.set_response_status(rc == 1 ? fault_status(r.fault) : tlm::TLM_GENERIC_ERROR_RESPONSE);
	}
	t.set_dmi_allowed(rc == 0 && dmi_hint(addr, a));
}

// The DMI hint, remembered for the last page, attributes and generation
// asked about (a loop over one page asks once).
bool target::dmi_hint(uint64_t addr, const ccsim_attrs &a)
{
	uint64_t page = addr & ~0xfffull, g = ccsim_machine_generation(m_);
	const ccsim_attrs &h = hint_attrs_;
	if (!hint_valid_ || page != hint_page_ || g != hint_generation_ || a.ns != h.ns ||
	    a.nse != h.nse || a.c_bit != h.c_bit || a.guest != h.guest || a.asid != h.asid ||
	    a.gpa != h.gpa || a.vmpl != h.vmpl || a.keyid != h.keyid || a.td != h.td ||
	    a.core != h.core) {
		hint_ = ccsim_machine_dmi_possible(m_, addr, &a);
		// the question may have loaded a slot: the generation after it
		hint_generation_ = ccsim_machine_generation(m_);
		hint_page_ = page;
		hint_attrs_ = a;
		hint_valid_ = true;
	}
	return hint_;
}

unsigned target::transport_dbg(tlm::tlm_generic_payload &t)
{
	unsigned len = t.get_data_length();
	int rc = 0;
	if (t.is_read())
		rc = ccsim_machine_phys_read(m_, t.get_address(), t.get_data_ptr(), len);
	else if (t.is_write())
		rc = ccsim_machine_phys_write(m_, t.get_address(), t.get_data_ptr(), len);
	else
		len = 0;
	t.set_response_status(rc ? tlm::TLM_ADDRESS_ERROR_RESPONSE : tlm::TLM_OK_RESPONSE);
	return rc ? 0 : len;
}

bool target::get_direct_mem_ptr(tlm::tlm_generic_payload &t, tlm::tlm_dmi &dmi)
{
	security_extension *ext = nullptr;
	const ccsim_attrs &a = attrs_of(t, ext);
	ccsim_dmi d;
	if (!ccsim_machine_dmi(m_, t.get_address(), &a, &d)) {
		// IEEE 1666-2011 11.2.5: a refusal still names the range it
		// covers, so the initiator need not ask again inside it
		dmi.set_start_address(d.start);
		dmi.set_end_address(d.end);
		dmi.allow_none();
		return false;
	}
	dmi.set_dmi_ptr(d.ptr);
	dmi.set_start_address(d.start);
	dmi.set_end_address(d.end);
	if (d.write)
		dmi.allow_read_write();
	else
		dmi.allow_read();
	// the pointer reaches the cells past every cache: ccsim charges no time
	dmi.set_read_latency(SC_ZERO_TIME);
	dmi.set_write_latency(SC_ZERO_TIME);
	grants_.emplace(d.start, grant{ d, a });
	dmi_grants++;
	return true;
}

// Every grant of the page goes: invalidate_direct_mem_ptr reaches every
// initiator bound to the socket.
void target::revoke(uint64_t page)
{
	grants_.erase(page);
	dmi_invalidations++;
	socket->invalidate_direct_mem_ptr(page, page + 0xfff);
}

// The generation moved (a delegation, an RMP update, a key load): a page
// is taken back when any of its grants no longer gives the rights it gave;
// the others stay.
void target::changed(void *ctx, uint64_t generation)
{
	target *self = static_cast<target *>(ctx);
	std::vector<uint64_t> gone;
	for (auto &g : self->grants_) {
		if (ccsim_machine_dmi_holds(self->m_, &g.second.dmi, &g.second.attrs))
			g.second.dmi.generation = generation;
		else if (gone.empty() || gone.back() != g.first)
			gone.push_back(g.first);
	}
	for (uint64_t page : gone)
		self->revoke(page);
}

} // namespace ccsim_tlm
