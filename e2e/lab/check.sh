#!/usr/bin/env bash
# Proves the lab works, with the real ssh client: key, passphrase-key and password logins, sudo
# with and without a password, the jump to db1 through the bastion, db1 unreachable from the
# workstation, 20 connections at once, nothing listening outside the lab's addresses, the web
# heads behind feeds.lab.test as the customer servers see them, the customer's firewall, the
# customer users with tcsh, fish and zsh login shells (and bl-chatty's noisy .bashrc), and web3's
# MaxSessions, IPv6 on the dual-stack hosts and heads, web2's saved rules (netfilter-persistent), and
# php1, the PHP server (nginx, php-fpm, the shop, its memory cgroup).
#   sudo bash e2e/lab/check.sh
# Exit status 0 when every check passes. Contacts only lab addresses: a check that must fail to
# reach db1 from the root namespace binds to the lab's bridge, so no packet can leave by eth0.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_root

[[ -r $LAB_JSON ]] || die "the lab is not up: run \`sudo bash e2e/lab/up.sh\`"
FLEET=$(recorded_fleet)
mapfile -t HOSTS < <(lab_hosts "$FLEET")

PASS=0
FAIL=0
ok() { PASS=$((PASS + 1)); printf 'ok   %s\n' "$1"; }
bad() { FAIL=$((FAIL + 1)); printf 'FAIL %s\n' "$1"; [[ -n ${2:-} ]] && printf '     %s\n' "${2//$'\n'/$'\n'     }"; return 0; }

# ssh with nothing from ~/.ssh: the lab's known_hosts, strict host key checking, one identity.
SSH_BASE=(ssh -F /dev/null -o UserKnownHostsFile="$KNOWN_HOSTS" -o GlobalKnownHostsFile=/dev/null
  -o StrictHostKeyChecking=yes -o IdentitiesOnly=yes -o ConnectTimeout=5 -o LogLevel=ERROR)
as_key() { "${SSH_BASE[@]}" -o BatchMode=yes -i "$KEYS/$1" "${@:2}"; }
addr_of() { lab_hosts "$FLEET" | awk -F'|' -v n="$1" '$1 == n { print $3 }'; }

WEB1=$(addr_of web1)
BASTION=$(addr_of "$LAB_JUMP_HOST")
DB1=$(addr_of db1)

# 1. root by key on every host on the workstation network; each prints its own hostname.
for h in "${HOSTS[@]}"; do
  IFS='|' read -r name _ addr net _ <<<"$h"
  [[ $net == public ]] || continue
  out=$(as_key lab_root "root@$addr" hostname 2>&1)
  if [[ $out == "$name" ]]; then ok "root@$addr ($name) by key: hostname is $out"; else bad "root@$addr by key" "$out"; fi
  v6=$(addr6_of "$name" "$addr")
  [[ -n $v6 ]] || continue
  out=$(as_key lab_root "root@$v6" 'hostname; echo ${SSH_CONNECTION%% *}' 2>&1)
  if [[ $out == "$name"$'\n'"$LAB_BRIDGE_ADDR6" ]]; then
    ok "root@$v6 ($name) by key over IPv6: hostname is $name, the session comes from $LAB_BRIDGE_ADDR6"
  else
    bad "root@$v6 by key over IPv6" "$out"
  fi
done

# 2. bl-deploy by key: passwordless sudo.
out=$(as_key lab_deploy "$LAB_DEPLOY_USER@$WEB1" 'id -un; sudo -n true && sudo -n id -u' 2>&1)
if [[ $out == "$LAB_DEPLOY_USER"$'\n0' ]]; then ok "$LAB_DEPLOY_USER@$WEB1 by key: \`sudo -n true\` succeeds"; else bad "$LAB_DEPLOY_USER sudo -n" "$out"; fi

# 3. The passphrase key: refused without its passphrase, accepted with it.
if out=$(as_key lab_passphrase "$LAB_DEPLOY_USER@$WEB1" true 2>&1); then
  bad "lab_passphrase without its passphrase should be refused" "$out"
else
  ok "lab_passphrase without its passphrase: refused"
