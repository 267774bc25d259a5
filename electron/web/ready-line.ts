/** The line the browser shell prints when it is ready; people and the e2e fixtures look for it. */
export const READY_PREFIX = 'Backline (browser shell) is running at ';
