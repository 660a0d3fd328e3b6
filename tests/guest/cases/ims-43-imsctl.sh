#!/bin/sh
# imsctl(8) against known state: a domain with two slots the device fired a
# known number of times. list, show (as root and as an unprivileged user),
# watch, dump and check print exactly what ims_core's sysfs and debugfs,
# /proc/interrupts and the device memory hold; check catches an entry
# corrupted in device memory (and, on lanes with IR, a queue slot whose
# push to the device failed); every kind of bad input gets its exit code.
# Lanes without IR run the array part in direct mode.
# timeout: 240
IMS_CLIENT_LIB=1 . "$(dirname "$0")/ims-10-client.sh"

command -v imsctl >/dev/null || fail "imsctl is not in the guest"
it_setup_lane
trap '[ -e "$IMSDBG/fault" ] && echo off >"$IMSDBG/fault"; it_teardown' EXIT

# sq: squeeze runs of blanks and drop leading ones, so that column padding
# is not compared.
sq() { tr -s ' ' | sed 's/^ //'; }

# imsctl_run WHO EXPECTED_RC ARGS...: run imsctl as root (WHO empty) or as
# the user WHO; OUT = stdout, ERR = stderr.
imsctl_run() {
	_who=$1 _want=$2
	shift 2
	_rc=0
	rm -f /tmp/imsctl.err
	if [ -z "$_who" ]; then
		OUT=$(imsctl "$@" 2>/tmp/imsctl.err) || _rc=$?
	else
		OUT=$(su -s /bin/sh "$_who" -c "imsctl $* 2>/tmp/imsctl.err") || _rc=$?
	fi
	ERR=$(cat /tmp/imsctl.err)
	[ "$_rc" = "$_want" ] ||
		fail "imsctl $*${_who:+ as $_who}: exit $_rc, expected $_want (stderr: $ERR)"
}
ctl() { imsctl_run "" "$@"; }
ctl_nobody() { imsctl_run nobody "$@"; }

# counts_of VIRQ: the per-CPU counts of /proc/interrupts, space separated.
counts_of() {
	awk -v irq="$1:" -v nc="$(ncpus_irq)" '$1 == irq {
		for (i = 2; i <= nc + 1; i++) printf "%s%s", $i, i <= nc ? " " : "\n" }' /proc/interrupts
}

# slot_line DOMAIN IDX PRIV: the show line imsctl must print for the slot
# (squeezed), from debugfs, /proc and sysfs; PRIV=0: as non-root.
slot_line() {
	_v=$(dslot "$1" "$2" virq)
	_counts=$(counts_of "$_v")
	_total=$(irq_count "$_v")
	_owner=$(cat "/sys/kernel/irq/$_v/actions")
	_aff=$(cat "/proc/irq/$_v/effective_affinity_list")
	if [ "$3" = 1 ]; then
		_dbg="$(dslot "$1" "$2" pasid) $(dslot "$1" "$2" masked) $(dslot "$1" "$2" addr_hi) $(dslot "$1" "$2" addr_lo) $(dslot "$1" "$2" data)"
	else
		_dbg="- - - - -"
	fi
	echo "$2 $_v $_aff $_dbg $_total $_counts ${_owner:--}" | sq
}

VERSION=$(modinfo -F version ims_core)
ctl 0 --version
expect_eq "$OUT" "imsctl $VERSION" "imsctl --version"
ctl 0 --help
echo "$OUT" | grep -q "EXIT STATUS\|exit status\|Exit status" || fail "--help says nothing about exit codes"

# no domain yet: nothing listed
ctl 0 list
expect_eq "$OUT" "" "list without domains"

mkdom array 16 ctl
A=$D AN=$DN
OFF=$(val off)
alloc "$A" at 2 pasid 3
V2=$V
alloc "$A" at 5
V5=$V
ok request "$A" 2
ok request "$A" 5
fire "$A" 2 3 pasid 3
fire "$A" 5 2
expect_eq "$(irq_count "$V2")/$(irq_count "$V5")" "3/2" "interrupts delivered"

MODE=remapped
lane_has_ir || MODE=direct
CHAIN=$(sed 's/ / -> /g' "/sys/class/ims/$AN/chain")
DEVLINE="$EDU_BDF Vendor 1234 Device 11e8 [1234:11e8] driver=ims_test"

