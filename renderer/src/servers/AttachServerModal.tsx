import { Group, Modal, Select, Stack, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { authMethods } from '../../../shared/domain/server.js';
import { useInvoke } from '../api/queries.js';
import { toWireError } from '../app/errors.js';
import { FormFooter } from '../app/FormFooter.js';
import { PortInput } from '../app/PortInput.js';
import { issuesToFields } from '../app/issueFields.js';
import { authLabels } from './server.js';
import { emptyServerForm, isAuthMethod, serverFieldFor, toServerInput, type ServerFormValues } from './serverForm.js';

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
        <TextInput
          label="Host"
          placeholder="web1.example.com, 203.0.113.7 or an ~/.ssh/config alias"
          required
          withAsterisk={false}
          data-autofocus
          classNames={{ input: 'bl-mono-input' }}
          value={values.host}
          onChange={(e) => update({ host: e.currentTarget.value })}
          error={issues.fields.host}
        />
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
