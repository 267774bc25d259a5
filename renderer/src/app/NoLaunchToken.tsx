import { Code, MantineProvider, Stack, Text, Title } from '@mantine/core';
import { LAUNCH_TOKEN_PARAM } from '../../../shared/bridge.js';
import { theme } from './theme.js';

/** The browser shell opened without its launch token: nothing can be called, so say how to get in. */
export function NoLaunchToken() {
  return (
    <MantineProvider theme={theme} defaultColorScheme="auto">
      <Stack maw={560} mx="auto" mt={80} p="md" gap="sm">
        <Title order={1}>Backline</Title>
        <Text>This page did not carry the launch token, so it cannot reach Backline.</Text>
        <Text>
          Open the URL Backline printed when it started, such as <Code>http://127.0.0.1:39145/#{LAUNCH_TOKEN_PARAM}=…</Code>. The token changes at
          every launch.
        </Text>
      </Stack>
    </MantineProvider>
  );
}
