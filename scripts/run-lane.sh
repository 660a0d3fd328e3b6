#!/usr/bin/env bash
# Run one test lane: build the modules for the lane's kernel, make the
# initramfs, boot QEMU (TCG) with the test card and the lane's IOMMU, and let
# the guest run the suite (or one script with --run) and power off.
#
#   run-lane.sh [--run SCRIPT [--live]] LANE OUTDIR
#                                     e.g. run-lane.sh 6.12/intel-ir results/x
#
# --run SCRIPT: the guest runs SCRIPT (a guest sh script, e.g.
# tests/guest/demo.sh) as /run.sh instead of the suite, prints
# "# ims: run exited with N" and IMS-RUN-FINISHED; --live streams the
# console to the terminal as well.
#
# arm64 lanes (*-arm64/its-*, see ARM64_LANES) boot qemu-system-aarch64
# (virt, GICv3 with an ITS) with the same test card, console ttyAMA0, each
# on another of arm64's platforms: its-smmuv3 boots the device tree with an
# SMMUv3 translating the card's DMA and messages, its-acpi boots UEFI
# (AAVMF) and ACPI (IORT), no IOMMU. DKMS cross-builds their package
# modules (dkms.sh).
#
# Writes OUTDIR/LANE.log (serial console + QEMU messages) and, on a build
# failure, OUTDIR/LANE.build-failed. Exit status: QEMU's (124 = timeout),
# 2 = build or setup failure. Judging the log is scripts/check.sh's job.
# Environment: TESTS (case globs), IMS_LANE_TIMEOUT (s, default 1800, 3600
# for the debug kernel), IMS_CASE_TIMEOUT (s, default 120), IMS_SOAK (all:
# the soak cases on every lane), IMS_LOGLEVEL (console loglevel, 5),
# IMS_CMDLINE_EXTRA (more kernel parameters), IMS_QEMU_EXTRA (more QEMU
# arguments, e.g. another PCI device), IMS_SMP (vCPUs, default 2, 4 on the
# x2apic lanes), IMS_TCG_THREAD (single or multi: TCG's vCPU threading,
# default single, see README).
set -euo pipefail
. "$(dirname "$0")/common.sh"

run_script='' live=0
while [ $# -gt 2 ]; do
	case "$1" in
	--run)	run_script=$(realpath "$2"); shift 2 ;;
	--live)	live=1; shift ;;
	*)	break ;;
	esac
