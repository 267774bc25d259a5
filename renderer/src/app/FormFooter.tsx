import { Alert, Button, Group } from '@mantine/core';
import type { WireError } from '../../../shared/errors.js';

interface FormFooterProps {
  /** The last failure, if any: its message, the issues no field claimed, and the hint. */
  wire: WireError | null | undefined;
  generalIssues: string[];
  submitLabel: string;
  pending: boolean;
  onCancel: () => void;
}

/** Every form's last lines: what went wrong (if anything), then Cancel and the submit button. */
export function FormFooter({ wire, generalIssues, submitLabel, pending, onCancel }: FormFooterProps) {
  return (
    <>
      {wire && (
        <Alert color="red" title={wire.message} role="alert">
          {[...generalIssues, wire.hint].filter(Boolean).join(' — ')}
        </Alert>
      )}
      <Group justify="flex-end" gap="xs">
        <Button variant="default" onClick={onCancel}>
          Cancel
        </Button>
        <Button type="submit" loading={pending}>
          {submitLabel}
        </Button>
      </Group>
    </>
  );
}
