import '@mantine/core/styles.css';
import '@mantine/notifications/styles.css';
import '@mantine/spotlight/styles.css';
import './app/app.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { connectClient } from './api/bridge.js';
import { App } from './app/App.js';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element.');

// One client per window: it owns the event subscription, so every view shares it through context.
const client = connectClient();

createRoot(root).render(
  <StrictMode>
    <App client={client} />
  </StrictMode>,
);
