import { createContext, useContext, type ReactNode } from 'react';
import type { BacklineClient } from '../api/client.js';

const ClientContext = createContext<BacklineClient | null>(null);

export function ClientProvider({ client, children }: { client: BacklineClient; children: ReactNode }) {
  return <ClientContext value={client}>{children}</ClientContext>;
}

export function useClient(): BacklineClient {
  const client = useContext(ClientContext);
  if (!client) throw new Error('useClient() needs a <ClientProvider> above it.');
  return client;
}
