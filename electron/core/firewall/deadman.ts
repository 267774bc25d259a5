import { planIdSchema } from '../../../shared/domain/plan.js';

/**
 * The dead-man switch of a firewall plan, as iptables-apply does it, but run by the server itself:
 * the current rules are saved, then a detached process waits and restores them unless Backline
 * disarms it in time. It survives the SSH session, so a rule that cuts the engineer off undoes itself.
 * Scripts are fixed text; the plan's folder and the delay arrive as positional arguments.
 */

/** Where a plan's saved rules and switch live on the server. Plan ids are validated (p + 10 hex). */
export const planDir = (planId: string): string => {
  if (!planIdSchema.safeParse(planId).success) throw new Error(`Not a plan id: ${JSON.stringify(planId)}`);
  return `/var/lib/backline/plans/${planId}`;
};

const ARM_SCRIPT = `d=$1; s=$2; PATH="$PATH:/usr/sbin:/sbin"
umask 077; mkdir -p "$d" || exit 3
rm -f "$d/rolled-back" "$d/disarmed"
iptables-save > "$d/rules.v4" || { echo "##armed no: iptables-save failed"; exit 3; }
if command -v ip6tables-save >/dev/null 2>&1; then ip6tables-save > "$d/rules.v6" || rm -f "$d/rules.v6"; fi
setsid sh -c 'sleep "$2"; [ -e "$1/disarmed" ] && exit 0; iptables-restore < "$1/rules.v4"; if [ -f "$1/rules.v6" ]; then ip6tables-restore < "$1/rules.v6"; fi; date +%s > "$1/rolled-back"' backline-deadman "$d" "$s" > /dev/null 2>&1 < /dev/null &
echo $! > "$d/deadman.pid"
echo "##armed $!"`;

const DISARM_SCRIPT = `d=$1
if [ -e "$d/rolled-back" ]; then echo "##state rolled-back $(cat "$d/rolled-back")"; exit 0; fi
touch "$d/disarmed"
p=$(cat "$d/deadman.pid" 2>/dev/null)
if [ -n "$p" ]; then kill -TERM -"$p" 2>/dev/null || kill -TERM "$p" 2>/dev/null; fi
if [ -e "$d/rolled-back" ]; then echo "##state rolled-back $(cat "$d/rolled-back")"; else echo "##state disarmed"; fi`;

const STATUS_SCRIPT = `d=$1
if [ -e "$d/rolled-back" ]; then echo "##state rolled-back $(cat "$d/rolled-back")"
elif [ -e "$d/disarmed" ]; then echo "##state disarmed"
elif [ -f "$d/deadman.pid" ] && kill -0 "$(cat "$d/deadman.pid")" 2>/dev/null; then echo "##state armed"
else echo "##state unknown"; fi`;

/** Saves the rules and starts the switch: restore after `seconds` unless disarmed. */
export function armArgv(planId: string, seconds: number): string[] {
  if (!Number.isInteger(seconds) || seconds < 1) throw new Error(`Not a delay in seconds: ${seconds}`);
  return ['sh', '-c', ARM_SCRIPT, 'backline-arm', planDir(planId), String(seconds)];
}

export function disarmArgv(planId: string): string[] {
  return ['sh', '-c', DISARM_SCRIPT, 'backline-disarm', planDir(planId)];
}

export function statusArgv(planId: string): string[] {
  return ['sh', '-c', STATUS_SCRIPT, 'backline-status', planDir(planId)];
}

/** Puts the saved rules back now (a failure half-way through an apply). */
export function restoreSavedArgv(planId: string): string[] {
  return ['sh', '-c', 'd=$1; iptables-restore < "$d/rules.v4" && { [ ! -f "$d/rules.v6" ] || ip6tables-restore < "$d/rules.v6"; }', 'backline-restore-saved', planDir(planId)];
}

export type SwitchState = { state: 'armed' | 'disarmed' | 'unknown' } | { state: 'rolled-back'; at: number };

export function parseSwitchState(output: string): SwitchState {
  const match = /^##state (armed|disarmed|unknown|rolled-back)(?: (\d+))?$/m.exec(output);
  const state = match?.[1];
  if (state === 'rolled-back') return { state, at: Number(match?.[2] ?? 0) };
  return { state: state === 'armed' || state === 'disarmed' ? state : 'unknown' };
}

/** Stops a plan's expiry timer (its rules were removed by hand). */
export function cancelExpiryArgv(planId: string): string[] {
  return ['sh', '-c', 'p=$(cat "$1/expiry.pid" 2>/dev/null) && kill -TERM -"$p" 2>/dev/null; rm -f "$1/expiry.pid"; true', 'backline-cancel-expiry', planDir(planId)];
}

/**
 * Lifts a plan's rules by itself after `seconds` (the block's expiry), whether or not Backline is
 * running then. `commands` are complete command lines built by the one quoting function.
 */
export function expiryArgv(planId: string, seconds: number, commands: readonly string[]): string[] {
  if (!Number.isInteger(seconds) || seconds < 1) throw new Error(`Not a delay in seconds: ${seconds}`);
  const script = `d=$1; s=$2; c=$3; mkdir -p "$d"; setsid sh -c 'sleep "$1"; sh -c "$2"; date +%s > "$3/expired"' backline-expiry "$s" "$c" "$d" > /dev/null 2>&1 < /dev/null & echo $! > "$d/expiry.pid"; echo "##expiry $!"`;
  return ['sh', '-c', script, 'backline-expiry-arm', planDir(planId), String(seconds), commands.join('\n')];
}
