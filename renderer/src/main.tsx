import '@mantine/core/styles.css';
import '@mantine/notifications/styles.css';
import '@mantine/spotlight/styles.css';
import './app/app.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { connectClient } from './api/bridge.js';
import { launchTokenOf } from '../../shared/bridge.js';
import { App } from './app/App.js';
import { NoLaunchToken } from './app/NoLaunchToken.js';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element.');

// One client per window: it owns the event subscription, so every view shares it through context.
// Created before anything reads the address: in the browser shell it takes the launch token out of it.
const client = connectClient();

// Without the token, pasting the printed URL into this tab changes only the fragment: start over with it.
if (!client) window.addEventListener('hashchange', () => launchTokenOf(window.location.hash) !== null && window.location.reload());

createRoot(root).render(<StrictMode>{client ? <App client={client} /> : <NoLaunchToken />}</StrictMode>);
