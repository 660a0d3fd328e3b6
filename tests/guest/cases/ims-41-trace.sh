#!/bin/sh
# ims_core's trace events (system "ims", tracefs): a known sequence of
# client calls gives exactly the expected events of its domain, in order,
# with exact fields: domain create/destroy (template, slots, parent kind,
# mode), alloc/free (index, the virq the client got, PASID), every
# message written to the slot (the values ims_core's debugfs shows: the
# initial one at allocation, at activation, zero at deactivation), mask
# and unmask only where the mask state changes (not while the device
# fires, not around a PASID update), PASID changes (old and new), and on
# lanes with IR the queue template's sync() calls with their errno (a
# failing sync gives -5) and a duration. With the events disabled the
# same kind of sequence records nothing.
# Lanes without IR run the array part in direct mode.
# timeout: 300
IMS_CLIENT_LIB=1 . "$(dirname "$0")/ims-10-client.sh"

TR=/sys/kernel/tracing
EVENTS="ims_alloc ims_domain_create ims_domain_destroy ims_free ims_mask ims_queue_sync ims_set_pasid ims_unmask ims_write_msg"

# ---- tracefs ---------------------------------------------------------------

grep -qw tracefs /proc/filesystems ||
	skip "kernel $KVER has no tracefs (CONFIG_TRACING off)"
TR_MOUNTED=
if [ ! -e "$TR/trace" ]; then
	[ -d "$TR" ] || skip "no $TR mount point on kernel $KVER"
	mount -t tracefs nodev "$TR" || fail "cannot mount tracefs on $TR"
	TR_MOUNTED=1
fi
if [ ! -d "$TR/events" ]; then
	[ -n "$TR_MOUNTED" ] && umount "$TR"
	skip "kernel $KVER has tracefs but no trace events (CONFIG_EVENT_TRACING off)"
fi

# Put tracing back as it was: the clock, tracing_on, the ims events.
TR_CLOCK=$(sed -n 's/.*\[\(.*\)\].*/\1/p' "$TR/trace_clock")
TR_ON=$(cat "$TR/tracing_on")
# shellcheck disable=SC2317 # called from the EXIT trap
tr_restore() {
	[ -e "$TR/events/ims/enable" ] && echo 0 >"$TR/events/ims/enable"
	echo "$TR_CLOCK" >"$TR/trace_clock"
	echo "$TR_ON" >"$TR/tracing_on"
	: >"$TR/trace"
	[ -n "$TR_MOUNTED" ] && umount "$TR"
}

# tr_events DOMAIN: the ims events of DOMAIN in the buffer, one a line,
# "EVENT FIELDS", in buffer order (global clock: across CPUs too).
tr_events() {
	sed -n 's/^.* \(ims_[a-z_]*\): \(domain=.*\)$/\1 \2/p' "$TR/trace" |
		grep -F " domain=$1 "
}

# exp LINE: the next expected event.
exp() { echo "$*" >>"$EXP"; }

# msg DOMAIN IDX: the message ims_core's debugfs shows for the slot, as
# the trace prints it.
msg() {
	printf 'addr_hi=0x%08x addr_lo=0x%08x data=0x%08x' "$(dslot "$1" "$2" addr_hi)" \
		"$(dslot "$1" "$2" addr_lo)" "$(dslot "$1" "$2" data)"
}
ZERO_MSG="addr_hi=0x00000000 addr_lo=0x00000000 data=0x00000000"

# check DOMAIN WHAT: the events of DOMAIN are exactly those of $EXP.
check() {
	tr_events "$1" >/tmp/ims-41.raw
	cp /tmp/ims-41.raw /tmp/ims-41.got
	# the duration of a sync is whatever it was, but a duration
	if grep '^ims_queue_sync ' /tmp/ims-41.got | grep -qv ' ns=[1-9][0-9]*$'; then
		grep '^ims_queue_sync ' /tmp/ims-41.got | sed 's/^/# /'
		fail "$2: ims_queue_sync without a duration in ns"
	fi
	sed -i 's/ ns=[0-9]*$/ ns=N/' /tmp/ims-41.got
	if ! awk -v what="$2" '
		NR == FNR { e[++ne] = $0; next }
		{ g[++ng] = $0 }
		END {
			n = ne > ng ? ne : ng
			for (i = 1; i <= n; i++) {
				if (e[i] == g[i])
					continue
				printf "%s: event %d: expected \"%s\", got \"%s\"\n", what, i,
					i <= ne ? e[i] : "nothing (extra event)",
					i <= ng ? g[i] : "nothing (missing event)"
				exit 1
			}
		}' "$EXP" /tmp/ims-41.got >/tmp/ims-41.diff; then
		sed 's/^/# expected: /' "$EXP"
		sed 's/^/# got:      /' /tmp/ims-41.raw
		fail "$(cat /tmp/ims-41.diff)"
	fi
	sed 's/^/# trace: /' /tmp/ims-41.raw
	diag "$2: $(wc -l <"$EXP") events as expected"
}

