#!/usr/bin/env bash
# Brings the lab up: network namespaces on private bridges, each with its own sshd.
#   sudo bash e2e/lab/up.sh [--fleet N] [--keep-on-failure]
# Idempotent: it converges on the wanted lab, so a second run changes nothing and a half-up lab
# is completed. --fleet N sets the benchmark fleet to exactly N hosts (fleet01..); without it the
# lab has no fleet (a fleet from an earlier run is removed).
# On failure the lab is torn down (plain down.sh) unless --keep-on-failure is given.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

FLEET=0
KEEP_ON_FAILURE=0
while (($#)); do
  case $1 in
    --fleet)
      [[ ${2:-} =~ ^[0-9]+$ ]] || die "--fleet needs a number (0..$LAB_FLEET_MAX)"
      FLEET=$((10#$2)); shift 2 ;;
    --fleet=*)
      [[ ${1#*=} =~ ^[0-9]+$ ]] || die "--fleet needs a number (0..$LAB_FLEET_MAX)"
      FLEET=$((10#${1#*=})); shift ;;
    --keep-on-failure) KEEP_ON_FAILURE=1; shift ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) die "unknown argument: $1 (usage: up.sh [--fleet N] [--keep-on-failure])" ;;
  esac
done
((FLEET <= LAB_FLEET_MAX)) || die "--fleet is at most $LAB_FLEET_MAX"

require_root
START=$(date +%s.%N)

# --- packages ---------------------------------------------------------------------------------
install_out=$(bash "$LAB_DIR/install.sh") || die "install.sh failed: $install_out"
[[ $install_out == *"all present"* ]] || log "$install_out"
for tool in ip unshare nsenter flock ssh-keygen "$SSHD" sudo visudo iptables-save iptables-restore ip6tables-save ip6tables-restore netfilter-persistent; do
  command -v "$tool" >/dev/null || die "$tool is missing: run \`sudo bash e2e/lab/install.sh\`"
done
# Each lab host's own /etc/iptables is mounted over this one (ip netns exec mounts only over what exists).
[[ -d /etc/iptables ]] || die "/etc/iptables is missing (iptables-persistent makes it): run \`sudo bash e2e/lab/install.sh\`"
[[ -e /etc/iptables/rules.v4 || -e /etc/iptables/rules.v6 ]] \
  && warn "this machine has saved rules in /etc/iptables: lab hosts do not see them (each has its own /etc/iptables)" 
# The web heads run on Node, which every machine running Backline has (root's PATH may lack it).
NODE=$(command -v node || true)
[[ -n $NODE ]] || die "node is missing from root's PATH: the web heads (web-head.js) run on Node"

[[ ${LAB_LOCK_HELD:-0} == 1 ]] || take_lock

mapfile -t HOSTS < <(lab_hosts "$FLEET")
WANTED_NS=("$LAB_PRIV_NS")
JUMP_NS=''
for h in "${HOSTS[@]}"; do
  IFS='|' read -r name ns _ _ _ <<<"$h"
  WANTED_NS+=("$ns")
  [[ $name == "$LAB_JUMP_HOST" ]] && JUMP_NS=$ns
done
[[ -n $JUMP_NS ]] || die "lab.env: LAB_JUMP_HOST $LAB_JUMP_HOST is not in LAB_HOSTS"
mapfile -t HEADS < <(lab_heads)
for h in "${HEADS[@]}"; do
  IFS='|' read -r _ ns _ _ <<<"$h"
  WANTED_NS+=("$ns")
done

# lab.env is checked before anything is touched: every address inside its lab network.
ip4_int() { # dotted quad -> integer; fails on anything else
  local IFS=. a b c d
  [[ $1 =~ ^[0-9]{1,3}(\.[0-9]{1,3}){3}$ ]] || return 1
  read -r a b c d <<<"$1"
  ((a < 256 && b < 256 && c < 256 && d < 256)) || return 1
  echo $(((a << 24) | (b << 16) | (c << 8) | d))
}
in_net() { # address cidr
  local addr net bits
  addr=$(ip4_int "$1") || return 1
  net=$(ip4_int "${2%/*}") || return 1
  bits=${2#*/}
  (((addr >> (32 - bits)) == (net >> (32 - bits)))) && (((addr & ((1 << (32 - bits)) - 1)) != 0))
}
in_net "$LAB_BRIDGE_ADDR" "$LAB_NET" || die "lab.env: LAB_BRIDGE_ADDR $LAB_BRIDGE_ADDR is not in $LAB_NET"
in_net "$LAB_UNUSED_ADDR" "$LAB_NET" || die "lab.env: LAB_UNUSED_ADDR $LAB_UNUSED_ADDR is not in $LAB_NET"
in_net "$LAB_FLEET_BRIDGE_ADDR" "$LAB_FLEET_NET" || die "lab.env: LAB_FLEET_BRIDGE_ADDR $LAB_FLEET_BRIDGE_ADDR is not in $LAB_FLEET_NET"
seen=" $LAB_BRIDGE_ADDR $LAB_UNUSED_ADDR $LAB_FLEET_BRIDGE_ADDR "
for h in "${HOSTS[@]}"; do
  IFS='|' read -r name ns addr net priv <<<"$h"
  [[ $name =~ ^[a-z][a-z0-9]{0,10}$ ]] || die "lab.env: host name '$name' must be 1-11 lower-case letters and digits"
  [[ $ns == "$LAB_NS_PREFIX"* ]] || die "lab.env: namespace $ns of $name must start with $LAB_NS_PREFIX"
  case $net in
    public) if [[ $name == fleet* ]]; then net_of=$LAB_FLEET_NET; else net_of=$LAB_NET; fi
      in_net "$addr" "$net_of" || die "lab.env: $name's address $addr is not in $net_of" ;;
    private) in_net "$addr" "$LAB_PRIV_NET" || die "lab.env: $name's address $addr is not in $LAB_PRIV_NET" ;;
    *) die "lab.env: $name's network must be public or private, not '$net'" ;;
  esac
  if [[ -n $priv ]]; then in_net "$priv" "$LAB_PRIV_NET" || die "lab.env: $name's private address $priv is not in $LAB_PRIV_NET"; fi
  for a in $addr $priv; do
    [[ $seen != *" $a "* ]] || die "lab.env: address $a is used twice"
    seen+="$a "
  done
done

for h in "${HEADS[@]}"; do
  IFS='|' read -r name ns addr code <<<"$h"
  [[ $name =~ ^[a-z][a-z0-9]{0,10}$ ]] || die "lab.env: head name '$name' must be 1-11 lower-case letters and digits"
  [[ $ns == "$LAB_NS_PREFIX"* ]] || die "lab.env: namespace $ns of $name must start with $LAB_NS_PREFIX"
  in_net "$addr" "$LAB_NET" || die "lab.env: $name's address $addr is not in $LAB_NET"
  [[ $code == 200 || $code == 400 ]] || die "lab.env: $name's status must be 200 or 400, not '$code'"
  [[ $seen != *" $addr "* ]] || die "lab.env: address $addr is used twice"
  seen+="$addr "
  for w in "${HOSTS[@]}"; do [[ ${w%%|*} != "$name" ]] || die "lab.env: $name is both a host and a head"; done
done
for p in $LAB_HEAD_PORTS; do
  if ! [[ $p =~ ^[0-9]+$ ]] || ((p < 1 || p > 65535)); then die "lab.env: LAB_HEAD_PORTS has '$p'"; fi
done
[[ $LAB_HEAD_BAD_BODY_BYTES =~ ^[0-9]+$ ]] || die "lab.env: LAB_HEAD_BAD_BODY_BYTES must be a number of bytes"
[[ $LAB_FEEDS_NAME =~ \.test$ ]] || die "lab.env: LAB_FEEDS_NAME must end in .test (a name no real DNS has)"
for c in $LAB_FEEDS_CLIENTS $LAB_CUSTOMER_FIREWALL_HOSTS; do
  printf '%s\n' "${LAB_HOSTS[@]}" | grep "^$c|" >/dev/null || die "lab.env: $c (LAB_FEEDS_CLIENTS / LAB_CUSTOMER_FIREWALL_HOSTS) is not in LAB_HOSTS"
done

# IPv6: a ULA /64 (fd00::/8, never routed outside); addresses are <prefix>::<last IPv4 number>.
[[ $LAB_NET6 =~ ^fd[0-9a-f]{2}(:[0-9a-f]{1,4}){0,3}::/64$ && $LAB_PREFIX6 == 64 ]] || die "lab.env: LAB_NET6 must be a ULA /64 written fdXX[:...]::/64, not '$LAB_NET6'"
for a in "$LAB_BRIDGE_ADDR6" "$LAB_UNUSED_ADDR6"; do
  [[ $a =~ ^${LAB_NET6%%::*}::[0-9a-f]{1,4}$ ]] || die "lab.env: $a (LAB_BRIDGE_ADDR6 / LAB_UNUSED_ADDR6) is not <prefix>::N in $LAB_NET6"
done
for d in $LAB_DUAL_STACK; do
  printf '%s\n' "${HOSTS[@]}" "${HEADS[@]}" | grep -Eq "^$d\|[^|]*\|[^|]*\|(public|[0-9]{3})" \
    || die "lab.env: $d (LAB_DUAL_STACK) is not a host on the public network or a head"
done
for p in $LAB_PERSISTENT_HOSTS; do
  printf '%s\n' "${LAB_HOSTS[@]}" | grep "^$p|" >/dev/null || die "lab.env: $p (LAB_PERSISTENT_HOSTS) is not in LAB_HOSTS"
  [[ " $LAB_CUSTOMER_FIREWALL_HOSTS " == *" $p "* ]] || die "lab.env: $p (LAB_PERSISTENT_HOSTS) must be in LAB_CUSTOMER_FIREWALL_HOSTS: its saved rules are the customer's"
done

[[ $LAB_MAX_SESSIONS =~ ^[1-9][0-9]*$ ]] || die "lab.env: LAB_MAX_SESSIONS must be a positive number"
for entry in $LAB_HOST_MAX_SESSIONS; do
  [[ $entry =~ ^[a-z][a-z0-9]*:[1-9][0-9]*$ ]] || die "lab.env: LAB_HOST_MAX_SESSIONS entry '$entry' must be host:sessions"
  printf '%s\n' "${LAB_HOSTS[@]}" | grep "^${entry%%:*}|" >/dev/null || die "lab.env: ${entry%%:*} (LAB_HOST_MAX_SESSIONS) is not in LAB_HOSTS"
done
for u in "${LAB_SHELL_USERS[@]}"; do
  IFS='|' read -r user shell <<<"$u"
  [[ $user =~ ^bl-[a-z][a-z0-9]{0,20}$ ]] || die "lab.env: shell user '$user' must be bl- and lower-case letters and digits"
  [[ $shell == /* ]] || die "lab.env: $user's login shell '$shell' must be an absolute path"
  [[ $user != "$LAB_DEPLOY_USER" && $user != "$LAB_OPS_USER" ]] || die "lab.env: $user is in LAB_SHELL_USERS and is the deploy or ops user"
done

# From here on a failure takes the half-up lab down (unless --keep-on-failure).
UP_OK=0
on_exit() {
  local status=$?
  ((UP_OK)) && return 0
  ((status)) || status=1
  rm -f "$LAB_JSON" "$STATE"/*.tmp.* 2>/dev/null || true
  printf '[lab] error: up.sh failed (status %s)\n' "$status" >&2
  if ((KEEP_ON_FAILURE)); then
    echo "[lab] the half-up lab is kept (--keep-on-failure); \`sudo bash e2e/lab/down.sh\` removes it" >&2
  else
    echo "[lab] tearing the half-up lab down; run up.sh --keep-on-failure to inspect it" >&2
    LAB_LOCK_HELD=1 bash "$LAB_DIR/down.sh" >&2 || true
  fi
  exit "$status"
}
trap on_exit EXIT
trap 'exit 130' INT TERM

# --- state and keys ---------------------------------------------------------------------------
mkdir -p "$STATE" "$KEYS" "$AUTH_KEYS"
chmod 0755 "$STATE" "$AUTH_KEYS"
chmod 0700 "$KEYS"

random_secret() { head -c 24 /dev/urandom | base64 | tr -d '\n=' | tr '+/' 'Xy'; }

client_key() { # name [passphrase-file]
  local file=$KEYS/$1 pass=''
  if [[ -n ${2:-} ]]; then
    [[ -s $2 ]] || { random_secret >"$2"; chmod 0600 "$2"; }
    pass=$(<"$2")
  fi
  if [[ ! -f $file ]]; then
    rm -f "$file.pub"
    ssh-keygen -q -t ed25519 -N "$pass" -C "backline-lab-$1" -f "$file"
  fi
  chmod 0600 "$file"
  [[ -f $file.pub ]] || ssh-keygen -y -P "$pass" -f "$file" >"$file.pub"
  chmod 0644 "$file.pub"
}
client_key lab_root
client_key lab_deploy
client_key lab_passphrase "$KEYS/lab_passphrase.passphrase"

# Host keys: one set per host, kept across down/up (only --purge removes them), so known_hosts
# stays valid. RSA generation is slow, so missing keys are made in parallel.
keygen_jobs=()
for h in "${HOSTS[@]}"; do
  IFS='|' read -r name _ _ _ _ <<<"$h"
  dir=$(host_dir "$name")
  mkdir -p "$dir"
  chmod 0755 "$dir"
  for type in $(host_key_types "$name"); do
    key=$dir/ssh_host_${type}_key
    if [[ ! -f $key || ! -f $key.pub ]]; then
      rm -f "$key" "$key.pub"
      bits=(); [[ $type == rsa ]] && bits=(-b 3072)
      ssh-keygen -q -t "$type" "${bits[@]}" -N '' -C "$name" -f "$key" &
      keygen_jobs+=($!)
    fi
  done
done
for job in "${keygen_jobs[@]}"; do wait "$job" || die "host key generation failed"; done

# --- users ------------------------------------------------------------------------------------
# sshd runs with UsePAM no, so it reads /etc/shadow itself and refuses even key logins for an
# account whose password field starts with "!" (locked). Key-only accounts get "*" instead.
shadow_field() { getent shadow "$1" | cut -d: -f2; }

root_pw=$(shadow_field root)
if [[ $root_pw == '!'* ]]; then
  # A throwaway CI machine may be changed; a person's machine is theirs to decide.
  [[ ${CI:-} == true ]] || die "root's password is locked ('!' in /etc/shadow): sshd (UsePAM no) would refuse root's key login. Set it to '*' with \`usermod -p '*' root\` if that is acceptable on this machine."
  log "CI: unlocking root for key logins (password field '!' -> '*'; password login stays impossible)"
  usermod -p '*' root
fi

ensure_user() { # name
  if ! getent passwd "$1" >/dev/null; then
    useradd --create-home --shell /bin/bash --comment "$LAB_MARK" "$1"
    log "created user $1"
  fi
}
ensure_user "$LAB_DEPLOY_USER"
ensure_user "$LAB_OPS_USER"
if [[ $(shadow_field "$LAB_DEPLOY_USER") == '!'* ]]; then usermod -p '*' "$LAB_DEPLOY_USER"; fi

# Customer users with other login shells (LAB_SHELL_USERS): key login (lab_deploy), passwordless
# sudo, and a home with the startup files such a user really has. A user that exists with another
# shell is changed only if the lab made it.
ensure_shell_user() { # name shell
  local user=$1 shell=$2 entry home group
  [[ -x $shell ]] || die "$user's login shell $shell is missing: run \`sudo bash e2e/lab/install.sh\`"
  if ! grep -qxF "$shell" /etc/shells; then
    if command -v add-shell >/dev/null; then add-shell "$shell"; else echo "$shell" >>/etc/shells; fi
    echo "$shell" >>"$SHELLS_ADDED_FILE"
    log "added $shell to /etc/shells"
  fi
  if ! entry=$(getent passwd "$user"); then
    useradd --create-home --shell "$shell" --comment "$LAB_MARK" "$user"
    log "created user $user (login shell $shell)"
  elif [[ $(cut -d: -f7 <<<"$entry") != "$shell" ]]; then
    [[ $(cut -d: -f5 <<<"$entry") == "$LAB_MARK" ]] \
      || die "user $user exists with login shell $(cut -d: -f7 <<<"$entry") and was not created by the lab: remove it, or rename the lab's in lab.env"
    usermod --shell "$shell" "$user"
    log "set $user's login shell to $shell"
  fi
  if [[ $(shadow_field "$user") == '!'* ]]; then usermod -p '*' "$user"; fi
  home=$(getent passwd "$user" | cut -d: -f6)
  group=$(id -gn "$user")
  if [[ ! -d $home ]]; then
    mkdir -p "$home"
    cp -a /etc/skel/. "$home/"
    chown -R "$user:$group" "$home"
    chmod 0750 "$home"
    log "made $user's home $home"
  fi
}

# Writes stdin to $2 under user $1's home (only when it differs), owned by the user; the
# directories on the way are made as the user.
user_file() { # user path-in-home
  local user=$1 home file
  home=$(getent passwd "$user" | cut -d: -f6)
  file=$home/$2
  [[ -d ${file%/*} ]] || runuser -u "$user" -- mkdir -p "${file%/*}"
  # shellcheck disable=SC2015 # write_if_changed's status is "changed", not success
  write_if_changed "$file" 0644 && log "wrote $file" || true
  chown "$user:$(id -gn "$user")" "$file"
}

# Their startup files: realistic, and silent, except bl-chatty's ~/.bashrc. Each exports
# BACKLINE_LAB_RC (the file's name), so a test can tell that it ran.
shell_user_files() { # name shell
  local user=$1 shell=$2
  if [[ $user == "$LAB_CHATTY_USER" ]]; then
    {
      cat <<'BASHRC'
# ~/.bashrc of bl-chatty (Backline lab, written by e2e/lab/up.sh), as a careless admin left it:
# the lines below come before the interactive guard, so every ssh command prints them too, a
# banner on stdout and a line on stderr. The rest is Debian's /etc/skel/.bashrc.
echo "Welcome to $(hostname)"
echo "stty: not a tty" >&2
export BACKLINE_LAB_RC=.bashrc

BASHRC
      cat /etc/skel/.bashrc
    } | user_file "$user" .bashrc
    return 0
  fi
  case ${shell##*/} in
    tcsh)
      user_file "$user" .tcshrc <<'TCSHRC'
# ~/.tcshrc: read by every tcsh, interactive or not (Backline lab, written by e2e/lab/up.sh).
# A long-time admin's: environment, history, aliases; the prompt only when interactive.
setenv EDITOR vi
setenv PAGER less
setenv BACKLINE_LAB_RC .tcshrc
set history = 2000
set histdup = erase
alias ll 'ls -lF'
alias h 'history 25'
if ($?prompt) then
    set prompt = "%n@%m:%~%# "
    set autolist
    set correct = cmd
endif
TCSHRC
      ;;
    fish)
      user_file "$user" .config/fish/config.fish <<'FISHRC'
# ~/.config/fish/config.fish: read by every fish, interactive or not (Backline lab, written by
# e2e/lab/up.sh). The environment first; the greeting and abbreviations only when interactive.
set -gx EDITOR vi
set -gx PAGER less
set -gx BACKLINE_LAB_RC config.fish
if status is-interactive
    set -g fish_greeting ''
    abbr -a ll 'ls -lF'
end
FISHRC
      ;;
    zsh)
      user_file "$user" .zshenv <<'ZSHENV'
# ~/.zshenv: read by every zsh, interactive or not (Backline lab, written by e2e/lab/up.sh).
export EDITOR=vi
export PAGER=less
export BACKLINE_LAB_RC=.zshenv
ZSHENV
      user_file "$user" .zshrc <<'ZSHRC'
# ~/.zshrc: read by interactive zsh only (Backline lab, written by e2e/lab/up.sh).
HISTFILE=~/.zsh_history
HISTSIZE=2000
SAVEHIST=2000
setopt appendhistory histignoredups
bindkey -e
PROMPT='%n@%m:%~%# '
alias ll='ls -lF'
ZSHRC
      ;;
  esac
}

