#!/bin/bash
# natlab.sh: Pype's NAT lab. Real Linux NATs (nftables + conntrack) between network namespaces.
# Every address below exists only inside the namespaces this script creates; nothing is linked
# to the root namespace, so no lab packet can leave the lab.
#
#   P-hostA  10.1.0.2 --+
#                       br0 P-natA (lan 10.1.0.1 | wan 198.51.100.2)--+
#   P-hostA2 10.1.0.3 --+                                             |
#                                                                   P-inet (to-a 198.51.100.1
#   P-hostB  10.2.0.2 ---- P-natB (lan 10.2.0.1 | wan 203.0.113.2)----+        to-b 203.0.113.1
#                                                                     |        pubnet 198.51.100.65,
#                                                          pubnet bridge       203.0.113.65)
#                                                          +----------+-------------+
#                                          P-seed 198.51.100.66, 203.0.113.66    P-pub 198.51.100.70
#
# Commands (P = 1-8 lowercase letters/digits, unique per test run):
#   natlab.sh up P                 build the lab (both NATs start in eim mode, no loss);
#                                  exit code 3: a namespace with this prefix exists already
#   natlab.sh nat P a|b MODE [INPUTDROP]
#        MODE none     no NAT: the NAT box is a plain router and inet routes the LAN to it, so
#                      the LAN hosts are directly on the public side (host == reflexive address)
#             eim      masquerade: endpoint-independent mapping, address+port-dependent filtering
#             sym      masquerade random: a new external port per destination (symmetric)
#             symfull  masquerade fully-random: symmetric, ports not derived from the tuple
#             fullcone masquerade + dynamic map: any sender reaches an already mapped port
#        INPUTDROP 1 (default) drops unsolicited new inbound to the NAT box itself, so it
#                  creates no conntrack entry; 0 = accept it (stock Linux, see README pitfalls)
#   natlab.sh loss P PCT           drop PCT% (0..100) of packets forwarded by inet; 0 removes it
#   natlab.sh down P               remove everything of lab P (safe after a half-failed up)
#   natlab.sh reap                 'down' every lab whose recorded owner process is gone
#   natlab.sh list                 the labs recorded in the marker directory
#
# A lab records its owner (NATLAB_OWNER_PID, default: the caller) in $NATLAB_MARKDIR/P before
# creating anything, so a crashed run can be reaped later.
set -u
NAMES="hostA hostA2 natA inet natB hostB seed pub"
MARKDIR=${NATLAB_MARKDIR:-/tmp/pype-natlab}

die() { echo "natlab: $*" >&2; exit 1; }

check_prefix() {
  [[ "${1:-}" =~ ^[a-z0-9]{1,8}$ ]] || die "prefix must be 1-8 lowercase letters or digits, got '${1:-}'"
}

# start time of a process (field 22 of /proc/PID/stat), empty if it does not exist
start_time() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
  stat=${stat##*) }               # drop "pid (comm) ", comm may contain spaces
  set -- $stat
  echo "${20}"
}

owner_alive() {
  local pid=$1 start=$2
  [ -n "$pid" ] && [ -d "/proc/$pid" ] && [ "$(start_time "$pid")" = "$start" ]
}

do_down() {
  local P=$1 n pid
  for n in $NAMES; do
    [ -e "/run/netns/$P-$n" ] || continue
    # processes still inside one of our namespaces would keep it (and its veths) alive
    for pid in $(ip netns pids "$P-$n" 2>/dev/null); do kill -9 "$pid" 2>/dev/null; done
  done
  for n in $NAMES; do
    [ -e "/run/netns/$P-$n" ] && ip netns del "$P-$n" 2>/dev/null
  done
  rm -f "$MARKDIR/$P"
  local left
  left=$(ip netns list 2>/dev/null | awk '{print $1}' | grep -E "^$P-" || true)
  [ -z "$left" ] || die "could not remove: $left"
  return 0
}

