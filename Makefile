# SPDX-License-Identifier: GPL-2.0-only
# Top-level entry points of the IMS out-of-tree module project.
#
#   make                      build the modules (W=1) for the running kernel,
#                             or for KDIR=/path/to/kernel/build (without
#                             headers of the running kernel: modules-all)
#   make KVERS="v1 v2"        build for each listed kernel into build/<kver>/
#   make modules-all          build for every kernel of the test matrix
#   make check                run the VM test lanes (LANES=..., TESTS=...)
#   make check-debug          only the debug kernel's lane (KASAN, lockdep,
#                             kmemleak; that kernel is built once, cached)
#   make bench                benchmark IMS against MSI-X in the VM
#   make demo                 boot the 6.12/intel-ir lane and run the demo
#   make setup                install the host prerequisites (Debian 12)
#   make install              install the modules for KDIR without DKMS
#                             (extra/, depmod; DESTDIR=... for a staging root)
#   make dkms-install         install the DKMS package for the running kernel
#                             (KVERS="..." for others)
#   make dkms-remove          remove the DKMS package for every kernel
#   make deb                  build the Debian packages ims-dkms and
#                             ims-tools into build/deb/ (lintian-checked)
#   make clean                remove build outputs
#
# Kbuild (not this file) lists the modules; kbuild reads Kbuild first when
# it builds this directory with M=.

KVERS ?=
KDIR ?= /lib/modules/$(shell uname -r)/build
LANES ?=
TESTS ?=

.PHONY: all modules modules-all check check-debug bench demo setup install dkms-install dkms-remove deb clean help

all: modules

modules:
ifneq ($(strip $(KVERS)),)
	@set -e; for k in $(KVERS); do scripts/build-modules.sh $$k; done
else ifneq ($(origin KDIR)$(wildcard $(KDIR)),file)
	@scripts/build-modules.sh --kdir $(KDIR)
else
	@echo "no headers for the running kernel ($(KDIR)): building the test matrix"
	@$(MAKE) --no-print-directory modules-all
endif

modules-all:
	@scripts/setup-host.sh
	@set -e; scripts/kernels.sh fetch | while read -r line kver; do \
		scripts/build-modules.sh $$kver; done

check:
	@LANES='$(LANES)' TESTS='$(TESTS)' scripts/check.sh

check-debug:
	@LANES='$(LANES)' TESTS='$(TESTS)' scripts/check.sh --debug

bench:
	@scripts/bench.sh

demo:
	@scripts/demo.sh

setup:
	@scripts/setup-host.sh

install:
	@scripts/install.sh $(KDIR) $(DESTDIR)

dkms-install:
	@scripts/dkms.sh install $(or $(KVERS),$(shell uname -r))

dkms-remove:
	@scripts/dkms.sh remove

deb:
	@scripts/deb.sh

clean:
	rm -rf build
	find . \( -name '*.o' -o -name '*.ko' -o -name '*.mod' -o -name '*.mod.c' \
		-o -name '.*.cmd' -o -name modules.order -o -name Module.symvers \
		-o -name '.module-common.o' \) -not -path './.git/*' -delete
	rm -f build.log

help:
	@sed -n '2,/^$$/s/^# \{0,1\}//p' Makefile