for u in "${LAB_SHELL_USERS[@]}"; do
  IFS='|' read -r user shell <<<"$u"
  ensure_shell_user "$user" "$shell"
  shell_user_files "$user" "$shell"
done

[[ -s $OPS_PASSWORD_FILE ]] || { random_secret >"$OPS_PASSWORD_FILE"; log "generated $LAB_OPS_USER's password"; }
chmod 0600 "$OPS_PASSWORD_FILE"
OPS_PASSWORD=$(<"$OPS_PASSWORD_FILE")
ops_hash=$(shadow_field "$LAB_OPS_USER")
# perl's crypt() is libcrypt's: it checks yescrypt and SHA-512 hashes alike.
if ! PW=$OPS_PASSWORD HASH=$ops_hash perl -e 'exit(length($ENV{HASH}) > 2 && crypt($ENV{PW}, $ENV{HASH}) eq $ENV{HASH} ? 0 : 1)'; then
  printf '%s:%s\n' "$LAB_OPS_USER" "$OPS_PASSWORD" | chpasswd
  log "set $LAB_OPS_USER's password"
fi

sudoers_tmp=$(mktemp)
cat >"$sudoers_tmp" <<EOF
# $LAB_MARK: created by e2e/lab/up.sh, removed by e2e/lab/down.sh --purge.
$LAB_DEPLOY_USER ALL=(ALL:ALL) NOPASSWD: ALL
$LAB_OPS_USER ALL=(ALL:ALL) ALL
$(for u in "${LAB_SHELL_USERS[@]}"; do echo "${u%%|*} ALL=(ALL:ALL) NOPASSWD: ALL"; done)
EOF
visudo -cqf "$sudoers_tmp" || { rm -f "$sudoers_tmp"; die "generated sudoers file does not parse"; }
mkdir -p "$(dirname "$LAB_SUDOERS_FILE")"
if ! cmp -s "$sudoers_tmp" "$LAB_SUDOERS_FILE" 2>/dev/null; then
  install -m 0440 -o root -g root "$sudoers_tmp" "$LAB_SUDOERS_FILE"
  log "wrote $LAB_SUDOERS_FILE"
