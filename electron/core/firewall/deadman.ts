import { planIdSchema } from '../../../shared/domain/plan.js';
import { BACKLINE_CHAIN } from './iptables-save.js';

/**
 * The dead-man switch of a firewall plan, as iptables-apply does it, but run by the server itself:
 * the current rules are saved, then a switch waits for a deadline and restores them unless Backline
 * disarms it in time. It outlives the SSH session, so a rule that cuts the engineer off undoes itself.
 *
 * Where systemd runs, the switch is a transient unit (`systemd-run`): it lives in the system manager,
 * outside the login session's cgroup, so logind's `KillUserProcesses=yes` cannot end it with the
 * session that armed it (exactly when it is needed). Elsewhere it is a process detached with setsid.
 * The probe says which (backend.ts), and the arm step prints which it used.
 *
 * The deadline is a file the switch reads every second, so it can be moved: the switch is armed with
 * a window for applying only, kept ahead while the server verifies, and set to the confirmation window
 * when the engineer is asked to confirm. Moving it, disarming it and firing it each first take the
 * deadline file by renaming it (atomic), so exactly one of them wins: a disarm that loses to a firing
 * switch waits for the rollback to finish and says so, never a half-restored firewall.
 *
 * Scripts are fixed text; the plan's folder, the delays and the other fixed scripts arrive as
 * positional arguments.
 */

/** Where a plan's saved rules and switch live on the server. Plan ids are validated (p + 10 hex). */
export const planDir = (planId: string): string => {
  if (!planIdSchema.safeParse(planId).success) throw new Error(`Not a plan id: ${JSON.stringify(planId)}`);
  return `/var/lib/backline/plans/${planId}`;
};

/** Exists when systemd is the running init (sd_booted(3) checks the same); systemd-run alone proves nothing. */
export const SYSTEMD_MARKER = '/run/systemd/system';

export type RollbackTimer = 'systemd-run' | 'setsid';

/**
 * After the saved rules are put back: Backline's rules among them whose expiry (`:exp=` in the tag)
 * passed while they were saved are lifted again (their expiry job already ran, and would not run
 * again). Deleted through iptables-restore, which reads the rules' quoting itself: no shell reads them.
 */
const LIFT_EXPIRED = `now=$(date +%s)
for t in iptables ip6tables; do
  command -v "$t-save" >/dev/null 2>&1 || continue
  x=$("$t-save" -t filter 2>/dev/null | awk -v now="$now" '/^-A ${BACKLINE_CHAIN} / && match($0, /:exp=[0-9]+/) { if (substr($0, RSTART + 5, RLENGTH - 5) + 0 <= now) { sub(/^-A /, "-D "); print } }')
  [ -z "$x" ] || printf '*filter\\n%s\\nCOMMIT\\n' "$x" | "$t-restore" --noflush
done`;

/** The switch itself ($1: the plan's folder): waits for the deadline, then restores the saved rules. */
const SWITCH_SCRIPT = `d=$1; n=0
while :; do
  [ -d "$d" ] || exit 0
  [ -e "$d/disarmed" ] && exit 0
  dl=$(cat "$d/deadline" 2>/dev/null)
  case $dl in
    ''|*[!0-9]*)
      # Taken for a moment by a move or a disarm; gone for 30 s, the safe side is to restore.
      n=$((n + 1)); [ "$n" -lt 30 ] || break ;;
    *)
      n=0
      if [ "$(date +%s)" -ge "$dl" ] && mv "$d/deadline" "$d/firing" 2>/dev/null; then
        [ "$(date +%s)" -ge "$(cat "$d/firing")" ] && break
        mv "$d/firing" "$d/deadline"
      fi ;;
  esac
  sleep 1
done
iptables-restore < "$d/rules.v4"
if [ -f "$d/rules.v6" ]; then ip6tables-restore < "$d/rules.v6"; fi
${LIFT_EXPIRED}
date +%s > "$d/rolled-back.tmp" && mv "$d/rolled-back.tmp" "$d/rolled-back"`;

