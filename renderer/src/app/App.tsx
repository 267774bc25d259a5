import { MantineProvider } from '@mantine/core';
import { Notifications } from '@mantine/notifications';
import { QueryClientProvider } from '@tanstack/react-query';
import { useState } from 'react';
import type { BacklineClient } from '../api/client.js';
import { AppLayout } from './AppLayout.js';
import { ClientProvider } from './ClientContext.js';
import { createQueryClient } from './queryClient.js';
import { theme } from './theme.js';

export function App({ client }: { client: BacklineClient }) {
  const [queryClient] = useState(createQueryClient);
  return (
    <MantineProvider theme={theme} defaultColorScheme="auto">
      <Notifications position="bottom-right" limit={4} />
      <ClientProvider client={client}>
        <QueryClientProvider client={queryClient}>
          <AppLayout />
        </QueryClientProvider>
      </ClientProvider>
    </MantineProvider>
  );
}
