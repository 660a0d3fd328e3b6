#!/bin/sh
# PASID, for both templates: the PASID given at allocation (array: in the
# instance cookie; queue: ims_set_pasid() right after) and every later
# ims_set_pasid() reaches the slot the device reads (PASID enable + field),
# ims_core's debugfs shows it, and the device enforces it: a request with
# another or no PASID is refused (no interrupt, error counted), the right
# one delivers. A PASID change keeps the mask state; "none" clears PASID
# enable. A PASID that does not fit the storage never fails open: beyond
# 20 bits, or any PASID on an entry layout without a PASID field, is
# refused with -EINVAL at allocation (cookie) and in ims_set_pasid(), with
# nothing changed.
# Lanes without IR run the array part in direct mode.
# timeout: 300
IMS_CLIENT_LIB=1 . "$(dirname "$0")/ims-10-client.sh"

it_setup_lane
tpls="array queue"
lane_has_ir || { tpls=array; diag "no IR: queue template skipped, array in direct mode"; }

# expect_pasid D IDX EN PASID: the device's view and ims_core's
expect_pasid() {
	ok dump "$1" "$2"
	expect_eq "$(val pasid_en)" "$3" "$tpl: slot $2 PASID enable in storage"
	[ "$3" = 1 ] && expect_eq "$(val pasid)" "$4" "$tpl: slot $2 PASID in storage"
	if [ "$3" = 1 ]; then
		expect_eq "$(dslot "$DN" "$2" pasid)" "$4" "$tpl: slot $2 debugfs pasid"
	else
		expect_eq "$(dslot "$DN" "$2" pasid)" none "$tpl: slot $2 debugfs pasid"
	fi
}

for tpl in $tpls; do
	diag "--- $tpl"
	mkdom "$tpl" 8
	alloc "$D" at 1 pasid 5
	ok request "$D" 1
	expect_pasid "$D" 1 1 5
	if [ "$tpl" = array ]; then
		ok dump "$D" 1
		ctrl=$(val ctrl)
		expect_eq "$(printf '%#x' $((ctrl & 0xfffff009)))" "$(printf '%#x' $(((5 << 12) | 8)))" "array ctrl word"
	fi

	ok fire "$D" 1 1
	expect_eq "$(val sent)" 0 "$tpl: sent without PASID"
	expect_eq "$(val pasid_err)" 1 "$tpl: PASID error without PASID"
	ok fire "$D" 1 1 pasid 6
	expect_eq "$(val sent)" 0 "$tpl: sent with a wrong PASID"
	expect_eq "$(val pasid_err)" 1 "$tpl: PASID error with a wrong PASID"
	expect_cnt "$D" 1 total 0
	expect_cnt "$D" 1 pasid_err 2
	fire "$D" 1 2 pasid 5
	expect_cnt "$D" 1 total 2

	ok pasid "$D" 1 9
	expect_pasid "$D" 1 1 9
	ok dump "$D" 1
	expect_eq "$(val masked)" 0 "$tpl: unmasked after a PASID change"
	ok fire "$D" 1 1 pasid 5
	expect_eq "$(val pasid_err)" 1 "$tpl: old PASID refused"
	fire "$D" 1 1 pasid 9
	expect_cnt "$D" 1 total 3

	ok pasid "$D" 1 none
	expect_pasid "$D" 1 0
	fire "$D" 1 1
	fire "$D" 1 1 pasid 9
	expect_cnt "$D" 1 total 5

	# on a masked slot: the PASID changes, the mask stays
	ok mask "$D" 1
	ok pasid "$D" 1 7
	expect_pasid "$D" 1 1 7
	ok dump "$D" 1
	expect_eq "$(val masked)" 1 "$tpl: still masked after a PASID change"
	ok unmask "$D" 1
	fire "$D" 1 1 pasid 7
	expect_cnt "$D" 1 total 6

	# limits: 20 bits; a wider PASID is refused, the old one stays
	ok pasid "$D" 1 0xfffff
	expect_pasid "$D" 1 1 1048575
	err -22 pasid "$D" 1 0x100000
	expect_pasid "$D" 1 1 1048575
	fire "$D" 1 1 pasid 0xfffff
	if [ "$tpl" = array ]; then
		ok stats "$D"
		used=$(val used)
		err -22 alloc "$D" any pasid 0x100000
		err -22 batch "$D" 2 pasid 0x100000
		ok stats "$D"
		expect_eq "$(val used)" "$used" "$tpl: used after refused PASIDs"
	fi

	# no PASID at allocation, and a batch with one
	alloc "$D" at 2
	expect_pasid "$D" 2 0
	if [ "$tpl" = array ]; then
		ok batch "$D" 2 pasid 3
		for i in $(val index | tr , ' '); do
			expect_pasid "$D" "$i" 1 3
		done
	fi
	ok destroy "$D"
done

# An entry layout without a PASID field checks no PASID: asking for one
# must fail, not silently give an interrupt nobody checks.
diag "--- array without a PASID field"
mkdom array-nopasid 4 nopasid
err -22 alloc "$D" any pasid 5
err -22 batch "$D" 2 pasid 0
ok stats "$D"
expect_eq "$(val used)" 0 "nopasid: used after refused PASIDs"
alloc "$D" at 0
ok request "$D" 0
err -22 pasid "$D" 0 5
expect_eq "$(dslot "$DN" 0 pasid)" none "nopasid: debugfs pasid after a refused PASID"
ok pasid "$D" 0 none
fire "$D" 0 1
expect_cnt "$D" 0 total 1
ok destroy "$D"
exit 0
