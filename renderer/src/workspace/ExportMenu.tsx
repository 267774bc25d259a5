import { Button, Menu } from '@mantine/core';
import { useExportMarkdown } from './useExportMarkdown.js';

export function ExportMenu({ ticketId }: { ticketId: string }) {
  const { copy, save } = useExportMarkdown(ticketId);
  return (
    <Menu position="bottom-end" width={220}>
      <Menu.Target>
        <Button variant="default" rightSection={<span aria-hidden="true">▾</span>}>
          Export
        </Button>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>Notes and findings</Menu.Label>
        <Menu.Item onClick={() => void copy()}>Copy as Markdown</Menu.Item>
        <Menu.Item onClick={() => void save()}>Save as Markdown file</Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}
