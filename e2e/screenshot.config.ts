import base from './playwright.config.js';
import { defineConfig } from '@playwright/test';

export default defineConfig({ ...base, testDir: './tools', testMatch: 'readme-screenshot.ts', workers: 1 });
