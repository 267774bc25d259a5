import type { KeyboardEvent } from 'react';

/** Table rows act as links: Enter or Space opens them, like a button. */
export function activateOnKey(open: () => void) {
  return (event: KeyboardEvent) => {
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      open();
    }
  };
}