const ARM_SCRIPT = `d=$1; s=$2; sd=$3; switch=$4; PATH="$PATH:/usr/sbin:/sbin"
umask 077; mkdir -p "$d" || exit 3
rm -f "$d/rolled-back" "$d/disarmed" "$d/firing" "$d/claimed" "$d/deadline" "$d/timer"
iptables-save > "$d/rules.v4" || { echo "##armed no: iptables-save failed"; exit 3; }
if command -v ip6tables-save >/dev/null 2>&1; then ip6tables-save > "$d/rules.v6" || rm -f "$d/rules.v6"; fi
echo $(($(date +%s) + s)) > "$d/deadline"
if [ -d "$sd" ] && command -v systemd-run >/dev/null 2>&1; then
  u="backline-rollback-\${d##*/}"
  if ! out=$(systemd-run --unit="$u" --description="Backline: restore the firewall rules saved in $d unless confirmed" --collect --quiet -- /bin/sh -c "$switch" backline-deadman "$d" 2>&1); then
    rm -f "$d/deadline"; echo "##armed no: systemd-run failed: $out"; exit 3
  fi
  echo "systemd-run $u" > "$d/timer"
else
  setsid /bin/sh -c "$switch" backline-deadman "$d" > /dev/null 2>&1 < /dev/null &
  echo "setsid $!" > "$d/timer"
fi
echo "##armed $(cat "$d/timer")"`;

/** Shared by the scripts that read or take the switch ($1: the plan's folder). */
const SWITCH_STATE = `d=$1
alive() {
  t=$(cat "$d/timer" 2>/dev/null)
  case $t in
    "setsid "*) kill -0 "\${t#setsid }" 2>/dev/null ;;
    "systemd-run "*) systemctl is-active --quiet "\${t#systemd-run }" 2>/dev/null ;;
    *) return 1 ;;
  esac
}
settled() {
  i=0
  while [ -e "$d/firing" ] && [ ! -e "$d/rolled-back" ] && [ $i -lt 15 ]; do sleep 1; i=$((i + 1)); done
  if [ -e "$d/rolled-back" ]; then echo "##state rolled-back $(cat "$d/rolled-back")"
  elif [ -e "$d/disarmed" ]; then echo "##state disarmed"
  else echo "##state unknown"; fi
}`;

const EXTEND_SCRIPT = `${SWITCH_STATE}
s=$2
if [ -e "$d/rolled-back" ] || [ -e "$d/firing" ] || [ -e "$d/disarmed" ]; then settled; exit 0; fi
alive || { echo "##state unknown"; exit 0; }
if mv "$d/deadline" "$d/claimed" 2>/dev/null; then
  n=$(($(date +%s) + s)); echo "$n" > "$d/claimed"; mv "$d/claimed" "$d/deadline"; echo "##state armed $n"
else settled; fi`;

const DISARM_SCRIPT = `${SWITCH_STATE}
if [ -e "$d/rolled-back" ] || [ -e "$d/firing" ] || [ -e "$d/disarmed" ]; then settled; exit 0; fi
if mv "$d/deadline" "$d/claimed" 2>/dev/null; then touch "$d/disarmed"; rm -f "$d/claimed"; echo "##state disarmed"; else settled; fi`;

const STATUS_SCRIPT = `${SWITCH_STATE}
if [ -e "$d/rolled-back" ] || [ -e "$d/firing" ] || [ -e "$d/disarmed" ]; then settled
elif alive; then echo "##state armed $(cat "$d/deadline" 2>/dev/null)"
else echo "##state unknown"; fi
t=$(cat "$d/expiry" 2>/dev/null)
if [ -e "$d/expired" ]; then echo "##expiry expired $(cat "$d/expired")"
elif [ -z "$t" ]; then echo "##expiry none"
else
  case $t in
    "setsid "*) kill -0 "\${t#setsid }" 2>/dev/null ;;
    "systemd-run "*) systemctl is-active --quiet "\${t#systemd-run }.timer" 2>/dev/null || systemctl is-active --quiet "\${t#systemd-run }.service" 2>/dev/null ;;
    *) false ;;
  esac && echo "##expiry pending" || echo "##expiry lost"
fi`;

