import { Checkbox, Group, Text, TextInput } from '@mantine/core';
import { PortInput } from '../app/PortInput.js';

/** Where the ticket's servers send: the receiver's address as they reach it, its port, and whether the setup outlives a reboot. */
export interface TargetFields {
  address: string;
  port: number;
  persist: boolean;
}

/** One target for the server setup and the fleet alike; checked by the contract when used (the error names the field). */
export function TargetForm({ value, onChange }: { value: TargetFields; onChange: (next: TargetFields) => void }) {
  return (
    <Group gap="xs" align="flex-start" wrap="wrap">
      <TextInput
        label="Receiver address, as the servers reach it"
        size="xs"
        w={260}
        placeholder="e.g. 10.0.0.5"
        value={value.address}
        onChange={(e) => onChange({ ...value, address: e.currentTarget.value })}
      />
      <PortInput
        label="Receiver port"
        w={110}
        value={value.port}
        onChange={(port) => onChange({ ...value, port: typeof port === 'number' ? port : Number(port) || 0 })}
      />
      <Checkbox
        mt={26}
        size="xs"
        label="Keep across reboot"
        checked={value.persist}
        onChange={(e) => onChange({ ...value, persist: e.currentTarget.checked })}
      />
      <Text size="xs" c="dimmed" maw={420} mt={4}>
        The servers send UDP to this address: the receiver here (this machine’s address as they see it), or a remote receiver on a server of their network.
      </Text>
    </Group>
  );
}
