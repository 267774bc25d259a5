import { MantineProvider } from '@mantine/core';
import { Notifications } from '@mantine/notifications';
import { QueryClientProvider, type QueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { BacklineClient } from '../api/client.js';
import { AppLayout } from './AppLayout.js';
import { ClientProvider } from './ClientContext.js';
import { createQueryClient } from './queryClient.js';
import { theme } from './theme.js';

/** `queryClient`: one made (and maybe already fetching, see prefetchFirstScreen) before the app renders. */
export function App({ client, queryClient: made }: { client: BacklineClient; queryClient?: QueryClient }) {
  const [queryClient] = useState(() => made ?? createQueryClient());
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
