import { Group, Kbd, Modal, Stack, Table, Text } from '@mantine/core';
import { createFlag } from '../app/flag.js';
import { shortcutHelp } from './shortcuts.js';

/** Opened by `?`, the header's button and the palette; rendered once by the layout. */
export const shortcutsOverlay = createFlag();

const isMac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);

export function ShortcutsOverlay() {
  const opened = shortcutsOverlay.useValue();
  return (
    <Modal opened={opened} onClose={shortcutsOverlay.close} title="Keyboard shortcuts" size="lg">
      <Stack gap="md">
        {shortcutHelp(isMac).map(({ group, items }) => (
          <Stack key={group} gap={4}>
            <Text size="xs" fw={700} c="dimmed" tt="uppercase">
              {group}
            </Text>
            <Table withRowBorders={false} verticalSpacing={3} aria-label={group}>
              <Table.Tbody>
                {items.map((item) => (
                  <Table.Tr key={item.what}>
                    <Table.Td w={170}>
                      <Group gap={4} wrap="nowrap">
                        {item.keys.map((key, i) => (
                          <span key={key}>
                            {i > 0 && (
                              <Text span size="xs" c="dimmed" mr={4}>
                                +
                              </Text>
                            )}
                            <Kbd size="sm">{key}</Kbd>
                          </span>
                        ))}
                      </Group>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{item.what}</Text>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Stack>
        ))}
      </Stack>
    </Modal>
  );
}
