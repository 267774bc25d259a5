import { Alert, Badge, Box, Button, Group, Loader, Paper, Stack, Text } from '@mantine/core';
import type { Plan } from '../../../shared/domain/plan.js';
import { describeError } from '../../../shared/errors.js';
import { toWireError } from '../app/errors.js';
import { formatDateTime } from '../app/formatTime.js';
import { PlanLog } from './PlanLog.js';
import { statusColors } from './planView.js';

interface Props {
  plans: readonly Plan[] | undefined;
  error: Error | null;
  serverLabels: ReadonlyMap<number, string>;
  activeId: string | null;
  onShow: (plan: Plan) => void;
}

/** Every firewall plan on this ticket, newest first, with what happened to it (netconsole targets have their own tab). */
export function PlanHistory({ plans: all, error, serverLabels, activeId, onShow }: Props) {
  const plans = all?.filter((plan) => plan.kind === 'firewall.block');
  return (
    <Box component="section" aria-label="Plans">
      <Text size="sm" fw={600} mb={4}>
        Plans on this ticket
      </Text>
      {error ? (
        <Alert color="red">{describeError(toWireError(error))}</Alert>
      ) : !plans ? (
        <Loader size="xs" />
      ) : plans.length === 0 ? (
        <Text size="sm" c="dimmed">
          No plans yet. A plan is made when you preview a block; applying, confirming and rollbacks are logged here.
        </Text>
      ) : (
        <Stack gap={4}>
          {plans.map((plan) => (
            <Paper key={plan.id} withBorder px="xs" py={4} radius="sm" aria-label={`Plan ${plan.id}`}>
              <Group justify="space-between" wrap="nowrap" gap="xs">
                <Group gap="xs" wrap="nowrap" miw={0}>
                  <Badge size="sm" color={statusColors[plan.status]} variant="light">
                    {plan.status}
                  </Badge>
                  <Text size="sm" truncate>
                    {plan.title}
                  </Text>
                </Group>
                <Group gap="xs" wrap="nowrap">
                  <Text size="xs" c="dimmed" style={{ whiteSpace: 'nowrap' }}>
                    {serverLabels.get(plan.serverId) ?? `server ${plan.serverId}`} · {formatDateTime(plan.createdAt)} ·{' '}
                    <Text span ff="monospace" size="xs">
                      {plan.id}
                    </Text>
                  </Text>
                  {plan.id !== activeId && (
                    <Button variant="subtle" size="compact-xs" onClick={() => onShow(plan)} aria-label={`Show plan ${plan.id}`}>
                      Show
                    </Button>
                  )}
                </Group>
              </Group>
              {plan.id === activeId ? (
                <Text size="xs" c="dimmed">
                  Shown above.
                </Text>
              ) : (
                <PlanLog log={plan.log} label={`History of plan ${plan.id}`} />
              )}
            </Paper>
          ))}
        </Stack>
      )}
    </Box>
  );
}
