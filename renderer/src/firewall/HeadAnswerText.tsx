import { Text } from '@mantine/core';
import type { HeadAnswerView } from './headAnswers.js';

/** A head's answer to the last head probe, beside its address: red with the reason when it was marked. */
export function HeadAnswerText({ view }: { view: HeadAnswerView | undefined }) {
  if (!view) return null;
  return (
    <Text size="xs" c={view.marked ? 'red' : 'dimmed'} fw={view.marked ? 600 : undefined}>
      head probe: {view.answer}
      {view.marked ? ` · ${view.reasons}` : ''}
    </Text>
  );
}
