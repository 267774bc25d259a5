import { Button, Checkbox, Chip, Group, NumberInput, Paper, Stack, Text, TextInput, Tooltip } from '@mantine/core';
import { useRef, useState, type Ref } from 'react';
import type { Server } from '../../../shared/domain/server.js';
import { canRun, isTimeout, MAX_TIMEOUT_S, runButtonLabel, targetsOf } from './command.js';
import { atDraft, historyStep, type HistoryCursor } from './commandHistory.js';
import type { Draft } from './runStore.js';
import { connectionColors } from './server.js';

export interface RunSubmit {
  command: string;
  serverIds: number[];
  sudo: boolean;
  timeoutS: number;
}

interface Props {
  servers: readonly Server[];
  draft: Draft;
  onDraft: (patch: Partial<Draft>) => void;
  /** Earlier commands, newest first, for ↑ and ↓. */
  history: readonly string[];
  running: boolean;
  cancelling: boolean;
  onRun: (run: RunSubmit) => void;
  onCancel: () => void;
  inputRef?: Ref<HTMLInputElement>;
}

/** The servers a command goes to, as toggles: nothing is picked until the engineer picks it, and a click picks. */
function ServerPicker({ servers, picked, onChange }: { servers: readonly Server[]; picked: readonly number[]; onChange: (ids: number[]) => void }) {
  const connected = servers.filter((s) => s.connection === 'connected').map((s) => s.id);
  return (
    <Group gap={6} wrap="wrap" role="group" aria-label="Run on">
      <Text size="xs" fw={600} c="dimmed" w={48}>
        Run on
      </Text>
      {servers.length === 0 && (
        <Text size="xs" c="dimmed">
          Attach a server first.
        </Text>
      )}
      <Chip.Group multiple value={picked.map(String)} onChange={(values) => onChange(targetsOf(servers, values.map(Number)))}>
        {servers.map((s) => (
          <Tooltip key={s.id} label={`${s.label}: ${s.connection}`} openDelay={400}>
            <Chip value={String(s.id)} size="xs" color={s.connection === 'connected' ? 'blue' : 'gray'}>
              <span className="bl-conn-dot" data-color={connectionColors[s.connection]} aria-hidden="true" />
              {s.label}
            </Chip>
          </Tooltip>
        ))}
      </Chip.Group>
      {servers.length > 1 && (
        <Group gap={2}>
          <Button variant="subtle" size="compact-xs" disabled={connected.length === 0} onClick={() => onChange(connected)}>
            All connected
          </Button>
          <Button variant="subtle" size="compact-xs" color="gray" disabled={picked.length === 0} onClick={() => onChange([])}>
            None
          </Button>
        </Group>
      )}
    </Group>
  );
}

/** One command line for the servers picked: typed once, run in sh on each. */
export function CommandBar({ servers, draft, onDraft, history, running, cancelling, onRun, onCancel, inputRef }: Props) {
  const { command, sudo, timeoutS } = draft;
  const targets = targetsOf(servers, draft.picked);
  const labels = targets.map((id) => servers.find((s) => s.id === id)?.label ?? String(id));
  const ready = !running && canRun(command, targets, timeoutS);
  const cursor = useRef<HistoryCursor>(atDraft);
  const [historyNote, setHistoryNote] = useState<string | null>(null);

  const run = () => {
    if (!ready || !isTimeout(timeoutS)) return;
    cursor.current = atDraft;
    onRun({ command, serverIds: targets, sudo, timeoutS });
  };

  return (
    <Paper withBorder p="xs" radius="sm">
      <Stack gap={6}>
        <Group gap="xs" align="flex-start" wrap="nowrap">
          <TextInput
            ref={inputRef}
            label="Command"
            description={historyNote ?? 'Runs in sh on each server picked below · ↑ ↓ earlier commands'}
            placeholder="hostname; uptime"
            classNames={{ input: 'bl-mono-input' }}
            flex={1}
            miw={240}
            autoComplete="off"
            spellCheck={false}
            value={command}
            onChange={(e) => {
              cursor.current = atDraft;
              setHistoryNote(null);
              onDraft({ command: e.currentTarget.value });
            }}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
                e.preventDefault();
                run();
                return;
              }
              if ((e.key === 'ArrowUp' || e.key === 'ArrowDown') && !e.altKey && !e.ctrlKey && !e.metaKey && !e.shiftKey) {
                const step = historyStep(history, cursor.current, command, e.key === 'ArrowUp' ? 'up' : 'down');
                e.preventDefault();
                if (!step) return;
                cursor.current = step.cursor;
                setHistoryNote(step.cursor.index === -1 ? null : `Earlier command ${step.cursor.index + 1} of ${history.length}`);
                onDraft({ command: step.text });
              }
            }}
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
            onChange={(value) => onDraft({ timeoutS: value })}
          />
          <Checkbox label="sudo" size="xs" mt={38} checked={sudo} onChange={(e) => onDraft({ sudo: e.currentTarget.checked })} />
          <Group gap={4} mt={30} wrap="nowrap">
            <Button onClick={run} disabled={!ready} loading={running} color={sudo ? 'orange' : undefined} miw={150}>
              {runButtonLabel(labels, sudo)}
            </Button>
            {running && (
              <Button color="red" variant="light" onClick={onCancel} loading={cancelling}>
                Cancel
              </Button>
            )}
          </Group>
        </Group>
        <ServerPicker servers={servers} picked={targets} onChange={(picked) => onDraft({ picked })} />
      </Stack>
    </Paper>
  );
}