/** Saves the rules and starts the switch: restore after `seconds` unless the deadline moves or it is disarmed. */
export function armArgv(planId: string, seconds: number, options: { systemdMarker?: string } = {}): string[] {
  if (!Number.isInteger(seconds) || seconds < 1) throw new Error(`Not a delay in seconds: ${seconds}`);
  return ['sh', '-c', ARM_SCRIPT, 'backline-arm', planDir(planId), String(seconds), options.systemdMarker ?? SYSTEMD_MARKER, SWITCH_SCRIPT];
}

/** Moves the deadline to `seconds` from now (the server's clock), unless the switch already fired. */
export function extendArgv(planId: string, seconds: number): string[] {
  if (!Number.isInteger(seconds) || seconds < 1) throw new Error(`Not a delay in seconds: ${seconds}`);
  return ['sh', '-c', EXTEND_SCRIPT, 'backline-extend', planDir(planId), String(seconds)];
}

export function disarmArgv(planId: string): string[] {
  return ['sh', '-c', DISARM_SCRIPT, 'backline-disarm', planDir(planId)];
}

/** The switch's state, and the expiry job's. */
export function statusArgv(planId: string): string[] {
  return ['sh', '-c', STATUS_SCRIPT, 'backline-status', planDir(planId)];
}

/** Puts the saved rules back now (a failure half-way through an apply). */
export function restoreSavedArgv(planId: string): string[] {
  const script = `d=$1; iptables-restore < "$d/rules.v4" && { [ ! -f "$d/rules.v6" ] || ip6tables-restore < "$d/rules.v6"; } || exit 1
${LIFT_EXPIRED}`;
  return ['sh', '-c', script, 'backline-restore-saved', planDir(planId)];
}

export type SwitchState = { state: 'armed'; deadline: number | null } | { state: 'disarmed' | 'unknown' } | { state: 'rolled-back'; at: number };

export function parseSwitchState(output: string): SwitchState {
  const match = /^##state (armed|disarmed|unknown|rolled-back)(?: (\d+))?$/m.exec(output);
  const state = match?.[1];
  const number = match?.[2] === undefined ? null : Number(match[2]);
  if (state === 'rolled-back') return { state, at: number ?? 0 };
  if (state === 'armed') return { state, deadline: number };
  return { state: state === 'disarmed' ? state : 'unknown' };
}

/** How the switch was started, from the arm step's output; null when it printed nothing recognisable. */
export function parseArmed(output: string): { timer: RollbackTimer; id: string } | null {
  const match = /^##armed (systemd-run|setsid) (\S+)$/m.exec(output);
  return match?.[1] && match[2] ? { timer: match[1] === 'systemd-run' ? 'systemd-run' : 'setsid', id: match[2] } : null;
}

/**
 * The expiry job: `pending` while it waits, `expired` once it lifted the block, `lost` when it is gone
 * without having run (the server rebooted, say), `none` when there never was one.
 */
export type ExpiryState = { state: 'pending' | 'lost' | 'none' } | { state: 'expired'; at: number };

export function parseExpiryState(output: string): ExpiryState {
  const match = /^##expiry (pending|expired|lost|none)(?: (\d+))?$/m.exec(output);
  const state = match?.[1];
  if (state === 'expired') return { state, at: Number(match?.[2] ?? 0) };
  return { state: state === 'pending' || state === 'lost' ? state : 'none' };
}

