import { NumberInput, type NumberInputProps } from '@mantine/core';

/** A TCP/UDP port field: whole numbers 1 to 65535, no spinner. */
export function PortInput(props: Omit<NumberInputProps, 'min' | 'max' | 'allowDecimal' | 'allowNegative' | 'hideControls'>) {
  return <NumberInput label="Port" size="xs" min={1} max={65535} allowDecimal={false} allowNegative={false} hideControls {...props} />;
}