done
[ $# -eq 2 ] || die "usage: run-lane.sh [--run SCRIPT [--live]] LANE OUTDIR (lanes: $ALL_LANES $DEBUG_LANES $ARM64_LANES)"
lane=$1 outdir=$2
kline=${lane%%/*} flavour=${lane#*/}
lane_known "$lane" || die "unknown lane '$lane' (lanes: $ALL_LANES $DEBUG_LANES $ARM64_LANES)"

# xapic lanes run Debian 12's QEMU (7.2). x2apic-mode remapping needs a
# newer one (Debian 12's refuses eim=on without KVM and has no x2apic under
# TCG): the *-x2apic lanes run the QEMU of the trixie root, with 4 vCPUs so
# that affinity moves reach APIC ids the xapic lanes never use.
qemu_ir=() cmdline_ir="" apic=xapic qemu_root='' machine=q35 cpu=max smp=${IMS_SMP:-2}
arch=x86 qemu_bin=qemu-system-x86_64 console=ttyS0
# no_timer_check: see README (x86's IO-APIC timer check under TCG).
cmdline_arch="no_timer_check"
case "$flavour" in
intel-ir)     iommu=intel; qemu_ir=(-device intel-iommu,intremap=on); cmdline_ir="intel_iommu=on" ;;
amd-ir)       iommu=amd;   qemu_ir=(-device amd-iommu,intremap=on) ;;
intel-x2apic) iommu=intel; qemu_ir=(-device intel-iommu,intremap=on,eim=on); cmdline_ir="intel_iommu=on" ;;
amd-x2apic)   iommu=amd;   qemu_ir=(-device amd-iommu,intremap=on,xtsup=on) ;;
no-ir)        iommu=none ;;
its | its-smmuv3 | its-acpi)
	# arm64: the GICv3 ITS is the MSI parent (the guest's IOMMU=its: the
	# unit that translates interrupt messages). pauth-impdef: pointer
	# authentication with QEMU's cheap implementation-defined algorithm
	# instead of emulating QARMA5 on every signed return: the guest still
	# has pointer authentication, and boots in half the time (4.5 s instead
	# of 8-10 s to /init, measured). The flavours differ in the platform,
	# which the guest reads from FIRMWARE and SMMU in the lane file:
	#   its         device tree (-kernel of the Image, no firmware), no IOMMU
	#   its-smmuv3  device tree, an SMMUv3 in front of the PCI host: the
	#               kernel gives the card a DMA-translating domain, and its
	#               messages then go to an IOVA of the ITS's doorbell
	#   its-acpi    UEFI (AAVMF, qemu-efi-aarch64) and ACPI, no IOMMU: the
	#               DeviceID comes from the IORT, the ITS from the MADT
	arch=arm64 qemu_bin=qemu-system-aarch64 console=ttyAMA0 cmdline_arch=''
	iommu=its apic=none machine=virt,gic-version=3,its=on cpu=max,pauth-impdef=on
	firmware=dt smmu=0
	case "$flavour" in
	its-smmuv3)
		machine+=,iommu=smmuv3 smmu=1 ;;
	its-acpi)
		# edk2 still boots -kernel/-initrd/-append (its loader reads them
		# from fw_cfg), so the lane needs no disk. Its variable store is
		# writable flash: snapshot=on gives each QEMU a private overlay of
		# the package's file, dropped at exit (no copy of the 64 MiB per
		# lane). acpi=force: this AAVMF hands over no device tree (the
		# EFI stub makes an empty one), but a firmware that passes both
		# would otherwise get the device tree used.
		firmware=acpi cmdline_ir=acpi=force
		qemu_ir=(-drive if=pflash,format=raw,unit=0,readonly=on,file=/usr/share/AAVMF/AAVMF_CODE.fd
			-drive if=pflash,format=raw,unit=1,snapshot=on,file=/usr/share/AAVMF/AAVMF_VARS.fd) ;;
	esac ;;
*)            die "lane $lane: unknown flavour '$flavour'" ;;
esac
case "$flavour" in
*-x2apic)
	apic=x2apic qemu_root=trixie smp=${IMS_SMP:-4}
	# eim=auto resolves to off under TCG; eim=on wants the split irqchip.
	machine=q35,kernel-irqchip=split cpu=max,+x2apic
	"$REPO/scripts/roots.sh" ensure "$qemu_root" >/dev/null ;;
esac

log=$outdir/$lane.log
mkdir -p "$(dirname "$log")"
rm -f "$log" "$outdir/$lane.build-failed"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

kver=$("$REPO/scripts/kernels.sh" fetch "$kline" | awk '{ print $2 }')
[ -n "$kver" ] || die "cannot resolve kernel line $kline"
kdir=$("$REPO/scripts/kernels.sh" dir "$kver")

if ! "$REPO/scripts/build-modules.sh" "$kver" >"$work/modules" 2>"$outdir/$lane.build.log"; then
	cp "$outdir/$lane.build.log" "$outdir/$lane.build-failed"
	tail -n 30 "$outdir/$lane.build.log" >&2
	msg "$lane: module build failed, see $outdir/$lane.build.log"
	exit 2
