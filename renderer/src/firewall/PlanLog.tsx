import type { Plan } from '../../../shared/domain/plan.js';
import { formatDateTime, formatTime } from '../app/formatTime.js';

/** A plan's log: time, an ok/failed marker, and what happened. */
export function PlanLog({ log, label }: { log: Plan['log']; label: string }) {
  if (log.length === 0) return null;
  return (
    <ul className="bl-fw-log" aria-label={label}>
      {log.map((line, i) => (
        <li key={i}>
          <time className="bl-fw-log-time" dateTime={line.at} title={formatDateTime(line.at)}>
            {formatTime(line.at)}
          </time>
          <span className={line.ok ? 'bl-fw-log-ok' : 'bl-fw-log-failed'} role="img" aria-label={line.ok ? 'ok' : 'failed'}>
            {line.ok ? '✓' : '✗'}
          </span>
          <span className="bl-fw-log-message">{line.message}</span>
        </li>
      ))}
    </ul>
  );
}