fi
out=$(sshpass -P 'passphrase' -f "$KEYS/lab_passphrase.passphrase" \
  "${SSH_BASE[@]}" -o PreferredAuthentications=publickey -i "$KEYS/lab_passphrase" "$LAB_DEPLOY_USER@$WEB1" 'id -un' 2>&1)
if [[ $out == "$LAB_DEPLOY_USER" ]]; then ok "$LAB_DEPLOY_USER@$WEB1 by lab_passphrase with its passphrase"; else bad "passphrase key login" "$out"; fi

# 4. bl-ops by password: sudo asks for the password, and takes it.
PW_SSH=(sshpass -f "$OPS_PASSWORD_FILE" "${SSH_BASE[@]}" -o PreferredAuthentications=password -o PubkeyAuthentication=no)
out=$("${PW_SSH[@]}" "$LAB_OPS_USER@$WEB1" 'id -un; sudo -n true' 2>&1)
status=$?
if ((status != 0)) && [[ $out == "$LAB_OPS_USER"$'\n'*"a password is required"* ]]; then
  ok "$LAB_OPS_USER@$WEB1 by password: \`sudo -n true\` fails with \"a password is required\""
else
  bad "$LAB_OPS_USER password login / sudo -n must fail" "status $status: $out"
fi
out=$("${PW_SSH[@]}" "$LAB_OPS_USER@$WEB1" "sudo -S -p '' id -u" <"$OPS_PASSWORD_FILE" 2>&1)
if [[ $out == 0 ]]; then ok "$LAB_OPS_USER: sudo with the password succeeds"; else bad "$LAB_OPS_USER sudo -S" "$out"; fi
if out=$(sshpass -p "not-the-password" "${SSH_BASE[@]}" -o PreferredAuthentications=password -o PubkeyAuthentication=no \
  -o NumberOfPasswordPrompts=1 "$LAB_OPS_USER@$WEB1" true 2>&1); then
  bad "a wrong password should be refused" "$out"
else
  ok "$LAB_OPS_USER with a wrong password: refused"
fi
if out=$(as_key lab_deploy "root@$WEB1" true 2>&1); then
  bad "root must accept only lab_root" "$out"
else
  ok "root with bl-deploy's key: refused"
fi

# 5. db1 through the bastion: -J with the lab's ssh_config (the jump's own ssh reads it too), and
#    a ProxyCommand built from the same options as every check here.
out=$(ssh -F "$SSH_CONFIG" -o BatchMode=yes -o LogLevel=ERROR -J "root@$BASTION" "root@$DB1" hostname 2>&1)
if [[ $out == db1 ]]; then ok "db1 ($DB1) via -J root@$BASTION: hostname is $out"; else bad "db1 via -J" "$out"; fi
printf -v proxy '%q ' "${SSH_BASE[@]}" -o BatchMode=yes -i "$KEYS/lab_root" -W '%h:%p' "root@$BASTION"
out=$(as_key lab_deploy -o ProxyCommand="$proxy" "$LAB_DEPLOY_USER@$DB1" 'hostname; sudo -n true && echo sudo-ok' 2>&1)
if [[ $out == "db1"$'\n'"sudo-ok" ]]; then ok "$LAB_DEPLOY_USER@db1 via ProxyCommand through the bastion, sudo -n works"; else bad "db1 via ProxyCommand" "$out"; fi

# 6. db1 is not reachable from the workstation: no route on any lab interface, a connect bound
#    to the lab bridge fails, and even a host routed through the bastion cannot get there (the
#    bastion does not forward).
route=$(ip -o route get "$DB1" 2>&1)
if [[ $route != *" dev $LAB_BRIDGE "* ]]; then ok "root namespace has no lab route to $DB1"; else bad "root namespace routes $DB1 into the lab" "$route"; fi
if out=$("${SSH_BASE[@]}" -o BatchMode=yes -o BindInterface="$LAB_BRIDGE" -o ConnectTimeout=2 -i "$KEYS/lab_root" "root@$DB1" true 2>&1); then
  bad "db1 must not answer from the root namespace" "$out"
else
  ok "ssh root@$DB1 from the root namespace (bound to $LAB_BRIDGE) fails: ${out##*: }"
