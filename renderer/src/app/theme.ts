import { createTheme } from '@mantine/core';

/** A dense desktop tool: small controls by default, system fonts, restrained color. */
export const theme = createTheme({
  primaryColor: 'indigo',
  defaultRadius: 'sm',
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, Ubuntu, "Helvetica Neue", Arial, sans-serif',
  fontFamilyMonospace: 'ui-monospace, "SFMono-Regular", "JetBrains Mono", Menlo, Consolas, "Liberation Mono", monospace',
  fontSizes: { xs: '11px', sm: '13px', md: '14px', lg: '16px', xl: '18px' },
  headings: { sizes: { h1: { fontSize: '20px' }, h2: { fontSize: '17px' }, h3: { fontSize: '15px' }, h4: { fontSize: '14px' } } },
  components: {
    Button: { defaultProps: { size: 'xs' } },
    ActionIcon: { defaultProps: { size: 'md', variant: 'subtle' } },
    TextInput: { defaultProps: { size: 'xs' } },
    Textarea: { defaultProps: { size: 'xs' } },
    Select: { defaultProps: { size: 'xs' } },
    SegmentedControl: { defaultProps: { size: 'xs' } },
    Table: { defaultProps: { fz: 'sm', verticalSpacing: 4, horizontalSpacing: 'xs' } },
    Tabs: { defaultProps: { keepMounted: false } },
    Badge: { defaultProps: { size: 'sm', radius: 'sm' } },
    Modal: { defaultProps: { size: 'lg' } },
    Menu: { defaultProps: { shadow: 'md' } },
  },
});