# ---- list ------------------------------------------------------------------
ctl 0 list
expect_eq "$(echo "$OUT" | sq)" "$(printf '%s\n' "$DEVLINE" \
	"DOMAIN TEMPLATE USED HELD SPARE SIZE MODE CHAIN" \
	"$AN array 2 0 0 16 $MODE $CHAIN")" "imsctl list"
ctl 0
expect_eq "$(echo "$OUT" | sq | head -n 1)" "$DEVLINE" "imsctl without a command lists"
ctl 0 -j list
echo "$OUT" | grep -q "\"bdf\":\"$EDU_BDF\"" || fail "-j list: no bdf: $OUT"
echo "$OUT" | grep -q "\"name\":\"$AN\",\"template\":\"array\",\"mode\":\"$MODE\",\"size\":16,\"used\":2,\"held\":0,\"spare\":0," ||
	fail "-j list: domain object: $OUT"

# ---- show ------------------------------------------------------------------
show_expect() {
	printf '%s\n' "$DEVLINE" "" "domain $AN template=array mode=$MODE used=2 held=0 spare=0 size=16" \
		"chain $CHAIN"
	head -n 1 /proc/interrupts | awk '{ printf "INDEX IRQ AFFINITY PASID MASKED ADDR_HI ADDR_LO DATA TOTAL"
		for (i = 1; i <= NF; i++) printf " %s", $i; print " OWNER" }'
	slot_line "$AN" 2 "$1"
	slot_line "$AN" 5 "$1"
}
ctl 0 show "$EDU_BDF" ctl
expect_eq "$(echo "$OUT" | sq)" "$(show_expect 1)" "imsctl show (root)"
expect_eq "$(slot_line "$AN" 2 1 | cut -d' ' -f4,9)" "3 3" "slot 2: PASID and total"
ctl 0 show 00:14.0 "$AN"
expect_eq "$(echo "$OUT" | sq)" "$(show_expect 1)" "imsctl show, short BDF, full domain name"
ctl_nobody 0 show "$EDU_BDF"
expect_eq "$(echo "$OUT" | sq)" "$(show_expect 0)" "imsctl show (nobody)"
echo "$ERR" | grep -q "need root" || fail "no note on the root-only columns for nobody: $ERR"
ctl 0 -j show "$EDU_BDF" ctl
echo "$OUT" | grep -q "\"index\":2,\"irq\":$V2," || fail "-j show: slot 2: $OUT"
echo "$OUT" | grep -q "\"pasid\":3," || fail "-j show: PASID 3: $OUT"

# ---- watch: two samples, nothing fired in between: rate 0, totals kept -----
ctl 0 watch "$EDU_BDF" --interval 1 --count 2
expect_eq "$(echo "$OUT" | grep -c '^sample ')" 2 "watch samples"
expect_eq "$(echo "$OUT" | sq | grep "^$EDU_BDF " | tail -n 2)" "$(printf '%s\n' \
	"$EDU_BDF $AN 2 $V2 0.0 3" "$EDU_BDF $AN 5 $V5 0.0 2")" "watch: second sample"
ctl 0 -j watch --interval 1 --count 2
expect_eq "$(echo "$OUT" | grep -c '^{"sample":')" 2 "watch -j: one object per sample"

# ---- dump: the entries in device memory, decoded ---------------------------
# dump_expect IDX: the line for an allocated slot, from debugfs
dump_expect() {
	_ctrl=$(awk -v i="$1" 'NR > 1 && $1 == i { for (f = 9; f <= NF; f++)
		if ($f ~ /^ctrl=/) { sub("ctrl=", "", $f); print $f } }' "$IMSDBG/$AN/slots")
	_pasid=$(dslot "$AN" "$1" pasid)
	if [ "$_pasid" = none ]; then
		_en=0 _pasid=0
	else
		_en=1
	fi
	echo "$1 $(dslot "$AN" "$1" addr_hi) $(dslot "$AN" "$1" addr_lo) $(dslot "$AN" "$1" data) $_ctrl $(dslot "$AN" "$1" masked) $_en $_pasid"
}
ctl 0 dump "$IVSHMEM_BDF" --bar 2 --offset "$OFF" --count 16 --layout dsa
expect_eq "$(echo "$OUT" | sq | grep -E '^(2|5) ')" \
	"$(printf '%s\n' "$(dump_expect 2)" "$(dump_expect 5)")" "dump: allocated entries"