/** Stops a plan's expiry job (its rules were removed by hand). */
export function cancelExpiryArgv(planId: string): string[] {
  const script = `d=$1; t=$(cat "$d/expiry" 2>/dev/null)
case $t in
  "setsid "*) kill -TERM -"\${t#setsid }" 2>/dev/null || kill -TERM "\${t#setsid }" 2>/dev/null ;;
  "systemd-run "*) systemctl stop "\${t#systemd-run }.timer" 2>/dev/null ;;
esac
rm -f "$d/expiry"; true`;
  return ['sh', '-c', script, 'backline-cancel-expiry', planDir(planId)];
}

/** The expiry job: runs the commands, then marks the plan's folder. $1: the commands, $2: the folder. */
const EXPIRY_JOB = `PATH="$PATH:/usr/sbin:/sbin"; sh -c "$1"; date +%s > "$2/expired.tmp" && mv "$2/expired.tmp" "$2/expired"`;

const EXPIRY_SCRIPT = `d=$1; s=$2; c=$3; sd=$4; job=$5; PATH="$PATH:/usr/sbin:/sbin"
umask 077; mkdir -p "$d" || exit 3
rm -f "$d/expired"
if [ -d "$sd" ] && command -v systemd-run >/dev/null 2>&1; then
  u="backline-expiry-\${d##*/}"
  if ! out=$(systemd-run --unit="$u" --on-active="$s" --timer-property=AccuracySec=1s --description="Backline: lift the block of $d when it expires" --collect --quiet -- /bin/sh -c "$job" backline-expiry "$c" "$d" 2>&1); then
    echo "##expiry no: systemd-run failed: $out"; exit 3
  fi
  echo "systemd-run $u" > "$d/expiry"
else
  setsid /bin/sh -c 'sleep "$1"; exec /bin/sh -c "$2" backline-expiry "$3" "$4"' backline-expiry-wait "$s" "$job" "$c" "$d" > /dev/null 2>&1 < /dev/null &
  echo "setsid $!" > "$d/expiry"
fi
echo "##expiry armed $(cat "$d/expiry")"`;

/**
 * Lifts a plan's rules by itself after `seconds` (the block's expiry), whether or not Backline is
 * running then: a transient systemd timer where systemd runs, else a detached process. `commands` are
 * complete command lines built by the one quoting function.
 */
export function expiryArgv(planId: string, seconds: number, commands: readonly string[], options: { systemdMarker?: string } = {}): string[] {
  if (!Number.isInteger(seconds) || seconds < 1) throw new Error(`Not a delay in seconds: ${seconds}`);
  return ['sh', '-c', EXPIRY_SCRIPT, 'backline-expiry-arm', planDir(planId), String(seconds), commands.join('\n'), options.systemdMarker ?? SYSTEMD_MARKER, EXPIRY_JOB];
}

/** `##expiry armed systemd-run backline-expiry-p…` or `… setsid 1234`: how the expiry job was started. */
export function parseExpiryArmed(output: string): { timer: RollbackTimer; id: string } | null {
  const match = /^##expiry armed (systemd-run|setsid) (\S+)$/m.exec(output);
  return match?.[1] && match[2] ? { timer: match[1] === 'systemd-run' ? 'systemd-run' : 'setsid', id: match[2] } : null;
}

/**
 * Saves the running rules for the next boot, only where Backline's rules are among the saved ones (so
 * a block that was lifted does not come back at boot); where nothing of Backline's is saved, a server's
 * saved rules are not Backline's to write. Fixed text.
 */
export const RESAVE_SCRIPT = `PATH="$PATH:/usr/sbin:/sbin"
for f in /etc/iptables/rules.v4 /etc/iptables/rules.v6; do
  [ -f "$f" ] && grep -q -e '^-A ${BACKLINE_CHAIN} ' "$f" || continue
  if out=$(netfilter-persistent save 2>&1); then echo "##resaved"; exit 0; fi
  echo "##resave failed: $out"; exit 3
done
echo "##resave nothing"`;

export function resaveArgv(): string[] {
  return ['sh', '-c', RESAVE_SCRIPT, 'backline-resave'];
}
