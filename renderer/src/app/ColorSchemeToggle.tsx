import { ActionIcon, Tooltip, useComputedColorScheme, useMantineColorScheme } from '@mantine/core';

/** Flips between light and dark; Mantine's default manager remembers the choice in localStorage. */
export function useToggleColorScheme(): () => void {
  const { setColorScheme } = useMantineColorScheme();
  const computed = useComputedColorScheme('light', { getInitialValueInEffect: false });
  return () => setColorScheme(computed === 'dark' ? 'light' : 'dark');
}

export function ColorSchemeToggle() {
  const toggle = useToggleColorScheme();
  const computed = useComputedColorScheme('light', { getInitialValueInEffect: false });
  return (
    <Tooltip label={computed === 'dark' ? 'Light theme' : 'Dark theme'}>
      <ActionIcon aria-label="Toggle color scheme" onClick={toggle} variant="default" size="md">
        <span aria-hidden="true">{computed === 'dark' ? '☀' : '☾'}</span>
      </ActionIcon>
    </Tooltip>
  );
}
