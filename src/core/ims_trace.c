// SPDX-License-Identifier: GPL-2.0-only
/*
 * The one instance of ims_core's trace events (see ims_trace.h): the event
 * code and the tracepoints themselves are generated here, every other file
 * only calls them.
 */

#include <linux/build_bug.h>
#include <linux/limits.h>

#include "ims_internal.h"

#define CREATE_TRACE_POINTS
#include "ims_trace.h"

/* The format files spell IMS_PASID_NONE as a literal: keep them equal. */
static_assert(IMS_TRACE_PASID_NONE == IMS_PASID_NONE);
