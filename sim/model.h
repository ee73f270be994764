/* The base every ccsim model embeds as its first member: name, kind, owning
 * simulation, reset and snapshot hooks. Snapshots are described by versioned
 * field tables (fixed-width little-endian fields at known offsets), in the
 * manner of QEMU's VMStateDescription, plus optional hooks for
 * variable-sized state (sparse memory, captures). */
#ifndef CCSIM_SIM_MODEL_H
#define CCSIM_SIM_MODEL_H

#include <stddef.h>
#include <stdint.h>

struct sim;
struct sim_model;
struct sim_buf;
struct sim_reader;

/* One fixed-width field of a model's state: `count` elements of `size` bytes
 * (1, 2, 4 or 8) starting `offset` bytes into the model struct. */
struct sim_field {
	const char *name;
	size_t offset;
	uint32_t size;
	uint32_t count;
};

#define SIM_FIELD(type, member)                                                \
	{ #member, offsetof(type, member), (uint32_t)sizeof(((type *)0)->member), 1 }
#define SIM_FIELD_ARRAY(type, member, elem_type)                               \
	{ #member, offsetof(type, member), (uint32_t)sizeof(elem_type),              \
	  (uint32_t)(sizeof(((type *)0)->member) / sizeof(elem_type)) }

/* A versioned description of a model's saved state. A checkpoint records the
 * version; restore refuses a version it does not know. */
struct sim_vmstate {
	const char *name;
	uint32_t version;
	const struct sim_field *fields;
	size_t nfields;
};

struct sim_model_ops {
	/* Return the model to its power-on state (configuration is kept). */
	void (*reset)(struct sim_model *m);
	/* Variable-sized state beyond the field table; both may be NULL. */
	int (*save_extra)(const struct sim_model *m, struct sim_buf *out);
	int (*restore_extra)(struct sim_model *m, struct sim_reader *in);
	/* A checkpoint record of a model this simulation no longer has, whose
	 * state is this model's now: `record` its model's name, `state` and
	 * `version` its field table, `values` the field values as
	 * restore_old_fields gets them, `extra` what its save_extra wrote. 0 if
	 * taken, -ENOENT if not this model's, another negative errno if it
	 * cannot be. */
	int (*adopt_record)(struct sim_model *m, const char *record, const char *state,
			    uint32_t version, const uint8_t *values, size_t len, const uint8_t *extra,
			    size_t elen);
	/* A checkpoint whose field table for this model is not its own (an
	 * older ccsim's: a monitor whose counters were fields before its state
	 * became one blob): the table's name, version and values, in order,
	 * each element little-endian; restore_extra follows as usual. 0, or
	 * -EINVAL if it cannot take them. NULL: such a checkpoint is refused. */
	int (*restore_old_fields)(struct sim_model *m, const char *state, uint32_t version,
				  const uint8_t *values, size_t len);
	/* Release what the model allocated; the sim calls it at teardown. */
	void (*destroy)(struct sim_model *m);
};

struct sim_model {
	const char *name;          /* instance name, unique in the sim: "mem", "cpu0" */
	const char *kind;          /* model type: "mem", "memenc", "cpu" */
	struct sim *sim;
	const struct sim_model_ops *ops;
	const struct sim_vmstate *vmstate; /* offsets are from the model struct start */
	struct sim_model *next;    /* registration order, which is also save order */
};

#endif
