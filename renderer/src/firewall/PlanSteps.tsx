import { Box, Text } from '@mantine/core';
import type { Plan } from '../../../shared/domain/plan.js';

/**
 * A plan's exact commands, in order, each with its undo and its check: the same for every kind of plan
 * (firewall blocks, netconsole targets). Before applying, the commands are the point, so they start
 * open; afterwards they are a click away.
 */
export function PlanSteps({ plan, collapsed }: { plan: Plan; collapsed: boolean }) {
  return (
    <Box component="section" aria-label="Plan preview">
      <details className="bl-fw-more" open={!collapsed}>
        <summary>
          <Text span size="sm" fw={600}>
            Exact commands, in order ({plan.steps.length} steps)
          </Text>
        </summary>
        <Box component="ol" className="bl-fw-steps" mt={4}>
          {plan.steps.map((step, i) => (
            <li key={i}>
              <Text size="sm" fw={600}>
                {step.title}
              </Text>
              <pre className="bl-fw-code" tabIndex={0}>
                {step.command}
              </pre>
              {step.undo && (
                <details className="bl-fw-more">
                  <summary>Undo</summary>
                  <pre className="bl-fw-code">{step.undo}</pre>
                </details>
              )}
              {step.check && (
                <details className="bl-fw-more">
                  <summary>Check</summary>
                  <pre className="bl-fw-code">{step.check}</pre>
                </details>
              )}
            </li>
          ))}
        </Box>
      </details>
    </Box>
  );
}