fi
rm -f "$sudoers_tmp"
grep -Eq '^[@#]includedir[[:space:]]+/etc/sudoers.d' /etc/sudoers \
  || warn "/etc/sudoers does not include /etc/sudoers.d: the lab's sudo rules will not apply"

# authorized_keys live under state/, never in a home directory.
write_if_changed "$AUTH_KEYS/root" 0644 <"$KEYS/lab_root.pub" || true
cat "$KEYS/lab_deploy.pub" "$KEYS/lab_passphrase.pub" | write_if_changed "$AUTH_KEYS/$LAB_DEPLOY_USER" 0644 || true
: | write_if_changed "$AUTH_KEYS/$LAB_OPS_USER" 0644 || true
for u in "${LAB_SHELL_USERS[@]}"; do write_if_changed "$AUTH_KEYS/${u%%|*}" 0644 <"$KEYS/lab_deploy.pub" || true; done
# sshd reads them as the user: every directory on the way must be traversable.
su -s /bin/sh -c "test -r '$AUTH_KEYS/$LAB_DEPLOY_USER'" "$LAB_DEPLOY_USER" \
  || die "$LAB_DEPLOY_USER cannot read $AUTH_KEYS/$LAB_DEPLOY_USER: a directory above the repo is not world-traversable (o+x)"