# ---- setup -----------------------------------------------------------------

it_setup_lane
trap 'tr_restore; it_teardown' EXIT
[ -d "$TR/events/ims" ] || fail "no $TR/events/ims with ims_core loaded"
got=$(cd "$TR/events/ims" && for e in *; do [ -d "$e" ] && echo "$e"; done | sort | tr '\n' ' ')
expect_eq "$got" "$EVENTS " "events of system ims"

case "$IOMMU" in
intel) parent="parent=vtd mode=remapped" ;;
amd) parent="parent=amdvi mode=remapped" ;;
its) parent="parent=its mode=remapped" ;;
*) parent="parent=vector mode=direct" ;;
esac
tpls="array queue"
lane_has_ir || { tpls=array; diag "no IR: queue template skipped, array in direct mode"; }

echo 0 >"$TR/tracing_on"
echo global >"$TR/trace_clock" || fail "cannot set the global trace clock"
echo 1 >"$TR/events/ims/enable" || fail "cannot enable events/ims"
expect_eq "$(cat "$TR/events/ims/enable")" 1 "events/ims/enable"
: >"$TR/trace"
echo 1 >"$TR/tracing_on"

# ---- the sequences -----------------------------------------------------------

for tpl in $tpls; do
	diag "--- $tpl"
	EXP=/tmp/ims-41.$tpl
	: >"$EXP"
	if [ "$tpl" = array ]; then
		q=false
		p0=3
	else
		q=true
		p0=none # the queue template's cookie carries no PASID
	fi
	sync0() { $q && exp "ims_queue_sync domain=$DN index=2 ret=$1 ns=N"; }
	pasid_of() { [ "$1" = none ] && echo none || printf '%#x' "$1"; }

	mkdom "$tpl" 4 "tr$tpl"
	exp "ims_domain_create domain=$DN template=$tpl nr_slots=4 $parent used=0"

	if [ "$tpl" = array ]; then
		alloc "$D" at 2 pasid "$p0"
	else
		alloc "$D" at 2
	fi
	expect_eq "$I" 2 "$tpl: index"
	exp "ims_write_msg domain=$DN index=2 $(msg "$DN" 2)"
	sync0 0
	exp "ims_alloc domain=$DN index=2 virq=$V pasid=$(pasid_of "$p0")"

	ok request "$D" 2
	m=$(msg "$DN" 2)
	expect_ne "$m" "$ZERO_MSG" "$tpl: message after request_irq()"
	exp "ims_write_msg domain=$DN index=2 $m"
	exp "ims_unmask domain=$DN index=2"
	sync0 0

	# the device fires: no event (the flow handler masks nothing)
	if [ "$tpl" = array ]; then
		fire "$D" 2 3 pasid "$p0"
	else
		fire "$D" 2 3
	fi

	ok mask "$D" 2
	exp "ims_mask domain=$DN index=2"
	sync0 0
	ok unmask "$D" 2
	exp "ims_unmask domain=$DN index=2"
	sync0 0

	# the masks around the update are no events
	ok pasid "$D" 2 5
	exp "ims_set_pasid domain=$DN index=2 old=$(pasid_of "$p0") pasid=0x5"
	sync0 0
	fire "$D" 2 1 pasid 5
	last=0x5
	if $q; then
		ok queue_fail "$D" 1
		err -5 pasid "$D" 2 9
		exp "ims_set_pasid domain=$DN index=2 old=0x5 pasid=0x9"
		sync0 -5
		ok queue_fail "$D" 0
		last=0x9
	fi

	# free_irq(): shutdown masks (pushed at once), deactivation zeroes
	ok release "$D" 2
	exp "ims_mask domain=$DN index=2"
	sync0 0
	exp "ims_write_msg domain=$DN index=2 $ZERO_MSG"
	sync0 0
	ok free "$D" 2
	sync0 0
	exp "ims_free domain=$DN index=2 virq=$V pasid=$last"
	ok destroy "$D"
	exp "ims_domain_destroy domain=$DN template=$tpl nr_slots=4 $parent used=0"

	check "$DN" "$tpl"
done

# ---- disabled: nothing ----------------------------------------------------

diag "--- events disabled"
echo 0 >"$TR/events/ims/enable" || fail "cannot disable events/ims"
expect_eq "$(cat "$TR/events/ims/enable")" 0 "events/ims/enable"
: >"$TR/trace"
mkdom array 4 troff
alloc "$D" at 1 pasid 4
ok request "$D" 1
fire "$D" 1 1 pasid 4
ok mask "$D" 1
ok unmask "$D" 1
ok pasid "$D" 1 6
ok free "$D" 1
ok destroy "$D"
n=$(grep -c ' ims_[a-z_]*: ' "$TR/trace")
if [ "$n" != 0 ]; then
	grep ' ims_[a-z_]*: ' "$TR/trace" | head -n 5 | sed 's/^/# /'
	fail "$n ims events recorded with events/ims disabled"
fi
diag "disabled: no ims event recorded"
exit 0
