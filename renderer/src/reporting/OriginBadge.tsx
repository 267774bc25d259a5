import { Badge } from '@mantine/core';
import type { ReportDefinition } from '../../../shared/domain/report.js';

/** shipped: comes with Backline; shared: from the team's shared folder (both read-only here); saved: one's own. */
export const originColors: Record<ReportDefinition['origin'], string> = { shipped: 'blue', shared: 'grape', saved: 'teal' };

export function OriginBadge({ origin, size = 'sm' }: { origin: ReportDefinition['origin']; size?: 'xs' | 'sm' }) {
  return (
    <Badge variant="light" color={originColors[origin]} size={size} style={{ flex: 'none' }}>
      {origin}
    </Badge>
  );
}
