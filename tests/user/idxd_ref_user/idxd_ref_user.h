/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * idxd_ref_user: what its files share. ctx.c opens the device and holds the
 * helpers every sub-command uses (handles, descriptors, eventfds, waits);
 * cases.c has the sub-commands, stress.c the random stress run, main.c the
 * command line.
 */
#ifndef _IDXD_REF_USER_H
#define _IDXD_REF_USER_H

#define _GNU_SOURCE
#include <stdint.h>
#include <stddef.h>

#include <uapi/idxd_ref.h>

#define COMP_BASE	(32 * 1024)
#define DATA_LEN	256
#define MAXH		16
#define IRQ_WAIT_MS	(5000)

/* An open file of the device: its buffer, and the handles taken on it. */
struct ctx {
	int fd;
	uint8_t *buf;
	struct idxd_ref_info info;
	int nh;
	uint32_t h[MAXH];
	int efd[MAXH];
	uint64_t got[MAXH];	/* eventfd counts read */
};

/* The device file the sub-commands open (-d). */
extern const char *dev;

void diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
long now_ms(void);
void ctx_open(struct ctx *c);
void ctx_close(struct ctx *c);
int alloc_handle_at(struct ctx *c, int i, int with_efd);
int alloc_handle(struct ctx *c, int with_efd);
void handle_op(struct ctx *c, unsigned long cmd, uint32_t h, uint32_t flags);
void efd_collect(struct ctx *c, int i);
int wait_handle(struct ctx *c, int i, uint64_t want, int timeout_ms);
void hstats(struct ctx *c, uint32_t h, struct idxd_ref_handle_stats *s);
void dstats(struct ctx *c, struct idxd_ref_dev_stats *s);
void make_desc(struct ctx *c, int i, uint32_t handle, int rci,
	       struct idxd_ref_desc *d);
int check_desc(struct ctx *c, const struct idxd_ref_desc *d,
	       uint8_t want_status);
int submit(struct ctx *c, struct idxd_ref_desc *d, unsigned int n);
void submit_spread(struct ctx *c, struct idxd_ref_desc *d, int n, int m,
		   int with_efd);
uint64_t wait_events(struct ctx *c, uint64_t want, int timeout_ms);
uint64_t drain_events(struct ctx *c, int ms);
void wait_records(struct ctx *c, struct idxd_ref_desc *d, int n,
		  int timeout_ms);

int run_basic(struct ctx *c, int n, int m);
int run_mask(struct ctx *c);
int run_foreign(struct ctx *a);
int run_pasid(struct ctx *a, int n);
int run_quota(struct ctx *c);
int run_negative(struct ctx *c);
int run_dynamic(struct ctx *c, int n);
int run_hold(struct ctx *c, int n, int m);
int run_burst(struct ctx *c, int n, int m);
int run_stress(struct ctx *c, int secs, int m);

#endif /* _IDXD_REF_USER_H */