# --- network ----------------------------------------------------------------------------------
# Lab interfaces carry IPv4, and on the workstation network the LAB_DUAL_STACK hosts and heads (and
# the bridge) IPv6 too: only their fd77:: addresses, with no link-local address, no router
# solicitation or advertisement and no duplicate address detection, so no IPv6 chatter on the bridge.
no_ipv6() { sysctl -qw "net.ipv6.conf.$1.disable_ipv6=1" 2>/dev/null || true; }

# Sets a sysctl in namespace $1 ("" = the root namespace) only when it differs: a write of
# net.ipv6.conf.all.disable_ipv6, even of its current value, resets it on every interface, which
# would take the IPv6 addresses off eth0 on every run.
sysctl_ns() { # ns key value
  local run=()
  [[ -n $1 ]] && run=(ip netns exec "$1")
  [[ $("${run[@]}" sysctl -n "$2" 2>/dev/null) == "$3" ]] || "${run[@]}" sysctl -qw "$2=$3"
}

# IPv6 on one interface, with nothing automatic: no link-local address, no SLAAC, no RA.
enable_ipv6() { # ns dev
  sysctl_ns "$1" "net.ipv6.conf.$2.accept_ra" 0
  sysctl_ns "$1" "net.ipv6.conf.$2.autoconf" 0
  sysctl_ns "$1" "net.ipv6.conf.$2.addr_gen_mode" 1
  sysctl_ns "$1" "net.ipv6.conf.$2.disable_ipv6" 0
}

ensure_addr6() { # ns ("" = root) dev cidr
  local run=(ip)
  [[ -n $1 ]] && run=(ip -n "$1")
  "${run[@]}" -6 -o addr show dev "$2" | grep -F " $3 " >/dev/null || "${run[@]}" addr add "$3" dev "$2" nodad
}

ensure_netns() { # ns name
  local ns=$1 name=$2 v6
  if ! netns_exists "$ns"; then
    ip netns add "$ns"
  fi
  ip -n "$ns" link set lo up
  ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=0
  sysctl_ns "$ns" net.ipv6.conf.all.disable_ipv6 1 2>/dev/null || true
  sysctl_ns "$ns" net.ipv6.conf.default.disable_ipv6 1 2>/dev/null || true
  # `ip netns exec` bind-mounts /etc/netns/<ns>/* over /etc: each host gets its own hosts file
  # (so sudo resolves the host's name; the customer servers also resolve the web heads' site),
  # a resolv.conf that points at nothing, and a host.conf with `multi on` (without it glibc's
  # files backend returns only the first line of a name with several addresses), and a directory
  # of its own for /etc/iptables (netfilter-persistent's saved rules: see LAB_PERSISTENT_HOSTS).
  # Every entry in that directory is mounted, so it holds nothing else.
  [[ -z $name ]] && return 0
  mkdir -p "/etc/netns/$ns"
  etc_hosts_of "$name" | etc_netns_file "/etc/netns/$ns/hosts"
  printf '# %s: no DNS inside the lab\n' "$LAB_MARK" | etc_netns_file "/etc/netns/$ns/resolv.conf"
  printf '# %s: every address of a name in /etc/hosts, not just the first\nmulti on\n' "$LAB_MARK" | etc_netns_file "/etc/netns/$ns/host.conf"
  [[ -d /etc/netns/$ns/iptables ]] || install -d -m 0755 "/etc/netns/$ns/iptables"
}

# A host's sshd (and every session it starts) sees /etc/netns/<ns>/* as mounted when it started.
# An sshd started before a file or directory existed (an older lab's, say) gets it bind-mounted
# into its mount namespace, so the lab converges without restarting sshd or cutting a session.
sync_etc_netns() { # sshd-pid ns
  local pid=$1 ns=$2 f base
  for f in "/etc/netns/$ns"/*; do
    [[ -f $f || -d $f ]] || continue
    base=${f##*/}
    [[ $(stat -Lc '%d:%i' "/proc/$pid/root/etc/$base" 2>/dev/null) == "$(stat -Lc '%d:%i' "$f")" ]] && continue
    nsenter -t "$pid" -m mount --bind "$f" "/etc/$base" \
      || die "could not mount $f into the mount namespace of sshd $pid ($ns)"
    log "mounted $f into the running sshd of $ns"
  done
}