fi
# The product modules are the ones DKMS installed for this kernel (built, for
# an arm64 kernel: DKMS cross-builds there, see dkms.sh); the test modules
# come from the build, the vendor sample is built against the installed
# package.
if ! { "$REPO/scripts/dkms.sh" modules "$kver" "$work/dkms" >"$work/dkms.list" 2>>"$outdir/$lane.build.log" &&
	"$REPO/scripts/dkms.sh" vendor "$kver" "$work/vendor" >"$work/vendor.list" 2>>"$outdir/$lane.build.log"; }; then
	cp "$outdir/$lane.build.log" "$outdir/$lane.build-failed"
	msg "$lane: DKMS install or vendor build failed, see $outdir/$lane.build.log"
	exit 2
fi
mapfile -t dkms_modules <"$work/dkms.list"
mapfile -t modules < <(grep -v -F -f <(sed 's|.*/|/|' "$work/dkms.list") "$work/modules"; cat "$work/vendor.list")

cat >"$work/lane" <<EOT
LANE=$lane
KLINE=$kline
IMS_ARCH=$arch
IOMMU=$iommu
APIC=$apic
FIRMWARE=${firmware:-acpi}
SMMU=${smmu:-0}
SMP=$smp
QEMU_VERSION=$(${qemu_root:+"$REPO/scripts/roots.sh" run "$qemu_root"} "$qemu_bin" --version | sed -n '1s/^QEMU emulator version \([0-9.]*\).*/\1/p')
KVER=$kver
TESTS='${TESTS:-}'
SOAK='$(lane_soak_cases "$lane")'
DRIVER_DEEP=$(lane_driver_deep "$lane")
CASE_TIMEOUT=${IMS_CASE_TIMEOUT:-120}
TIMEOUT_SCALE=$(kline_timeout_scale "$kline")
EOT
"$REPO/scripts/mkinitramfs.sh" "$kver" "$work/lane" "$work/initrd.gz" \
	${run_script:+--run "$run_script"} --dkms "${dkms_modules[@]}" --extra "${modules[@]}"

# Test card: edu + ivshmem-plain as functions 0 and 1 of slot 00:14.
truncate -s 4M "$work/imsmem"
card=(
	-device edu,dma_mask=0xffffffffffffffff,addr=0x14.0,multifunction=on
	-object memory-backend-file,id=imsmem,share=on,mem-path="$work/imsmem",size=4M
	-device ivshmem-plain,memdev=imsmem,addr=0x14.1
)
lane_timeout=${IMS_LANE_TIMEOUT:-$(kline_lane_timeout "$kline")}
# iomem=relaxed: Debian's kernels (CONFIG_IO_STRICT_DEVMEM) refuse to map a
# BAR a driver has claimed through sysfs resourceN; imsctl dump and check
# read the IMS store there, as an operator bringing up a device would.
cmdline="console=$console panic=-1${cmdline_arch:+ $cmdline_arch} loglevel=${IMS_LOGLEVEL:-5} iomem=relaxed $cmdline_ir ${IMS_CMDLINE_EXTRA:-}"
qemu=(
	${qemu_root:+"$REPO/scripts/roots.sh" run "$qemu_root"}
	"$qemu_bin" -accel tcg,thread="${IMS_TCG_THREAD:-single}" -machine "$machine" -cpu "$cpu"
	-m "$(kline_memory "$kline")" -smp "$smp" -nographic -no-reboot -nic none
	"${qemu_ir[@]}" "${card[@]}" ${IMS_QEMU_EXTRA:-}
	-kernel "$kdir/vmlinuz" -initrd "$work/initrd.gz" -append "$cmdline"
)

msg "$lane: booting $kver (${#dkms_modules[@]} DKMS + ${#modules[@]} test modules)"
echo "${qemu[*]}" >"$outdir/$lane.cmd"
rc=0
if [ "$live" = 1 ]; then
	# Show the console live; Ctrl-A x quits QEMU. --foreground keeps QEMU
	# in the terminal's foreground process group so it may read the tty.
	timeout --foreground "$lane_timeout" "${qemu[@]}" 2>&1 | tee "$log" || rc=$?
else
	timeout -k 10 "$lane_timeout" "${qemu[@]}" </dev/null >"$log" 2>&1 || rc=$?
fi
exit "$rc"
