import { Button, Checkbox, Group, MultiSelect, NumberInput, Paper, TextInput } from '@mantine/core';
import { useState } from 'react';
import type { Server } from '../../../shared/domain/server.js';
import { canRun, DEFAULT_TIMEOUT_S, effectiveTargets, isTimeout, MAX_TIMEOUT_S } from './command.js';
import type { RunRequest } from './useCommandRun.js';

interface Props {
  ticketId: string;
  servers: readonly Server[];
  running: boolean;
  cancelling: boolean;
  onRun: (request: RunRequest) => void;
  onCancel: () => void;
}

/** One command line for the selected servers: typed once, run in sh on each. */
export function CommandBar({ ticketId, servers, running, cancelling, onRun, onCancel }: Props) {
  const [command, setCommand] = useState('');
  const [picked, setPicked] = useState<number[] | null>(null);
  const [sudo, setSudo] = useState(false);
  const [timeoutS, setTimeoutS] = useState<number | string>(DEFAULT_TIMEOUT_S);
  const targets = effectiveTargets(servers, picked);
  const ready = !running && canRun(command, targets, timeoutS);

  const run = () => {
    if (!ready || !isTimeout(timeoutS)) return;
    const byId = new Map(servers.map((s) => [s.id, s]));
    onRun({
      ticketId,
      command,
      sudo,
      timeoutS,
      targets: targets.map((id) => ({ serverId: id, label: byId.get(id)?.label ?? String(id) })),
    });
  };

  return (
    <Paper withBorder p="xs" radius="sm">
      <Group gap="xs" align="flex-start" wrap="nowrap">
        <TextInput
          label="Command"
          description="Runs in sh on each selected server"
          placeholder="hostname; uptime"
          classNames={{ input: 'bl-mono-input' }}
          flex={1}
          miw={240}
          autoComplete="off"
          spellCheck={false}
          value={command}
          onChange={(e) => setCommand(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
              e.preventDefault();
              run();
            }
          }}
        />
        <MultiSelect
          label="Servers"
          description={picked === null ? 'All connected servers' : `${targets.length} selected`}
          placeholder={targets.length === 0 ? 'Pick servers' : undefined}
          size="xs"
          w={260}
          data={servers.map((s) => ({ value: String(s.id), label: s.connection === 'connected' ? s.label : `${s.label} (${s.connection})` }))}
          value={targets.map(String)}
          onChange={(values) => setPicked(values.map(Number))}
          clearable
          searchable
          hidePickedOptions={false}
          maxDropdownHeight={240}
        />
        <NumberInput
          label="Timeout (s)"
          description="Then stopped"
          size="xs"
          w={96}
          min={1}
          max={MAX_TIMEOUT_S}
          allowDecimal={false}
          allowNegative={false}
          value={timeoutS}
          onChange={setTimeoutS}
        />
        <Checkbox label="sudo" size="xs" mt={38} checked={sudo} onChange={(e) => setSudo(e.currentTarget.checked)} />
        <Group gap={4} mt={30} wrap="nowrap">
          <Button onClick={run} disabled={!ready} loading={running}>
            Run
          </Button>
          {running && (
            <Button color="red" variant="light" onClick={onCancel} loading={cancelling}>
              Cancel
            </Button>
          )}
        </Group>
      </Group>
    </Paper>
  );
}