# php1's sshd sees php1's /srv, /var/log and /run (php_mounts): one that started without them (or
# with older ones) gets them bind-mounted into its mount namespace.
sync_php_mounts() { # sshd-pid
  local pid=$1 mounts i
  mapfile -t mounts < <(php_mounts)
  for ((i = 0; i < ${#mounts[@]}; i += 2)); do
    if [[ ${mounts[i]} == cgroupfs:* ]]; then
      [[ -d /proc/$pid/root${mounts[i + 1]}/${LAB_PHP_CGROUP} || -d /proc/$pid/root${mounts[i + 1]}/memory/${LAB_PHP_CGROUP} ]] && continue
    else
      [[ $(stat -Lc '%d:%i' "/proc/$pid/root${mounts[i + 1]}" 2>/dev/null) == "$(stat -Lc '%d:%i' "${mounts[i]}")" ]] && continue
    fi
    nsenter -t "$pid" -m /bin/sh "$PHP_MOUNTS_SCRIPT" "${mounts[i]}" "${mounts[i + 1]}" \
      || die "could not mount ${mounts[i]} on ${mounts[i + 1]} into the mount namespace of $LAB_PHP_HOST's sshd $pid"
    log "mounted ${mounts[i]} on ${mounts[i + 1]} into the running sshd of $LAB_PHP_HOST"
  done
}

ensure_addr() { # ns dev cidr
  ip -n "$1" -4 -o addr show dev "$2" | grep -F " $3 " >/dev/null || ip -n "$1" addr add "$3" dev "$2"
}

# A fixed MAC address for a lab address (02 = locally administered, then the address's bytes):
# a host whose interface is recreated keeps its MAC, so neighbours' ARP caches stay right.
mac_of() { local a b c d; IFS=. read -r a b c d <<<"$1"; printf '02:00:%02x:%02x:%02x:%02x\n' "$a" "$b" "$c" "$d"; }

# A veth from a bridge (in namespace $1, "" = root) into host namespace $4 as interface $5,
# with MAC address $6.
ensure_link() { # bridge-ns bridge veth host-ns host-if mac
  local bns=$1 br=$2 veth=$3 ns=$4 dev=$5 mac=$6 ipb=(ip)
  [[ -n $bns ]] && ipb=(ip -n "$bns")
  if "${ipb[@]}" link show "$veth" >/dev/null 2>&1 && ip -n "$ns" link show "$dev" >/dev/null 2>&1; then
    :
  else
    "${ipb[@]}" link delete "$veth" 2>/dev/null || true
    ip -n "$ns" link delete "$dev" 2>/dev/null || true
    "${ipb[@]}" link add "$veth" type veth peer name "$dev" netns "$ns"
  fi
  [[ $(ip -n "$ns" -o link show "$dev") == *" link/ether $mac "* ]] || ip -n "$ns" link set "$dev" address "$mac"
  if [[ -z $bns ]]; then no_ipv6 "$veth"; fi
  "${ipb[@]}" link set "$veth" master "$br" up
  ip -n "$ns" link set "$dev" up
}

# Workstation bridge, in the root namespace.
if ! ip link show "$LAB_BRIDGE" >/dev/null 2>&1; then
  ip link add "$LAB_BRIDGE" type bridge
  log "created bridge $LAB_BRIDGE"
fi
enable_ipv6 "" "$LAB_BRIDGE"
# A bridge takes the lowest MAC of its ports unless given one: fix it so it never changes.
bridge_mac=$(mac_of "$LAB_BRIDGE_ADDR")
[[ $(ip -o link show "$LAB_BRIDGE") == *" link/ether $bridge_mac "* ]] || ip link set "$LAB_BRIDGE" address "$bridge_mac"
ip -4 -o addr show dev "$LAB_BRIDGE" | grep -F " $LAB_BRIDGE_ADDR/$LAB_PREFIX " >/dev/null \
  || ip addr add "$LAB_BRIDGE_ADDR/$LAB_PREFIX" dev "$LAB_BRIDGE"
ip -4 -o addr show dev "$LAB_BRIDGE" | grep -F " $LAB_FLEET_BRIDGE_ADDR/${LAB_FLEET_NET#*/} " >/dev/null \
  || ip addr add "$LAB_FLEET_BRIDGE_ADDR/${LAB_FLEET_NET#*/}" dev "$LAB_BRIDGE"
ensure_addr6 "" "$LAB_BRIDGE" "$LAB_BRIDGE_ADDR6/$LAB_PREFIX6"
ip link set "$LAB_BRIDGE" up

# Private network: its bridge lives in its own namespace, out of the root namespace's reach.
ensure_netns "$LAB_PRIV_NS" ""
ip -n "$LAB_PRIV_NS" link show "$LAB_PRIV_BRIDGE" >/dev/null 2>&1 \
  || ip -n "$LAB_PRIV_NS" link add "$LAB_PRIV_BRIDGE" type bridge
ip -n "$LAB_PRIV_NS" link set "$LAB_PRIV_BRIDGE" up

# Hosts that are no longer wanted (a smaller fleet, a renamed host) go first: namespaces the lab
# made (its marked /etc/netns files, or a fleet host's name). Another bl- namespace (an engineer's
# scratch one, say) is left alone here, with a warning; down.sh removes every bl- namespace.
for ns in $(existing_lab_netns); do
  wanted=0
  for w in "${WANTED_NS[@]}"; do [[ $ns == "$w" ]] && wanted=1; done
  ((wanted)) && continue
  if is_lab_etc_netns "/etc/netns/$ns" || [[ $ns =~ ^${LAB_NS_PREFIX}fleet[0-9]+$ ]]; then
    log "removing $ns (not in the wanted lab)"
    teardown_netns "$ns"
  else
    warn "leaving namespace $ns alone: not in lab.env and not made by up.sh (down.sh would remove it)"
  fi
done
for veth in $(lab_root_veths); do
  ip link show "$veth" >/dev/null 2>&1 || continue
  [[ $(ip -o link show "$veth") == *" master $LAB_BRIDGE "* ]] || ip link delete "$veth"
done

for h in "${HOSTS[@]}"; do
  IFS='|' read -r name ns addr net priv <<<"$h"
  ensure_netns "$ns" "$name"
  if [[ $net == public ]]; then
    ensure_link "" "$LAB_BRIDGE" "$(veth_public "$name")" "$ns" eth0 "$(mac_of "$addr")"
    if [[ $name == fleet* ]]; then ensure_addr "$ns" eth0 "$addr/${LAB_FLEET_NET#*/}"; else ensure_addr "$ns" eth0 "$addr/$LAB_PREFIX"; fi
    v6=$(addr6_of "$name" "$addr")
    if [[ -n $v6 ]]; then
      enable_ipv6 "$ns" eth0
      ensure_addr6 "$ns" eth0 "$v6/$LAB_PREFIX6"
    fi
  else
    ensure_link "$LAB_PRIV_NS" "$LAB_PRIV_BRIDGE" "$(veth_private "$name")" "$ns" eth0 "$(mac_of "$addr")"
    ensure_addr "$ns" eth0 "$addr/$LAB_PRIV_PREFIX"
  fi
  if [[ -n $priv ]]; then
    ensure_link "$LAB_PRIV_NS" "$LAB_PRIV_BRIDGE" "$(veth_private "$name")" "$ns" eth1 "$(mac_of "$priv")"
    ensure_addr "$ns" eth1 "$priv/$LAB_PRIV_PREFIX"
  fi
done

for h in "${HEADS[@]}"; do
  IFS='|' read -r name ns addr _ <<<"$h"
  ensure_netns "$ns" "$name"
  ensure_link "" "$LAB_BRIDGE" "$(veth_public "$name")" "$ns" eth0 "$(mac_of "$addr")"
  ensure_addr "$ns" eth0 "$addr/$LAB_PREFIX"
  v6=$(addr6_of "$name" "$addr")
  if [[ -n $v6 ]]; then
    enable_ipv6 "$ns" eth0
    ensure_addr6 "$ns" eth0 "$v6/$LAB_PREFIX6"
  fi
done

# --- the customer's own firewall ----------------------------------------------------------------
# Customer servers come with a ruleset of their own (comments "customer: ..."), as real ones do:
# Backline's changes must leave it alone. It is loaded (added with --noflush: rules already there
# stay) only when the namespace has no rule with the mark, so a test that changed it is not undone
# by the next up.sh. INPUT stays ACCEPT: ssh must keep working.
customer_rules() { # family: 4 or 6
  local blocked=192.0.2.0/24 what="test-net" # TEST-NET-1 (RFC 5737)
  [[ $1 == 6 ]] && { blocked=2001:db8::/32; what="documentation net"; } # RFC 3849
  cat <<EOF
# $LAB_MARK: the customer's own IPv$1 firewall, loaded by e2e/lab/up.sh
*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:CUSTOMER-OUT - [0:0]
-A INPUT -p tcp --dport 22 -m conntrack --ctstate NEW -m comment --comment "$LAB_CUSTOMER_RULE_MARK ssh" -j ACCEPT
-A OUTPUT -m comment --comment "$LAB_CUSTOMER_RULE_MARK outbound filter" -j CUSTOMER-OUT
-A CUSTOMER-OUT -d $blocked -m comment --comment "$LAB_CUSTOMER_RULE_MARK block $what" -j DROP
COMMIT
EOF
}
for name in $LAB_CUSTOMER_FIREWALL_HOSTS; do
  ns=$(printf '%s\n' "${HOSTS[@]}" | awk -F'|' -v n="$name" '$1 == n { print $2 }')
  for fam in 4 6; do
    tool=iptables; [[ $fam == 6 ]] && tool=ip6tables
    if ! ip netns exec "$ns" "$tool-save" -t filter 2>/dev/null | grep -F -- "--comment \"$LAB_CUSTOMER_RULE_MARK" >/dev/null; then
      customer_rules "$fam" | ip netns exec "$ns" "$tool-restore" -w 5 --noflush \
        || die "$tool-restore of the customer ruleset failed in $ns"
      log "loaded the customer's $tool ruleset into $name"
    fi
  done
done

# --- saved rules (netfilter-persistent) ------------------------------------------------------------
# The LAB_PERSISTENT_HOSTS restore their rules at boot from their /etc/iptables/rules.v4 and .v6
# (/etc/netns/<ns>/iptables here): when a file is missing, the host's current rules are saved into
# it, as `netfilter-persistent save` would (mode 0640, like its plugins). A file that exists is left
# as it is, whatever a test saved there. Written by path, not through the mount: nothing of the lab
# can land in this machine's own /etc/iptables.
for name in $LAB_PERSISTENT_HOSTS; do
  ns=$(printf '%s\n' "${HOSTS[@]}" | awk -F'|' -v n="$name" '$1 == n { print $2 }')
  for fam in 4 6; do
    tool=iptables; [[ $fam == 6 ]] && tool=ip6tables
    file=/etc/netns/$ns/iptables/rules.v$fam
    [[ -s $file ]] && continue
    tmp=$(mktemp)
    ip netns exec "$ns" "$tool-save" >"$tmp" || { rm -f "$tmp"; die "$tool-save failed in $ns"; }
    install -m 0640 "$tmp" "$file"
    rm -f "$tmp"
    log "saved $name's $tool rules to its /etc/iptables/rules.v$fam"
  done
done

# --- the PHP server (php1): its memory cgroup, configuration and site ------------------------------
# Made before its sshd starts, which goes into the cgroup and mounts php1's /srv, /var/log and /run.
php_cgroup_ensure
php_write_config

# --- sshd -------------------------------------------------------------------------------------
mkdir -p /run/sshd
chmod 0755 /run/sshd

# Starts (or restarts after a config change) each host's sshd, in the host's network namespace
# and in a UTS namespace of its own so `hostname` prints the host's name.
started=0
for h in "${HOSTS[@]}"; do
  IFS='|' read -r name ns addr net priv <<<"$h"
  dir=$(host_dir "$name")
  listen="ListenAddress $addr:$LAB_SSH_PORT"
  [[ -n $priv ]] && listen+=$'\n'"ListenAddress $priv:$LAB_SSH_PORT"
  v6=$(addr6_of "$name" "$addr")
  [[ -n $v6 ]] && listen+=$'\n'"ListenAddress [$v6]:$LAB_SSH_PORT"
  changed=0
  # shellcheck disable=SC2015 # write_if_changed's status is "changed", not success
  write_if_changed "$dir/sshd_config" 0644 <<EOF && changed=1 || true
# $LAB_MARK: sshd for $name (namespace $ns), generated by e2e/lab/up.sh. Do not edit.
# Runs with its own /root ($dir/root-home, from /etc/skel), like a real server.
$listen
$(for type in $(host_key_types "$name"); do echo "HostKey $dir/ssh_host_${type}_key"; done)
PidFile $dir/sshd.pid
AuthorizedKeysFile "$AUTH_KEYS/%u"
AllowUsers root $(lab_users | paste -sd' ' -)
PubkeyAuthentication yes
PasswordAuthentication yes
KbdInteractiveAuthentication no
PermitEmptyPasswords no
PermitRootLogin prohibit-password
UsePAM no
StrictModes no
MaxSessions $(host_max_sessions "$name")
MaxStartups 100:30:200
MaxAuthTries 6
LoginGraceTime 30
LogLevel VERBOSE
UseDNS no
AllowTcpForwarding yes
X11Forwarding no
PrintMotd no
PrintLastLog no
AcceptEnv LANG LC_*
Subsystem sftp /usr/lib/openssh/sftp-server
EOF
  pid=$(sshd_pid "$name" "$ns")
  if [[ -n $pid ]] && ((!changed)); then continue; fi
  if [[ -n $pid ]]; then
    log "restarting sshd on $name (config changed)"
    kill_pids "$pid"
  fi
  # A listener whose pid file was lost would hold the port: end it.
  mapfile -t stale < <(lab_sshd_pids_by_config | while read -r p; do
    [[ $(tr '\0' ' ' 2>/dev/null <"/proc/$p/cmdline") == *"-f $dir/sshd_config"* ]] && echo "$p"; done)
  # So would an sshd that another checkout's lab left in this namespace (its state/ is elsewhere).
  mapfile -t -O "${#stale[@]}" stale < <(ip netns pids "$ns" 2>/dev/null | while read -r p; do
    [[ $(cat "/proc/$p/comm" 2>/dev/null) == sshd ]] && echo "$p"; done)
  kill_pids "${stale[@]}"
  rm -f "$dir/sshd.pid"
  # Each start gets a fresh log; the previous one is kept as sshd.log.1.
  if [[ -f $dir/sshd.log ]]; then mv -f "$dir/sshd.log" "$dir/sshd.log.1"; fi
  "$SSHD" -t -f "$dir/sshd_config" || die "sshd rejects $dir/sshd_config"
  # Each server gets its own /root, a fresh copy of Debian's skeleton: the workstation's own root
  # dotfiles (which may start pyenv or the like in every shell) must not run on every lab command.
  if [[ ! -d $dir/root-home ]]; then
    mkdir -p "$dir/root-home"
    cp -a /etc/skel/. "$dir/root-home/"
    chmod 0700 "$dir/root-home"
  fi
  # The PHP server's sshd (and so every session on it) is in its memory cgroup and sees its /srv,
  # /var/log and /run, like its nginx and php-fpm (php/lib.sh).
  cgroup_procs=''
  extra_mounts=()
  if is_php_host "$name"; then
    cgroup_procs=$(php_cgroup_procs)
    mapfile -t extra_mounts < <(php_mounts)
  fi
  # It joins the cgroup before `ip netns exec`, which mounts a sysfs of the namespace's own on /sys.
  # shellcheck disable=SC2016 # $1..$6 are the inner shell's arguments
  /bin/sh -c '[ -z "$1" ] || echo $$ >"$1" || exit 1; shift; exec "$@"' sh "$cgroup_procs" \
  ip netns exec "$ns" unshare --uts --mount --propagation private -- \
    /bin/sh -c 'mount --bind "$5" /root && hostname "$1" || exit 1
      name=$1 sshd=$2 config=$3 log=$4
      shift 6
      [ $# -eq 0 ] || /bin/sh "$@" || exit 1
      exec "$sshd" -f "$config" -E "$log"' \
    sh "$name" "$SSHD" "$dir/sshd_config" "$dir/sshd.log" "$dir/root-home" "$cgroup_procs" \
    ${extra_mounts[0]:+"$PHP_MOUNTS_SCRIPT"} "${extra_mounts[@]}"
  started=$((started + 1))
done

# Every sshd must be listening: the pid file appears once sshd has bound its addresses.
for h in "${HOSTS[@]}"; do
  IFS='|' read -r name ns addr net _ <<<"$h"
  for ((i = 0; i < 50; i++)); do
    [[ -n $(sshd_pid "$name" "$ns") ]] && break
    sleep 0.1
  done
  [[ -n $(sshd_pid "$name" "$ns") ]] || die "sshd on $name did not start: see $(host_dir "$name")/sshd.log"
  # Asked from where clients come: the root namespace, or the bastion for the private network.
  from=()
  [[ $net == private ]] && from=(ip netns exec "$JUMP_NS")
  for a in $addr $(addr6_of "$name" "$addr"); do
    "${from[@]}" timeout 5 bash -c "exec 3<>/dev/tcp/$a/$LAB_SSH_PORT" 2>/dev/null \
      || die "sshd on $name does not accept connections on $a port $LAB_SSH_PORT: see $(host_dir "$name")/sshd.log"
  done
  sync_etc_netns "$(sshd_pid "$name" "$ns")" "$ns"
  if is_php_host "$name"; then sync_php_mounts "$(sshd_pid "$name" "$ns")"; fi
done

# --- php1's nginx and php-fpm ---------------------------------------------------------------------
# Started when not running, reloaded when their configuration changed; then everything in php1's
# namespace (its sshd and sessions too) is in its memory cgroup.
php_services_ensure "$PHP_FPM_CHANGED" "$PHP_NGINX_CHANGED"
php_cgroup_adopt

# --- web heads ----------------------------------------------------------------------------------
# Each head runs web-head.js in its network namespace and a UTS namespace named after it, in a
# session of its own (setsid: a ^C on up.sh does not reach it), with no descriptor of ours but
# its log (fd 9 is the lab lock). It is left alone while it runs with the wanted arguments and
# the same script; otherwise restarted.
HEAD_SCRIPT_SUM=$(sha256sum "$HEAD_SCRIPT" | cut -d' ' -f1)
heads_started=0
for h in "${HEADS[@]}"; do
  IFS='|' read -r name ns addr code <<<"$h"
  dir=$(host_dir "$name")
  mkdir -p "$dir"
  chmod 0755 "$dir"
  pid=$(head_pid "$name" "$ns" "$addr" "$code")
  if [[ -n $pid && $(cat "$dir/web-head.sha256" 2>/dev/null) == "$HEAD_SCRIPT_SUM" ]]; then continue; fi
  [[ -n $pid ]] && log "restarting $name (web-head.js changed)"
  mapfile -t stale < <(lab_head_pids_by_cmdline | while read -r p; do
    [[ $(tr '\0' ' ' 2>/dev/null <"/proc/$p/cmdline") == *"--pid-file $dir/web-head.pid"* ]] && echo "$p"; done)
  # A head that another checkout's lab left in this namespace holds its ports too: a head namespace runs nothing else.
  mapfile -t -O "${#stale[@]}" stale < <(ip netns pids "$ns" 2>/dev/null || true)
  kill_pids "${stale[@]}"
  rm -f "$dir/web-head.pid"
  if [[ -f $dir/web-head.log ]]; then mv -f "$dir/web-head.log" "$dir/web-head.log.1"; fi
  echo "$HEAD_SCRIPT_SUM" >"$dir/web-head.sha256"
  mapfile -t args < <(head_args "$name" "$addr" "$code")
  # shellcheck disable=SC2016 # $1 is the inner shell's argument
  setsid ip netns exec "$ns" unshare --uts -- env -u NODE_OPTIONS \
    /bin/sh -c 'hostname "$1" && shift && exec "$@"' sh "$name" "$NODE" "${args[@]}" \
    </dev/null >>"$dir/web-head.log" 2>&1 9>&- &
  heads_started=$((heads_started + 1))
done
# The pid file appears once the head listens on all its ports; then each port must answer.
for h in "${HEADS[@]}"; do
  IFS='|' read -r name ns addr code <<<"$h"
  for ((i = 0; i < 50; i++)); do
    [[ -n $(head_pid "$name" "$ns" "$addr" "$code") ]] && break
    sleep 0.1
  done
  [[ -n $(head_pid "$name" "$ns" "$addr" "$code") ]] || die "web head $name did not start: see $(host_dir "$name")/web-head.log"
  for port in $LAB_HEAD_PORTS; do
    for a in $addr $(addr6_of "$name" "$addr"); do
      timeout 5 bash -c "exec 3<>/dev/tcp/$a/$port" 2>/dev/null \
        || die "web head $name does not accept connections on $a port $port: see $(host_dir "$name")/web-head.log"
    done
  done
done

# --- known_hosts, ssh_config, lab.json ---------------------------------------------------------
{
  for h in "${HOSTS[@]}"; do
    IFS='|' read -r name _ addr _ _ <<<"$h"
    dir=$(host_dir "$name")
    names="$name,$addr"
    v6=$(addr6_of "$name" "$addr")
    [[ -n $v6 ]] && names+=",$v6"
    for type in $(host_key_types "$name"); do
      read -r ktype kdata _ <"$dir/ssh_host_${type}_key.pub"
      printf '%s %s %s\n' "$names" "$ktype" "$kdata"
    done
  done
} | write_if_changed "$KNOWN_HOSTS" 0644 || true

{
  echo "# $LAB_MARK: ssh -F $SSH_CONFIG web1 (generated by e2e/lab/up.sh)"
  # A dual-stack host has a second entry for its IPv6 address (ssh -F ... root@fd77::11 goes there
  # over IPv6: the name's entry would send it to the IPv4 HostName).
  for h in "${HOSTS[@]}"; do
    IFS='|' read -r name _ addr net _ <<<"$h"
    v6=$(addr6_of "$name" "$addr")
    for entry in "$name $addr|$addr" ${v6:+"$v6|$v6"}; do
      echo "Host ${entry%|*}"
      echo "  HostName ${entry#*|}"
      echo "  Port $LAB_SSH_PORT"
      echo "  User root"
      echo "  IdentityFile $KEYS/lab_root"
      echo "  IdentitiesOnly yes"
      echo "  UserKnownHostsFile $KNOWN_HOSTS"
      echo "  GlobalKnownHostsFile /dev/null"
      echo "  StrictHostKeyChecking yes"
      echo "  ConnectTimeout 5"
      [[ $net == private ]] && echo "  ProxyJump $LAB_JUMP_HOST"
    done
  done
} | write_if_changed "$SSH_CONFIG" 0644 || true

echo "$FLEET" | write_if_changed "$FLEET_COUNT_FILE" 0644 || true

login_shell() { getent passwd "$1" | cut -d: -f7; }

fingerprint_json() { # pubkey file -> {"type":..,"bits":..,"fingerprint":..,"publicKey":..,"file":..}
  local bits fp type line
  read -r bits fp _ < <(ssh-keygen -lf "$1")
  type=$(ssh-keygen -lf "$1" | sed -E 's/.*\(([A-Z0-9-]+)\)$/\1/')
  line=$(cut -d' ' -f1,2 "$1")
  printf '{"type": %s, "bits": %s, "fingerprint": %s, "publicKey": %s, "publicKeyFile": %s}' \
    "$(json_str "$type")" "$bits" "$(json_str "$fp")" "$(json_str "$line")" "$(json_str "$1")"
}

{
  printf '{\n  "version": 1,\n'
  printf '  "labDir": %s,\n  "stateDir": %s,\n' "$(json_str "$LAB_DIR")" "$(json_str "$STATE")"
  printf '  "knownHosts": %s,\n  "sshConfig": %s,\n' "$(json_str "$KNOWN_HOSTS")" "$(json_str "$SSH_CONFIG")"
  printf '  "fleet": %d,\n' "$FLEET"
  printf '  "workstation": {"bridge": %s, "address": %s, "network": %s, "address6": %s, "network6": %s},\n' \
    "$(json_str "$LAB_BRIDGE")" "$(json_str "$LAB_BRIDGE_ADDR")" "$(json_str "$LAB_NET")" \
    "$(json_str "$LAB_BRIDGE_ADDR6")" "$(json_str "$LAB_NET6")"
  printf '  "privateNetwork": {"namespace": %s, "bridge": %s, "network": %s, "jumpHost": %s},\n' \
    "$(json_str "$LAB_PRIV_NS")" "$(json_str "$LAB_PRIV_BRIDGE")" "$(json_str "$LAB_PRIV_NET")" "$(json_str "$LAB_JUMP_HOST")"
  printf '  "unusedAddress": %s,\n  "unusedAddress6": %s,\n' "$(json_str "$LAB_UNUSED_ADDR")" "$(json_str "$LAB_UNUSED_ADDR6")"
  printf '  "feedsName": %s,\n' "$(json_str "$LAB_FEEDS_NAME")"
  clients=''
  for c in $LAB_FEEDS_CLIENTS; do clients+="${clients:+, }$(json_str "$c")"; done
  printf '  "feedsClients": [%s],\n' "$clients"
  fw_hosts=''
  for c in $LAB_CUSTOMER_FIREWALL_HOSTS; do fw_hosts+="${fw_hosts:+, }$(json_str "$c")"; done
  printf '  "customerFirewall": {"hosts": [%s], "mark": %s, "chain": "CUSTOMER-OUT"},\n' "$fw_hosts" "$(json_str "$LAB_CUSTOMER_RULE_MARK")"
  persistent=''
  for p in $LAB_PERSISTENT_HOSTS; do
    ns=$(printf '%s\n' "${HOSTS[@]}" | awk -F'|' -v n="$p" '$1 == n { print $2 }')
    persistent+="${persistent:+, }{\"name\": $(json_str "$p"), \"rulesDir\": $(json_str "/etc/netns/$ns/iptables")}"
  done
  printf '  "persistentHosts": [%s],\n' "$persistent"
  php_json
  printf '  "heads": [\n'
  sep=''
  ports_json=$(tr ' ' '\n' <<<"$LAB_HEAD_PORTS" | paste -sd, - | sed 's/,/, /g')
  for h in "${HEADS[@]}"; do
    IFS='|' read -r name ns addr code <<<"$h"
    dir=$(host_dir "$name")
    body=0
    [[ $code == 400 ]] && body=$LAB_HEAD_BAD_BODY_BYTES
    v6=$(addr6_of "$name" "$addr")
    a6=null
    [[ -n $v6 ]] && a6=$(json_str "$v6")
    printf '%s    {"name": %s, "namespace": %s, "address": %s, "address6": %s, "ports": [%s], "status": %d, "bodyBytes": %d, "log": %s, "pidFile": %s}' \
      "$sep" "$(json_str "$name")" "$(json_str "$ns")" "$(json_str "$addr")" "$a6" "$ports_json" "$code" "$body" \
      "$(json_str "$dir/web-head.log")" "$(json_str "$dir/web-head.pid")"
    sep=$',\n'
  done
  printf '\n  ],\n'
  printf '  "hosts": [\n'
  sep=''
  for h in "${HOSTS[@]}"; do
    IFS='|' read -r name ns addr net priv <<<"$h"
    dir=$(host_dir "$name")
    kind=server
    [[ $name == "$LAB_JUMP_HOST" ]] && kind=bastion
    [[ $name == fleet* ]] && kind=fleet
    jump=null
    [[ $net == private ]] && jump=$(json_str "$LAB_JUMP_HOST")
    addrs=$(json_str "$addr")
    [[ -n $priv ]] && addrs+=", $(json_str "$priv")"
    v6=$(addr6_of "$name" "$addr")
    a6=null
    [[ -n $v6 ]] && { a6=$(json_str "$v6"); addrs+=", $a6"; }
    printf '%s    {"name": %s, "kind": %s, "namespace": %s, "address": %s, "address6": %s, "addresses": [%s], "port": %d, "network": %s, "jumpHost": %s,\n' \
      "$sep" "$(json_str "$name")" "$(json_str "$kind")" "$(json_str "$ns")" "$(json_str "$addr")" "$a6" "$addrs" "$LAB_SSH_PORT" \
      "$(json_str "$net")" "$jump"
    keys_json=''
    for type in $(host_key_types "$name"); do
      keys_json+="${keys_json:+, }$(fingerprint_json "$dir/ssh_host_${type}_key.pub")"
    done
    printf '     "hostKeys": [%s], "maxSessions": %d,\n' "$keys_json" "$(host_max_sessions "$name")"
    printf '     "sshdConfig": %s, "sshdLog": %s, "pidFile": %s}' \
      "$(json_str "$dir/sshd_config")" "$(json_str "$dir/sshd.log")" "$(json_str "$dir/sshd.pid")"
    sep=$',\n'
  done
  printf '\n  ],\n'
  printf '  "keys": [\n'
  sep=''
  for k in lab_root lab_deploy lab_passphrase; do
    pf=null
    [[ -f $KEYS/$k.passphrase ]] && pf=$(json_str "$KEYS/$k.passphrase")
    read -r _ kfp _ < <(ssh-keygen -lf "$KEYS/$k.pub")
    printf '%s    {"name": %s, "privateKey": %s, "publicKey": %s, "fingerprint": %s, "passphraseFile": %s}' \
      "$sep" "$(json_str "$k")" "$(json_str "$KEYS/$k")" "$(json_str "$KEYS/$k.pub")" "$(json_str "$kfp")" "$pf"
    sep=$',\n'
  done
  printf '\n  ],\n'
  printf '  "users": [\n'
  printf '    {"name": "root", "login": "key", "keys": ["lab_root"], "passwordFile": null, "sudo": "root", "shell": %s},\n' \
    "$(json_str "$(login_shell root)")"
  printf '    {"name": %s, "login": "key", "keys": ["lab_deploy", "lab_passphrase"], "passwordFile": null, "sudo": "nopasswd", "shell": %s},\n' \
    "$(json_str "$LAB_DEPLOY_USER")" "$(json_str "$(login_shell "$LAB_DEPLOY_USER")")"
  printf '    {"name": %s, "login": "password", "keys": [], "passwordFile": %s, "sudo": "password", "shell": %s}' \
    "$(json_str "$LAB_OPS_USER")" "$(json_str "$OPS_PASSWORD_FILE")" "$(json_str "$(login_shell "$LAB_OPS_USER")")"
  for u in "${LAB_SHELL_USERS[@]}"; do
    printf ',\n    {"name": %s, "login": "key", "keys": ["lab_deploy"], "passwordFile": null, "sudo": "nopasswd", "shell": %s}' \
      "$(json_str "${u%%|*}")" "$(json_str "$(login_shell "${u%%|*}")")"
  done
  printf '\n  ]\n}\n'
} | write_if_changed "$LAB_JSON" 0644 || true

UP_OK=1
ELAPSED=$(awk -v s="$START" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
summary=()
for h in "${HOSTS[@]}"; do
  IFS='|' read -r name _ addr net _ <<<"$h"
  [[ $name == fleet* ]] && continue
  if [[ $net == private ]]; then summary+=("$name $addr (via $LAB_JUMP_HOST)"); else summary+=("$name $addr"); fi
done
fleet_note=''
if ((FLEET > 0)); then
  fleet_note="; fleet01..fleet$(printf '%02d' "$FLEET") $(lab_hosts "$FLEET" | grep '^fleet01|' | cut -d'|' -f3)..$(lab_hosts "$FLEET" | tail -1 | cut -d'|' -f3)"
fi
joined=$(printf '%s, ' "${summary[@]}")
heads_note=$(for h in "${HEADS[@]}"; do IFS='|' read -r name _ addr code <<<"$h"; printf '%s %s (%s), ' "$name" "$addr" "$code"; done)
echo "Lab up: ${joined%, }${fleet_note}; web heads of $LAB_FEEDS_NAME: ${heads_note%, } (${started} sshd and ${heads_started} heads started, ${ELAPSED}s; state in $STATE)"
