/* `ccsim attest`: make and verify Arm CCA attestation tokens
 * (models/monitor/attest/cca_token.h). */
#ifndef CCSIM_HARNESS_ATTEST_CMD_H
#define CCSIM_HARNESS_ATTEST_CMD_H

/* argv holds the arguments after "attest". Exit status: 0 valid / written,
 * 1 a check failed, 2 unreadable or malformed input, bad usage. */
int attest_main(int argc, char **argv);

#endif
