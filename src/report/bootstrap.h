/*
 * Private: the VaR/ES bootstrap of a per-path sample spread over the ranks (report.c),
 * shared with the horizon statistics (horizon.c).  Collective over res->comm.
 */
#ifndef HEDGESIM_REPORT_BOOTSTRAP_H
#define HEDGESIM_REPORT_BOOTSTRAP_H

#include "hedgesim/report.h"

hs_status hs_report_bootstrap(const hs_results *res, const double *pnl, uint64_t seed, int threads,
                              const hs_summary *sum, hs_ci *ci, hs_error *err);

#endif