fi
if ip netns exec bl-web1 timeout 2 bash -c "exec 3<>/dev/tcp/$DB1/$LAB_SSH_PORT" 2>/dev/null; then
  bad "db1 must not be reachable from web1"
else
  ok "connect to $DB1:$LAB_SSH_PORT from web1 fails (no route)"
fi
ip -n bl-web1 route add "$LAB_PRIV_NET" via "$BASTION" 2>/dev/null
if ip netns exec bl-web1 timeout 2 bash -c "exec 3<>/dev/tcp/$DB1/$LAB_SSH_PORT" 2>/dev/null; then
  bad "the bastion forwards packets to the private network"
else
  ok "connect to $DB1 from web1 routed via the bastion fails (the bastion does not forward)"
fi
ip -n bl-web1 route del "$LAB_PRIV_NET" via "$BASTION" 2>/dev/null

# 7. 20 connections at once to one host (the benchmark's load): MaxStartups must not drop any.
tmp=$(mktemp -d)
for i in $(seq 1 20); do as_key lab_root "root@$WEB1" 'sleep 1; hostname' >"$tmp/$i" 2>&1 & done
wait
good=$(grep -lx web1 "$tmp"/* | wc -l)
if ((good == 20)); then ok "20 simultaneous sessions to web1: all 20 answered"; else bad "20 simultaneous sessions: $good answered" "$(cat "$tmp"/* | sort | uniq -c)"; fi
rm -rf "$tmp"

# 8. Nothing listens outside the lab: each sshd is bound to its host's lab addresses only, and
#    the root namespace has no sshd of the lab.
for h in "${HOSTS[@]}"; do
  IFS='|' read -r name ns addr _ priv <<<"$h"
  want="$addr:$LAB_SSH_PORT"
  [[ -n $priv ]] && want+=" $priv:$LAB_SSH_PORT"
  v6=$(addr6_of "$name" "$addr")
  [[ -n $v6 ]] && want+=" [$v6]:$LAB_SSH_PORT"
  # php1's nginx listens on port 80 of every address of its namespace (which has only lab ones).
  is_php_host "$name" && want+=" 0.0.0.0:80 [::]:80"
  got=$(ip netns exec "$ns" ss -Hltn | awk '{print $4}' | sort | tr '\n' ' ')
  want=$(tr ' ' '\n' <<<"$want" | sort | tr '\n' ' ')
  if [[ $got == "$want" ]]; then ok "$name listens only on ${got% }"; else bad "$name listens on: $got (want $want)"; fi
done
mapfile -t HEADS < <(lab_heads)
for h in "${HEADS[@]}"; do
  IFS='|' read -r name ns addr _ <<<"$h"
  v6=$(addr6_of "$name" "$addr")
  want=$(for port in $LAB_HEAD_PORTS; do echo "$addr:$port"; [[ -z $v6 ]] || echo "[$v6]:$port"; done | sort | tr '\n' ' ')
  got=$(ip netns exec "$ns" ss -Hltn | awk '{print $4}' | sort | tr '\n' ' ')
  if [[ $got == "$want" ]]; then ok "web head $name listens only on ${got% }"; else bad "web head $name listens on: $got (want $want)"; fi
done
if ss -Hltn "( sport = :$LAB_SSH_PORT )" | grep . >/dev/null; then
  bad "something listens on port $LAB_SSH_PORT in the root namespace" "$(ss -ltnp "( sport = :$LAB_SSH_PORT )")"
else
  ok "no sshd listens in the root namespace"
fi
if [[ $(sysctl -n net.ipv4.ip_forward) == 0 ]]; then ok "root namespace: ip_forward is 0"; else warn "root namespace has ip_forward=1 (not set by the lab)"; fi

# 9. Story 2's remote site, seen from the customer servers as their PHP sees it: the name
#    resolves to every head (getent ahosts, through sshd, so sessions see the netns's /etc/hosts
#    and host.conf), and each head answers on its own on every port: the good ones 200, the bad
#    one 400 with its whole filler body. The name resolves nowhere else (asked of /etc/hosts only:
#    a DNS query would leave the lab).
want_addrs=$(lab_heads | while IFS='|' read -r hname _ haddr _; do echo "$haddr"; addr6_of "$hname" "$haddr"; done | sort | tr '\n' ' ')
for c in $LAB_FEEDS_CLIENTS; do
  out=$(as_key lab_root "root@$(addr_of "$c")" "getent ahosts $LAB_FEEDS_NAME" 2>&1)
  got=$(awk '{print $1}' <<<"$out" | sort -u | tr '\n' ' ')
  if [[ $got == "$want_addrs" ]]; then ok "$c: getent ahosts $LAB_FEEDS_NAME lists ${got% }"; else bad "$c: getent ahosts $LAB_FEEDS_NAME" "$out"; fi
done
if getent -s files hosts "$LAB_FEEDS_NAME" >/dev/null; then
  bad "$LAB_FEEDS_NAME is in the root namespace's /etc/hosts"
else
  ok "$LAB_FEEDS_NAME is not in the root namespace's /etc/hosts"
fi
for h in "${HEADS[@]}"; do
  IFS='|' read -r name _ addr code <<<"$h"
  size=$((${#name} + 17)) # "include ok from <name>\n"
  [[ $code == 400 ]] && size=$LAB_HEAD_BAD_BODY_BYTES
  for port in $LAB_HEAD_PORTS; do
    url="http://$addr:$port/"
    out=$(as_key lab_root "root@$WEB1" "curl -s -o /dev/null --max-time 30 -w '%{http_code} %{size_download}' $url" 2>&1)
    if [[ $out == "$code $size" ]]; then
      ok "web1: curl $url ($name) answers $code with $size bytes"
    else
      bad "web1: curl $url ($name) should answer $code with $size bytes" "$out"
    fi
  done
  v6=$(addr6_of "$name" "$addr")
  [[ -n $v6 ]] || continue
  url="http://[$v6]:${LAB_HEAD_PORTS%% *}/"
  out=$(as_key lab_root "root@$WEB1" "curl -s -o /dev/null --max-time 30 -w '%{http_code} %{size_download}' '$url'" 2>&1)
  if [[ $out == "$code $size" ]]; then ok "web1: curl $url ($name, IPv6) answers $code with $size bytes"; else bad "web1: curl $url ($name, IPv6)" "$out"; fi
done

# 10. The customer's own firewall on the customer servers (iptables and ip6tables): INPUT
#     accepts, the "customer: ssh" rule, and OUTPUT jumping to CUSTOMER-OUT, which drops a
#     documentation network.
for c in $LAB_CUSTOMER_FIREWALL_HOSTS; do
  for tool in iptables ip6tables; do
    out=$(as_key lab_root "root@$(addr_of "$c")" "$tool -S" 2>&1)
    missing=()
    grep -qx -- '-P INPUT ACCEPT' <<<"$out" || missing+=("INPUT policy ACCEPT")
    grep -q -- "^-A INPUT .*--dport 22 .*--comment \"$LAB_CUSTOMER_RULE_MARK ssh\" -j ACCEPT" <<<"$out" || missing+=("the ssh rule")
    grep -q -- "^-A OUTPUT .*--comment \"$LAB_CUSTOMER_RULE_MARK.* -j CUSTOMER-OUT" <<<"$out" || missing+=("OUTPUT -j CUSTOMER-OUT")
    grep -q -- "^-A CUSTOMER-OUT .*--comment \"$LAB_CUSTOMER_RULE_MARK.* -j DROP" <<<"$out" || missing+=("the CUSTOMER-OUT drop")
    if ((${#missing[@]} == 0)); then
      ok "$c: the customer's $tool ruleset is in place ($(grep -c -- "--comment \"$LAB_CUSTOMER_RULE_MARK" <<<"$out") \"$LAB_CUSTOMER_RULE_MARK\" rules)"
    else
      bad "$c: the customer's $tool ruleset lacks: ${missing[*]}" "$out"
    fi
  done
done

# 11. The customer users with other login shells (LAB_SHELL_USERS), by key on web1: sshd runs the
#     command with their login shell, whose startup file ran (BACKLINE_LAB_RC) and printed nothing,
#     and `sudo -n` works. bl-chatty's .bashrc prints its banner and its stderr line even here. The
#     command is one all four shells read alike.
for u in "${LAB_SHELL_USERS[@]}"; do
  IFS='|' read -r user shell <<<"$u"
  err=$(mktemp)
  out=$(as_key lab_deploy "$user@$WEB1" 'printenv SHELL; printenv BACKLINE_LAB_RC; sudo -n id -u' 2>"$err")
  status=$?
  errtext=$(<"$err")
  rm -f "$err"
  case ${shell##*/} in
    tcsh) rc=.tcshrc ;;
    fish) rc=config.fish ;;
    zsh) rc=.zshenv ;;
    *) rc=.bashrc ;;
  esac
  want_out="$shell"$'\n'"$rc"$'\n0'
  want_err=''
  if [[ $user == "$LAB_CHATTY_USER" ]]; then
    want_out="Welcome to web1"$'\n'"$want_out"
    want_err="stty: not a tty"
  fi
  if ((status == 0)) && [[ $out == "$want_out" && $errtext == "$want_err" ]]; then
    ok "$user@$WEB1 by key: login shell $shell, $rc ran${want_err:+ (and printed its banner and its stderr line)}, \`sudo -n\` works"
  else
    bad "$user@$WEB1: login shell / startup file / sudo -n" "status $status, stdout: $out"$'\n'"stderr: $errtext"
  fi
