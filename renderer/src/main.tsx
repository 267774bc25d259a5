import '@mantine/core/styles.css';
import '@mantine/notifications/styles.css';
import '@mantine/spotlight/styles.css';
import './app/app.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { connectClient } from './api/bridge.js';
import { launchTokenOf } from '../../shared/bridge.js';
import { prefetchFirstScreen } from './api/queries.js';
import { App } from './app/App.js';
import { createQueryClient } from './app/queryClient.js';
import { parseHash } from './app/route.js';
import { NoLaunchToken } from './app/NoLaunchToken.js';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element.');

// One client per window: it owns the event subscription, so every view shares it through context.
// Created before anything reads the address: in the browser shell it takes the launch token out of it.
const client = connectClient();

// Without the token, pasting the printed URL into this tab changes only the fragment: start over with it.
if (!client) window.addEventListener('hashchange', () => launchTokenOf(window.location.hash) !== null && window.location.reload());

// The first screen's data is asked for now, while React is still to render (the token is out of the address by now).
const queryClient = createQueryClient();
if (client) prefetchFirstScreen(queryClient, client, parseHash(window.location.hash));

createRoot(root).render(<StrictMode>{client ? <App client={client} queryClient={queryClient} /> : <NoLaunchToken />}</StrictMode>);
