import { Spotlight, type SpotlightActionGroupData } from '@mantine/spotlight';
import { useCallback, useMemo } from 'react';
import { useReports, useSyncControl, useTickets } from '../api/queries.js';
import { useToggleColorScheme } from '../app/ColorSchemeToggle.js';
import { notifySuccess } from '../app/errors.js';
import type { Route } from '../app/route.js';
import { navigate } from '../app/useHashRoute.js';
import { newTicketModal } from '../tickets/newTicketModalState.js';
import { shortcutsOverlay } from '../workspace/ShortcutsOverlay.js';
import { useExportMarkdown } from '../workspace/useExportMarkdown.js';
import { askTab } from '../workspace/useWorkbenchShortcuts.js';
import { useWorkbench } from '../workspace/workbench.js';
import { paletteActions } from './paletteActions.js';

/** Ctrl/Cmd+K from anywhere, including while typing in a note (hence no ignored tags). */
export function CommandPalette({ route }: { route: Route }) {
  const tickets = useTickets();
  const reports = useReports();
  const { start: startSync } = useSyncControl();
  const syncMutate = startSync.mutate;
  const syncReporting = useCallback(
    () => syncMutate({ full: false }, { onSuccess: () => notifySuccess('Syncing the reporting cache: progress is on the Reports page.') }),
    [syncMutate],
  );
  const toggleColorScheme = useToggleColorScheme();
  const bench = useWorkbench();
  // The hook needs a ticket id even on the list; it is only called from workspace actions.
  const exportMarkdown = useExportMarkdown(route.name === 'workspace' ? route.ticketId : '');

  const groups = useMemo((): SpotlightActionGroupData[] => {
    const actions = paletteActions(route, tickets.data ?? [], {
      go: navigate,
      newTicket: newTicketModal.open,
      toggleColorScheme,
      copyMarkdown: () => void exportMarkdown.copy(),
      saveMarkdown: () => void exportMarkdown.save(),
      syncReporting,
      attachServer: (ticketId) => askTab(bench, ticketId, 'servers', 'attach-server'),
      runCommand: (ticketId) => askTab(bench, ticketId, 'servers', 'focus-command'),
      addFinding: (ticketId) => askTab(bench, ticketId, 'findings', 'add-finding'),
      showShortcuts: shortcutsOverlay.open,
    }, reports.data?.reports ?? []);
    const byGroup = new Map<string, SpotlightActionGroupData>();
    for (const { group, ...action } of actions) {
      const entry = byGroup.get(group) ?? { group, actions: [] };
      entry.actions.push(action);
      byGroup.set(group, entry);
    }
    return [...byGroup.values()];
  }, [route, tickets.data, reports.data, toggleColorScheme, exportMarkdown, syncReporting, bench]);

  return (
    <Spotlight
      actions={groups}
      shortcut={['mod + K']}
      tagsToIgnore={[]}
      nothingFound="Nothing matches."
      highlightQuery
      scrollable
      maxHeight={420}
      searchProps={{ placeholder: 'Jump to a ticket or action…', 'aria-label': 'Jump to a ticket or action' }}
    />
  );
}
