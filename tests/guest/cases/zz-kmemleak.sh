#!/bin/sh
# kmemleak (debug lane), last case of the suite: with our modules unloaded
# (so that what only their data referenced is unreferenced now), two scans
# a few seconds apart (kmemleak reports only objects older than 5 s, and a
# second scan drops transient suspects) must report no unreferenced object.
# The guest init cleared the boot-time suspects before the first case.
# A kmemleak that disabled itself (e.g. out of its object pool) refuses the
# scan and fails the case: no silent pass.
# timeout: 150
# shellcheck disable=SC1090
. "${IMS_LIB:-/ims/lib.sh}"

KMEMLEAK=/sys/kernel/debug/kmemleak
[ -e "$KMEMLEAK" ] || skip "no $KMEMLEAK: kernel without kmemleak (debug lane)"

# dependents first, ims_core last, unless a retired domain pins it for
# good (ims-90-retire leaves one: leaked on purpose, still referenced)
RETIRED=/sys/kernel/debug/ims/retired
for m in ims_test ims_vendor_sample idxd_ref ims_core; do
	# (debugfs files have size 0: read the list, do not test -s)
	if [ "$m" = ims_core ] && [ -n "$(cat "$RETIRED" 2>/dev/null)" ]; then
		diag "ims_core stays: retired domains $(cut -d' ' -f1 "$RETIRED" | xargs)"
		continue
	fi
	if module_loaded "$m"; then
		rmmod "$m" || fail "cannot unload $m"
		diag "unloaded $m"
	fi
done

for pass in 1 2; do
	echo scan >"$KMEMLEAK" || fail "kmemleak scan $pass refused (kmemleak disabled?)"
	[ "$pass" = 1 ] && sleep 6
done
report=$(cat "$KMEMLEAK")
n=$(echo "$report" | grep -c '^unreferenced object')
if [ "$n" -gt 0 ]; then
	echo "$report" | head -n 200 | sed 's/^/# kmemleak: /'
	fail "kmemleak reports $n unreferenced object(s)"
fi
diag "kmemleak: no unreferenced object after two scans"
exit 0
