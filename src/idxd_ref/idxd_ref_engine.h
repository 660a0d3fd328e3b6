/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * idxd_ref engine: the software model of the device's silicon.
 *
 * The driver talks to the device only through its registers and memory
 * (idxd_ref_hw.h). The few calls below stand for what is not a register
 * access on real hardware: power-on (create), power-off (destroy), the bus
 * noticing a doorbell write, and the IOMMU's PASID table, through which the
 * device reaches host memory.
 */
#ifndef _IDXD_REF_ENGINE_H
#define _IDXD_REF_ENGINE_H

#include <linux/types.h>

struct pci_dev;
struct idxd_ref_engine;

/* idxd_ref_engine_bind_as() PASID of the requester's default space */
#define IDXD_REF_AS_NO_PASID	(IDXD_REF_PASID_MAX + 1)

struct idxd_ref_engine *idxd_ref_engine_create(struct pci_dev *bus_master,
					       void __iomem *edu_regs,
					       void __iomem *mem);
void idxd_ref_engine_destroy(struct idxd_ref_engine *eng);
void idxd_ref_engine_doorbell(struct idxd_ref_engine *eng);
int idxd_ref_engine_bind_as(struct idxd_ref_engine *eng, u32 pasid,
			    void *base, size_t size);
void idxd_ref_engine_unbind_as(struct idxd_ref_engine *eng, u32 pasid);

#endif /* _IDXD_REF_ENGINE_H */
