// ccsim's memory path as a SystemC TLM-2.0 target (docs/systemc.md): the
// loosely-timed base protocol behind a simple_target_socket, with the
// transaction's security attributes in an ignorable extension.
#ifndef CCSIM_SYSC_CCSIM_TLM_H
#define CCSIM_SYSC_CCSIM_TLM_H

#include <cstdint>
#include <map>
#include <string>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include "include/ccsim/machine.h"

namespace ccsim_tlm {

// Who makes a transaction, and (on the way back) what the target found.
// Ignorable (IEEE 1666-2011 14.21): a target that does not know it serves
// the transaction with its default attributes, an initiator that does not
// set it gets them. Accessors follow the conventions of existing SystemC
// libraries rather than new payload fields: is_non_secure / set_non_secure
// as Arm's AMBA-PV extension and Xilinx's genattr_extension name the AMBA
// NS bit; set_nse for AMBA AXI5 / CHI RME's NSE bit, the two together the
// physical address space (Secure, Non-secure, Root, Realm: QEMU's
// MemTxAttrs.space numbers them alike); master_id as genattr's. The x86
// attributes have no common extension: they are named after the
// architecture (APM's ASID and C-bit, Intel's KeyID and TD bit).
class security_extension : public tlm::tlm_extension<security_extension>
{
public:
	ccsim_attrs attrs{};

	// Arm
	void set_non_secure(bool ns = true) { attrs.ns = ns; }
	bool is_non_secure() const { return attrs.ns; }
	void set_nse(bool nse = true) { attrs.nse = nse; }
	bool is_nse() const { return attrs.nse; }
	void set_pas(ccsim_pas p) { attrs.nse = p & 2; attrs.ns = p & 1; }
	ccsim_pas get_pas() const { return ccsim_pas_of(attrs.nse, attrs.ns); }
	// AMD SEV
	void set_c_bit(bool c = true) { attrs.c_bit = c; }
	bool get_c_bit() const { return attrs.c_bit; }
	void set_guest(uint32_t asid, uint64_t gpa, uint8_t vmpl = 0)
	{
		attrs.guest = true;
		attrs.asid = asid;
		attrs.gpa = gpa;
		attrs.vmpl = vmpl;
	}
	void set_host() { attrs.guest = false; }
	bool is_guest() const { return attrs.guest; }
	uint32_t get_asid() const { return attrs.asid; }
	// Intel TDX
	void set_keyid(uint32_t k) { attrs.keyid = k; }
	uint32_t get_keyid() const { return attrs.keyid; }
	void set_td(bool td = true) { attrs.td = td; }
	bool is_td() const { return attrs.td; }
	// the core whose caches the access goes through
	void set_master_id(uint64_t id) { attrs.core = static_cast<uint8_t>(id); }
	uint64_t get_master_id() const { return attrs.core; }

	// Filled in by the target: the fault (kind "none" if the access
	// completed; empty if the target did not see the extension) and the
	// cycles the access cost in ccsim.
	std::string fault_kind, fault_detail;
	uint64_t fault_addr = 0;
	uint64_t cycles = 0;
	bool faulted() const { return !fault_kind.empty() && fault_kind != "none"; }

	tlm::tlm_extension_base *clone() const override { return new security_extension(*this); }
	void copy_from(const tlm::tlm_extension_base &e) override
	{
		*this = static_cast<const security_extension &>(e);
	}
};

// The target: one ccsim machine at addresses [0, 2^pa_bits), the payload's
// address the physical address. b_transport goes through the whole memory
// path and adds ccsim's cycles times clock_period to the delay;
// transport_dbg is the physical view (DRAM cells, ciphertext where the
// engine encrypts); DMI is granted a page at a time where no check or
// transformation applies, and taken back when a table or key change, or an
// ordinary transaction to the page, could make the pointer wrong.
class target : public sc_core::sc_module
{
public:
	tlm_utils::simple_target_socket<target> socket;

	// m stays the caller's (freed after the target). clock_period zero:
	// the profile's core clock (1 / freq, at the time resolution).
	// defaults: the attributes of a transaction without the extension.
	target(sc_core::sc_module_name name, ccsim_machine *m,
	       sc_core::sc_time clock_period = sc_core::SC_ZERO_TIME, ccsim_attrs defaults = host_ns());
	~target() override;

	ccsim_machine *machine() { return m_; }
	sc_core::sc_time clock_period() const { return period_; }
	// A normal-world host's access: Arm NS, x86 host, KeyID 0.
	static ccsim_attrs host_ns()
	{
		ccsim_attrs a{};
		a.ns = true;
		return a;
	}

	uint64_t transactions = 0, faults = 0, dmi_grants = 0, dmi_invalidations = 0;

private:
	ccsim_machine *m_;
	sc_core::sc_time period_;
	ccsim_attrs defaults_;
	struct grant {
		ccsim_dmi dmi;
		ccsim_attrs attrs;
	};
	std::multimap<uint64_t, grant> grants_; // by page: one per set of attributes asked with
	bool hint_valid_ = false, hint_ = false;
	uint64_t hint_page_ = 0, hint_generation_ = 0;
	ccsim_attrs hint_attrs_{};

	bool dmi_hint(uint64_t addr, const ccsim_attrs &a);

	const ccsim_attrs &attrs_of(tlm::tlm_generic_payload &t, security_extension *&ext) const;
	void b_transport(tlm::tlm_generic_payload &t, sc_core::sc_time &delay);
	unsigned transport_dbg(tlm::tlm_generic_payload &t);
	bool get_direct_mem_ptr(tlm::tlm_generic_payload &t, tlm::tlm_dmi &dmi);
	void revoke(uint64_t page);
	static void changed(void *ctx, uint64_t generation);
};

} // namespace ccsim_tlm

#endif