done
# The firewall probe's kind of command, as the tcsh user with sudo: the customer's rules are there.
out=$(as_key lab_deploy "bl-tcsh@$WEB1" 'sudo -n iptables-save -t filter' 2>&1)
if grep -qF -- "--comment \"$LAB_CUSTOMER_RULE_MARK" <<<"$out"; then
  ok "bl-tcsh@$WEB1: \`sudo -n iptables-save\` shows the customer's rules"
else
  bad "bl-tcsh@$WEB1: sudo -n iptables-save" "$out"
fi

# 12. MaxSessions: on a hardened host (LAB_HOST_MAX_SESSIONS) one connection carries that many
#     sessions at once and the next is refused. The sessions share one master connection; the
#     clients get ProxyCommand=false, so a refused one cannot fall back to a connection of its own.
for entry in $LAB_HOST_MAX_SESSIONS; do
  name=${entry%%:*}
  max=${entry#*:}
  addr=$(addr_of "$name")
  tmp=$(mktemp -d)
  as_key lab_root -o ControlMaster=yes -o ControlPath="$tmp/cm" -o ControlPersist=60 -N -f "root@$addr"
  for ((i = 1; i <= max + 1; i++)); do
    as_key lab_root -o ControlMaster=no -o ControlPath="$tmp/cm" -o ProxyCommand=false "root@$addr" 'sleep 2; echo ok' >"$tmp/s$i" 2>&1 &
    sleep 0.3
  done
  wait
  good=$(grep -lx ok "$tmp"/s* | wc -l)
  refused=$(grep -l "refused" "$tmp"/s* | wc -l)
  as_key lab_root -o ControlPath="$tmp/cm" -O exit "root@$addr" 2>/dev/null
  if ((good == max && refused == 1)); then
    ok "$name (MaxSessions $max): $max sessions on one connection, session $((max + 1)) refused"
  else
    bad "$name (MaxSessions $max): $good sessions answered, $refused refused" "$(cat "$tmp"/s*)"
  fi
  rm -rf "$tmp"
done

# 13. IPv6 only where the lab put it: the dual-stack hosts and heads and the bridge carry their
#     fd77:: address and no link-local one (no chatter); every other lab interface has no IPv6.
got=$(ip -6 -o addr show dev "$LAB_BRIDGE" | awk '{print $4}' | tr '\n' ' ')
if [[ $got == "$LAB_BRIDGE_ADDR6/$LAB_PREFIX6 " ]]; then ok "$LAB_BRIDGE has $got(IPv6, no link-local)"; else bad "$LAB_BRIDGE's IPv6 addresses: $got"; fi
for h in "${HOSTS[@]}" "${HEADS[@]}"; do
  IFS='|' read -r name ns addr _ <<<"$h"
  v6=$(addr6_of "$name" "$addr")
  got=$(ip -n "$ns" -6 -o addr show | awk '{print $4}' | tr '\n' ' ')
  want=${v6:+$v6/$LAB_PREFIX6 }
  [[ $name == fleet* && $got == "$want" ]] && continue # 20 lines of "no IPv6" say nothing
  if [[ $got == "$want" ]]; then ok "$name: IPv6 ${want:-none}"; else bad "$name's IPv6 addresses: '$got' (want '$want')"; fi
done

# 14. Saved rules (netfilter-persistent): every host has its own /etc/iptables; on the persistent
#     hosts it holds the customer's rules, saved as `netfilter-persistent save` writes them, and a
#     session there sees exactly that file; the others' is empty, and this machine's own has none.
for h in "${HOSTS[@]}"; do
  IFS='|' read -r name ns addr net _ <<<"$h"
  [[ $net == public && $name != fleet* ]] || continue
  out=$(as_key lab_root "root@$addr" 'command -v netfilter-persistent; ls /etc/iptables' 2>&1)
  if is_persistent_host "$name"; then
    if [[ $out == */netfilter-persistent$'\n'"rules.v4"$'\n'"rules.v6" ]] \
      && [[ $(as_key lab_root "root@$addr" 'sha256sum < /etc/iptables/rules.v4') == "$(sha256sum </etc/netns/"$ns"/iptables/rules.v4)" ]] \
      && grep -qF -- "--comment \"$LAB_CUSTOMER_RULE_MARK" "/etc/netns/$ns/iptables/rules.v4"; then
      ok "$name: /etc/iptables/rules.v4 and rules.v6 are its own (/etc/netns/$ns/iptables), with the customer's rules"
    else
      bad "$name: its saved rules in /etc/iptables" "$out"
    fi
  elif [[ $out == */netfilter-persistent ]]; then
    ok "$name: netfilter-persistent is installed, its /etc/iptables holds no saved rules"
  else
    bad "$name: /etc/iptables should be its own and empty" "$out"
  fi
done
if compgen -G '/etc/iptables/rules.v*' >/dev/null; then warn "this machine has saved rules in /etc/iptables (not the lab's)"; else ok "this machine's own /etc/iptables holds no rules of the lab"; fi

# 15. The PHP server php1 (e2e/lab/php): seen over ssh as a probe sees it, nginx serves the shop from
#     its docroot (nginx -T), php-fpm's shop pool answers (its status page, from php1 only), the
#     CLI's memory_limit is not the pool's, the site answers from the workstation with head1's feed,
#     and everything php1 runs, sessions included, is in its memory cgroup, capped, without swap.
PHP_ADDR=$(php_addr)
out=$(as_key lab_root "root@$PHP_ADDR" 'nginx -T 2>/dev/null | grep -E "^\s*root " ; ls /etc/php/*/fpm/pool.d' 2>&1)
if grep -q "root $LAB_PHP_DOCROOT;" <<<"$out" && grep -qx "$LAB_PHP_POOL.conf" <<<"$out"; then
  ok "$LAB_PHP_HOST: nginx -T serves $LAB_PHP_DOCROOT, /etc/php has the $LAB_PHP_POOL pool (its own /etc, over ssh)"
else
  bad "$LAB_PHP_HOST: nginx -T / pool.d over ssh" "$out"
fi
out=$(as_key lab_root "root@$PHP_ADDR" "php -r 'echo ini_get(\"memory_limit\");'; echo; grep -h '^php_admin_value\[memory_limit\]' /etc/php/*/fpm/pool.d/$LAB_PHP_POOL.conf" 2>&1)
if [[ $out == "$(php_ini_memory_limit cli)"$'\n'"php_admin_value[memory_limit] = $LAB_PHP_FPM_MEMORY_LIMIT" ]]; then
  ok "$LAB_PHP_HOST: the CLI's memory_limit is $(php_ini_memory_limit cli), the $LAB_PHP_POOL pool's $LAB_PHP_FPM_MEMORY_LIMIT"
else
  bad "$LAB_PHP_HOST: memory_limit of the CLI and the pool (the lab's tests may have changed it: php/ctl.sh reset)" "$out"
fi
out=$(as_key lab_root "root@$PHP_ADDR" "curl -s --max-time 5 'http://127.0.0.1/fpm-status?json'" 2>&1)
if [[ $out == *"\"pool\":\"$LAB_PHP_POOL\""* && $out == *'"process manager":"dynamic"'* ]]; then
  ok "$LAB_PHP_HOST: php-fpm's status page answers on 127.0.0.1 (pool $LAB_PHP_POOL, dynamic)"
else
  bad "$LAB_PHP_HOST: php-fpm's status page from 127.0.0.1" "$out"
fi
code=$(curl -s -o /dev/null --max-time 5 -w '%{http_code}' "http://$PHP_ADDR/fpm-status")
if [[ $code == 403 ]]; then ok "$LAB_PHP_HOST: the status page refuses the workstation (403)"; else bad "$LAB_PHP_HOST: /fpm-status from the workstation answers $code, not 403"; fi
out=$(curl -s --max-time 20 -w '\n%{http_code}' "http://$PHP_ADDR/" 2>&1)
if [[ ${out##*$'\n'} == 200 && $out == *"include ok from"* ]]; then
  ok "$LAB_PHP_HOST: http://$PHP_ADDR/ answers 200 with the feed ($(grep -o 'include ok from [a-z0-9]*' <<<"$out" | head -1))"
else
  bad "$LAB_PHP_HOST: http://$PHP_ADDR/ should answer 200 with the feed (php/ctl.sh reset puts head1 first again)" "$(tail -c 400 <<<"$out")"
fi
cg=$(php_cgroup)
read -r cg_limit _ <<<"$(php_cgroup_memory)"
if [[ -n $cg && $cg_limit == "$(size_bytes "$LAB_PHP_MEMORY_MAX")" ]]; then
  ok "$LAB_PHP_HOST: memory cgroup ${cg#* } (cgroup ${cg%% *}) capped at $LAB_PHP_MEMORY_MAX"
else
  bad "$LAB_PHP_HOST: memory cgroup capped at $LAB_PHP_MEMORY_MAX" "${cg:-no cgroup} limit ${cg_limit:-?}"
fi
if [[ ${cg%% *} == v1 && -e ${cg#* }/memory.memsw.limit_in_bytes ]]; then swap_file=memory.memsw.limit_in_bytes; swap_want=$cg_limit
elif [[ ${cg%% *} == v2 && -e ${cg#* }/memory.swap.max ]]; then swap_file=memory.swap.max; swap_want=0
else swap_file=''; fi
if [[ -z $swap_file ]]; then
  ok "$LAB_PHP_HOST: no swap accounting on this kernel ($(awk '/SwapTotal/ {print $2, $3}' /proc/meminfo) of swap)"
elif [[ $(<"${cg#* }/$swap_file") == "$swap_want" ]]; then
  ok "$LAB_PHP_HOST: no swap for the cgroup ($swap_file $swap_want)"
else
  bad "$LAB_PHP_HOST: $swap_file is $(<"${cg#* }/$swap_file"), want $swap_want"
fi
outside=()
for pid in $(ip netns pids "$(php_ns)"); do
  grep -qx "$pid" "${cg#* }/cgroup.procs" 2>/dev/null || outside+=("$pid $(cat "/proc/$pid/comm" 2>/dev/null)")
done
out=$(as_key lab_root "root@$PHP_ADDR" "grep -E '^[0-9]+:(memory)?:' /proc/self/cgroup | grep -v '^[0-9]*::/\$' | head -1" 2>&1)
if ((${#outside[@]} == 0)) && [[ $out == *":/$LAB_PHP_CGROUP" ]]; then
  ok "$LAB_PHP_HOST: every process of $(php_ns) is in the cgroup, an ssh session too ($out)"
else
  bad "$LAB_PHP_HOST: processes outside the cgroup: ${outside[*]:-none}; a session's cgroup: $out"
fi

echo
if ((FAIL)); then
  echo "Lab check: $FAIL FAILED, $PASS passed"
  exit 1
fi
echo "Lab check: all $PASS checks passed"