# nft ruleset of one NAT box
nat_rules() {
  local mode=$1 idrop=$2 M IN="" FC_MAP="" FC_PRE="" FC_POST=""
  case $mode in
    eim|fullcone) M="masquerade";;
    sym) M="masquerade random";;
    symfull) M="masquerade fully-random";;
  esac
  [ "$idrop" = 1 ] && IN='iifname "wan" ct state new drop'
  if [ "$mode" = fullcone ]; then
    FC_MAP='map fc { type inet_service : ipv4_addr . inet_service; flags dynamic,timeout; timeout 120s; }'
    # after masquerade has chosen the external port: ext_port -> internal ip . internal port
    FC_POST='oifname "wan" meta l4proto udp update @fc { ct reply proto-dst : ct original ip saddr . ct original proto-src }'
    # any new inbound UDP to a remembered external port is forwarded, whoever sends it
    FC_PRE='iifname "wan" meta l4proto udp ct state new dnat ip to udp dport map @fc'
  fi
  cat <<E
flush ruleset
table ip nat {
  $FC_MAP
  chain pre { type nat hook prerouting priority dstnat; policy accept;
    $FC_PRE
  }
  chain post { type nat hook postrouting priority srcnat; policy accept;
    oifname "wan" $M
  }
  chain postmap { type filter hook postrouting priority srcnat + 10; policy accept;
    $FC_POST
  }
}
table ip filter {
  chain input { type filter hook input priority filter; policy accept;
    $IN
  }
}
E
}

do_nat() {
  local P=$1 side=$2 mode=$3 idrop=${4:-1} ns lan wan
  case $side in
    a) ns=$P-natA; lan=10.1.0.0/24; wan=198.51.100.2;;
    b) ns=$P-natB; lan=10.2.0.0/24; wan=203.0.113.2;;
    *) die "side must be a or b, got '$side'";;
  esac
  [ -e "/run/netns/$ns" ] || die "lab $P is not up"
  case $mode in
    none)
      ip netns exec "$ns" nft flush ruleset || die "nft flush failed in $ns"
      ip -n "$P-inet" route replace "$lan" via "$wan" || die "route to $lan failed";;
    eim|sym|symfull|fullcone)
      ip -n "$P-inet" route del "$lan" 2>/dev/null
      nat_rules "$mode" "$idrop" | ip netns exec "$ns" nft -f - || die "nft load failed in $ns";;
    *) die "mode must be none|eim|sym|symfull|fullcone, got '$mode'";;
  esac
  # Old flows keep their old translation until conntrack forgets them. The conntrack tool is
  # optional (Debian package 'conntrack'); a fresh lab has no entries anyway.
  if command -v conntrack >/dev/null; then ip netns exec "$ns" conntrack -F >/dev/null 2>&1; fi
  return 0
}

do_loss() {
  local P=$1 pct=$2
  [[ "$pct" =~ ^[0-9]+$ ]] && [ "$pct" -le 100 ] || die "loss must be 0..100, got '$pct'"
  [ -e "/run/netns/$P-inet" ] || die "lab $P is not up"
  ip netns exec "$P-inet" nft delete table ip loss 2>/dev/null
  [ "$pct" = 0 ] && return 0
  local match="numgen random mod 100 < $pct"
  [ "$pct" = 100 ] && match="" # nft rejects "< 100" (numgen mod 100 gives 0..99)
  ip netns exec "$P-inet" nft -f - <<E || die "nft loss table failed"
table ip loss {
  chain lossy { type filter hook forward priority filter; policy accept;
    $match counter drop
  }
}
E
}