expect_eq "$(echo "$OUT" | sed 1d | wc -l)" 16 "dump: entries"
ctl_nobody 5 dump "$IVSHMEM_BDF" --bar 2 --offset "$OFF" --count 1

# ---- check: agrees; then an entry corrupted in device memory ----------------
ctl 0 check "$EDU_BDF" ctl --mem "$IVSHMEM_BDF" --bar 2 --offset "$OFF"
expect_eq "$OUT" "checked 2 slots: 0 mismatches" "check of a consistent domain"
ctl_nobody 5 check "$EDU_BDF" ctl --mem "$IVSHMEM_BDF" --bar 2 --offset "$OFF"
bar2=$(sed -n 3p "/sys/bus/pci/devices/$IVSHMEM_BDF/resource" | cut -d' ' -f1)
word=$((bar2 + OFF + 5 * 16 + 8))
[ -c /dev/mem ] || fail "no /dev/mem: the kernel lacks CONFIG_DEVMEM"
good=$(devmem "$word" 32) || fail "devmem cannot read $(printf 0x%x "$word")"
devmem "$word" 32 0x5a5a
expect_eq "$(devmem "$word" 32)" 0x00005A5A "entry corrupted through /dev/mem"
ctl 1 check "$EDU_BDF" ctl --mem "$IVSHMEM_BDF" --bar 2 --offset "$OFF"
expect_eq "$OUT" "$(printf '%s\n' "$AN slot 5: data expected $(printf 0x%08x "$good") found 0x00005a5a" \
	"checked 2 slots: 1 mismatches")" "check of a corrupted entry"
ctl 1 -j check "$EDU_BDF" ctl --mem "$IVSHMEM_BDF" --bar 2 --offset "$OFF"
echo "$OUT" | grep -q '"checked":2,"ok":false' || fail "-j check: $OUT"
devmem "$word" 32 "$good"
ctl 0 check "$EDU_BDF" ctl --mem "$IVSHMEM_BDF" --bar 2 --offset "$OFF"
fire "$A" 5 1

# ---- queue domain: a failed push leaves the slot dirty ---------------------
if lane_has_ir; then
	mkdom queue 4 ctlq
	Q=$D QN=$DN
	alloc "$Q" at 1
	ok request "$Q" 1
	ctl 0 check "$EDU_BDF" ctlq
	expect_eq "$OUT" "checked 1 slots: 0 mismatches" "check of a synced queue domain"
	echo "queue_sync 1" >"$IMSDBG/fault"
	ok mask "$Q" 1
	ctl 1 check "$EDU_BDF" ctlq
	expect_eq "$OUT" "$(printf '%s\n' "$QN slot 1: dirty expected 0 found 1 (sync_errors 1, last_error -5)" \
		"checked 1 slots: 1 mismatches")" "check of a queue slot whose push failed"
	ok unmask "$Q" 1
	ctl 0 check "$EDU_BDF" ctlq
	ok release "$Q" 1
	ok destroy "$Q"
fi

# ---- bad input -------------------------------------------------------------
ctl 2 bogus
ctl 2 show
ctl 2 show not-a-bdf
ctl 3 show 0000:00:1e.7
ctl 4 show "$IVSHMEM_BDF"
ctl 4 show "$EDU_BDF" nosuch
ctl 2 dump "$IVSHMEM_BDF" --bar 2 --offset "$OFF" --count 1 --layout stride=3
ctl 2 dump "$IVSHMEM_BDF" --bar 2 --offset "$OFF" --count 1 --layout mask_bit=40
ctl 2 watch --count x
for c in "bogus" "show 0000:00:1e.7" "show $IVSHMEM_BDF"; do
	ctl "$(case $c in bogus) echo 2 ;; *1e.7) echo 3 ;; *) echo 4 ;; esac)" $c
	expect_eq "$(echo "$ERR" | wc -l)" 1 "one error line for '$c'"
	case "$ERR" in imsctl:*) ;; *) fail "error line of '$c' does not start with 'imsctl:': $ERR" ;; esac
done

ok free "$A" 2
ok free "$A" 5
ok destroy "$A"
ctl 0 list
expect_eq "$OUT" "" "list after destroy"
if [ "$IT_CORE_WAS" = 0 ]; then
	rmmod ims_test && rmmod ims_core || fail "cannot unload"
	ctl 4 list
	expect_eq "$ERR" "imsctl: ims_core is not loaded" "list without ims_core"
fi
exit 0
