import { Combobox, Group, Modal, Select, Stack, Text, TextInput, useCombobox } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState, type FormEvent, type ReactNode } from 'react';
import { authMethods, type LibraryEntry } from '../../../shared/domain/server.js';
import { useInvoke } from '../api/queries.js';
import { useClient } from '../app/ClientContext.js';
import { toWireError } from '../app/errors.js';
import { FormFooter } from '../app/FormFooter.js';
import { PortInput } from '../app/PortInput.js';
import { issuesToFields } from '../app/issueFields.js';
import { authLabels, libraryEntryDetail } from './server.js';
import { emptyServerForm, formFromLibrary, isAuthMethod, serverFieldFor, toServerInput, type ServerFormValues } from './serverForm.js';

/** How many library entries the Host field offers at once; typing narrows them. */
const LIBRARY_SHOWN = 12;

/** The host library for this ticket, searched with what is typed in Host. */
function useLibrary(ticketId: string, query: string) {
  const client = useClient();
  const [debounced] = useDebouncedValue(query.trim(), 120);
  return useQuery({
    queryKey: ['servers.library', ticketId, debounced],
    queryFn: () => client.invoke('servers.library', { ticketId, query: debounced, limit: LIBRARY_SHOWN }),
    placeholderData: keepPreviousData,
  });
}

/**
 * Host, with the host library under it: servers attached to other tickets and Host entries of
 * ~/.ssh/config, narrowed as you type; picking one fills the whole form (↑/↓ and Enter work too).
 */
function HostField({ ticketId, value, error, onChange, onPick }: { ticketId: string; value: string; error: ReactNode; onChange: (host: string) => void; onPick: (entry: LibraryEntry) => void }) {
  const combobox = useCombobox({ onDropdownClose: () => combobox.resetSelectedOption() });
  const library = useLibrary(ticketId, value);
  const entries = library.data ?? [];
  return (
    <Combobox
      store={combobox}
      onOptionSubmit={(index) => {
        const entry = entries[Number(index)];
        if (entry) onPick(entry);
        combobox.closeDropdown();
      }}
    >
      <Combobox.Target>
        <TextInput
          label="Host"
          placeholder="web1.example.com, 203.0.113.7 or an ~/.ssh/config alias"
          required
          withAsterisk={false}
          data-autofocus
          autoComplete="off"
          classNames={{ input: 'bl-mono-input' }}
          value={value}
          onChange={(e) => {
            onChange(e.currentTarget.value);
            combobox.openDropdown();
            combobox.resetSelectedOption();
          }}
          onFocus={() => combobox.openDropdown()}
          onClick={() => combobox.openDropdown()}
          onBlur={() => combobox.closeDropdown()}
          error={error}
        />
      </Combobox.Target>
      <Combobox.Dropdown hidden={entries.length === 0}>
        <Combobox.Header>
          <Text size="xs" c="dimmed">
            Attached to other tickets, or in ~/.ssh/config: pick one to fill the form
          </Text>
        </Combobox.Header>
        <Combobox.Options aria-label="Host library" mah={280} style={{ overflowY: 'auto' }}>
          {entries.map((entry, index) => (
            <Combobox.Option value={String(index)} key={`${entry.source} ${entry.label} ${entry.host} ${libraryEntryDetail(entry)}`}>
              <Group gap={8} wrap="nowrap">
                <Text size="sm" fw={600} ff={entry.source === 'ssh-config' ? 'monospace' : undefined} style={{ whiteSpace: 'nowrap' }}>
                  {entry.label}
                </Text>
                <Text size="xs" c="dimmed" truncate>
                  {libraryEntryDetail(entry)}
                </Text>
              </Group>
            </Combobox.Option>
          ))}
        </Combobox.Options>
      </Combobox.Dropdown>
    </Combobox>
  );
}

function AttachServerForm({ ticketId, onDone }: { ticketId: string; onDone: () => void }) {
  const [values, setValues] = useState<ServerFormValues>(emptyServerForm);
  const add = useInvoke('servers.add', (input) => input.ticketId);
  const wire = add.error ? toWireError(add.error) : null;
  const issues = issuesToFields(wire?.issues, serverFieldFor);
  const update = (patch: Partial<ServerFormValues>) => setValues((v) => ({ ...v, ...patch }));

  const submit = (e: FormEvent) => {
    e.preventDefault();
    add.mutate(toServerInput(ticketId, values), { onSuccess: onDone });
  };

  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="sm">
        <HostField ticketId={ticketId} value={values.host} error={issues.fields.host} onChange={(host) => update({ host })} onPick={(entry) => setValues(formFromLibrary(entry))} />
        <Group grow align="flex-start">
          <TextInput label="Label" placeholder="defaults to the host" value={values.label} onChange={(e) => update({ label: e.currentTarget.value })} error={issues.fields.label} />
          <TextInput
            label="User"
            placeholder="from ~/.ssh/config, else your user"
            value={values.user}
            onChange={(e) => update({ user: e.currentTarget.value })}
            error={issues.fields.user}
          />
          <PortInput
            placeholder="22"
            value={values.port}
            onChange={(port) => update({ port })}
            error={issues.fields.port}
            maw={110}
          />
        </Group>
        <Select
          label="Authentication"
          data={authMethods.map((m) => ({ value: m, label: authLabels[m] }))}
          value={values.auth}
          allowDeselect={false}
          onChange={(auth) => {
            if (isAuthMethod(auth)) update({ auth });
          }}
          error={issues.fields.auth}
        />
        {values.auth === 'key' && (
          <TextInput
            label="Key file"
            description="Path to the private key on this machine; leave empty to use the IdentityFile from ~/.ssh/config"
            placeholder="~/.ssh/id_ed25519"
            classNames={{ input: 'bl-mono-input' }}
            value={values.keyFile}
            onChange={(e) => update({ keyFile: e.currentTarget.value })}
            error={issues.fields.keyFile}
          />
        )}
        <TextInput
          label="Jump host"
          placeholder="bastion or user@bastion:22, comma-separated for several"
          classNames={{ input: 'bl-mono-input' }}
          value={values.jump}
          onChange={(e) => update({ jump: e.currentTarget.value })}
          error={issues.fields.jump}
        />
        <FormFooter wire={wire} generalIssues={issues.general} submitLabel="Attach" pending={add.isPending} onCancel={onDone} />
      </Stack>
    </form>
  );
}

export function AttachServerModal({ ticketId, opened, onClose }: { ticketId: string; opened: boolean; onClose: () => void }) {
  return (
    <Modal opened={opened} onClose={onClose} title="Attach server" size="lg">
      {/* Mounted only while open, so each opening starts with an empty form and no old error. */}
      {opened && <AttachServerForm ticketId={ticketId} onDone={onClose} />}
    </Modal>
  );
}