do_up() {
  local P=$1 n owner
  for n in $NAMES; do
    [ -e "/run/netns/$P-$n" ] && { echo "natlab: namespace $P-$n exists already" >&2; exit 3; }
  done
  owner=${NATLAB_OWNER_PID:-$PPID}
  mkdir -p "$MARKDIR" || die "cannot create $MARKDIR"
  echo "$owner $(start_time "$owner")" > "$MARKDIR/$P" || die "cannot write marker"
  trap 'rc=$?; echo "natlab: up failed at line $LINENO, removing lab $P" >&2; trap - ERR; do_down "$P"; exit $rc' ERR
  set -eE
  for n in $NAMES; do
    ip netns add "$P-$n"
    # IPv4 only: no IPv6 link-local chatter, no DAD delays
    ip netns exec "$P-$n" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
    ip -n "$P-$n" link set lo up
  done
  # natA LAN: a bridge, so several hosts can sit behind the same NAT
  ip -n "$P-natA" link add br0 type bridge
  ip link add lan netns "$P-hostA"  type veth peer name p-hosta  netns "$P-natA"
  ip link add lan netns "$P-hostA2" type veth peer name p-hosta2 netns "$P-natA"
  ip -n "$P-natA" link set p-hosta master br0
  ip -n "$P-natA" link set p-hosta2 master br0
  ip link add wan netns "$P-natA" type veth peer name to-a netns "$P-inet"
  ip link add wan netns "$P-natB" type veth peer name to-b netns "$P-inet"
  ip link add lan netns "$P-hostB" type veth peer name lan netns "$P-natB"
  # public segment: seed and pub on a bridge in inet
  ip -n "$P-inet" link add pubnet type bridge
  ip link add eth0 netns "$P-seed" type veth peer name p-seed netns "$P-inet"
  ip link add eth0 netns "$P-pub"  type veth peer name p-pub  netns "$P-inet"
  ip -n "$P-inet" link set p-seed master pubnet
  ip -n "$P-inet" link set p-pub master pubnet
  # addresses
  ip -n "$P-hostA"  addr add 10.1.0.2/24 dev lan
  ip -n "$P-hostA2" addr add 10.1.0.3/24 dev lan
  ip -n "$P-natA"   addr add 10.1.0.1/24 dev br0
  ip -n "$P-natA"   addr add 198.51.100.2/26 dev wan
  ip -n "$P-inet"   addr add 198.51.100.1/26 dev to-a
  ip -n "$P-inet"   addr add 203.0.113.1/26 dev to-b
  ip -n "$P-inet"   addr add 198.51.100.65/26 dev pubnet
  ip -n "$P-inet"   addr add 203.0.113.65/26 dev pubnet
  ip -n "$P-natB"   addr add 203.0.113.2/26 dev wan
  ip -n "$P-natB"   addr add 10.2.0.1/24 dev lan
  ip -n "$P-hostB"  addr add 10.2.0.2/24 dev lan
  ip -n "$P-seed"   addr add 198.51.100.66/26 dev eth0
  ip -n "$P-seed"   addr add 203.0.113.66/26 dev eth0
  ip -n "$P-pub"    addr add 198.51.100.70/26 dev eth0
  for pair in hostA:lan hostA2:lan natA:p-hosta natA:p-hosta2 natA:br0 natA:wan inet:to-a inet:to-b \
              inet:p-seed inet:p-pub inet:pubnet natB:wan natB:lan hostB:lan seed:eth0 pub:eth0; do
    ip -n "$P-${pair%%:*}" link set "${pair#*:}" up
  done
  # routes
  ip -n "$P-hostA"  route add default via 10.1.0.1
  ip -n "$P-hostA2" route add default via 10.1.0.1
  ip -n "$P-hostB"  route add default via 10.2.0.1
  ip -n "$P-natA"   route add default via 198.51.100.1
  ip -n "$P-natB"   route add default via 203.0.113.1
  ip -n "$P-seed"   route add default via 198.51.100.65
  ip -n "$P-pub"    route add default via 198.51.100.65
  for n in natA natB inet; do ip netns exec "$P-$n" sysctl -qw net.ipv4.ip_forward=1; done
  set +eE
  trap - ERR
  do_nat "$P" a eim || { do_down "$P"; exit 1; }
  do_nat "$P" b eim || { do_down "$P"; exit 1; }
}

do_reap() {
  local f P pid start
  [ -d "$MARKDIR" ] || return 0
  for f in "$MARKDIR"/*; do
    [ -f "$f" ] || continue
    P=$(basename "$f")
    [[ "$P" =~ ^[a-z0-9]{1,8}$ ]] || continue
    read -r pid start < "$f" || true
    if ! owner_alive "${pid:-}" "${start:-}"; then
      echo "natlab: reaping lab $P (owner ${pid:-?} is gone)" >&2
      do_down "$P"
    fi
  done
  return 0
}

cmd=${1:-}
case $cmd in
  up)   check_prefix "${2:-}"; do_up "$2";;
  nat)  check_prefix "${2:-}"; [ $# -ge 4 ] || die "usage: natlab.sh nat P a|b MODE [INPUTDROP]"; do_nat "$2" "$3" "$4" "${5:-1}";;
  loss) check_prefix "${2:-}"; [ $# -ge 3 ] || die "usage: natlab.sh loss P PCT"; do_loss "$2" "$3";;
  down) check_prefix "${2:-}"; do_down "$2";;
  reap) do_reap;;
  list) ls "$MARKDIR" 2>/dev/null; true;;
  *) sed -n '2,/^set -u/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 2;;
esac
