import { Modal, Stack, TextInput } from '@mantine/core';
import { useState, type ChangeEvent, type FormEvent } from 'react';
import { useInvoke } from '../api/queries.js';
import { toWireError } from '../app/errors.js';
import { FormFooter } from '../app/FormFooter.js';
import { issuesToFields } from '../app/issueFields.js';
import { workspaceRoute } from '../app/route.js';
import { navigate } from '../app/useHashRoute.js';
import { newTicketModal } from './newTicketModalState.js';

type Field = 'id' | 'title' | 'customer';
const fieldFor: Record<string, Field> = { id: 'id', title: 'title', customer: 'customer' };

function NewTicketForm({ onDone }: { onDone: () => void }) {
  const [values, setValues] = useState<Record<Field, string>>({ id: '', title: '', customer: '' });
  // The form shows the error beside the field and in its footer: once, not again in a toast.
  const create = useInvoke('tickets.create', (_input, ticket) => ticket.id, { formShowsErrors: true });
  const wire = create.error ? toWireError(create.error) : null;
  const issues = issuesToFields(wire?.issues, fieldFor);
  const set = (field: Field) => (e: ChangeEvent<HTMLInputElement>) => {
    const value = e.currentTarget.value;
    setValues((v) => ({ ...v, [field]: value }));
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate(
      { id: values.id, title: values.title, customer: values.customer },
      {
        onSuccess: (ticket) => {
          onDone();
          navigate(workspaceRoute(ticket.id));
        },
      },
    );
  };

  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="sm">
        <TextInput label="Ticket id" placeholder="TKT-48213" required data-autofocus value={values.id} onChange={set('id')} error={issues.fields.id} />
        <TextInput label="Title" required value={values.title} onChange={set('title')} error={issues.fields.title} />
        <TextInput label="Customer" value={values.customer} onChange={set('customer')} error={issues.fields.customer} />
        <FormFooter wire={wire} generalIssues={issues.general} submitLabel="Create ticket" pending={create.isPending} onCancel={onDone} />
      </Stack>
    </form>
  );
}

export function NewTicketModal() {
  const opened = newTicketModal.useValue();
  return (
    <Modal opened={opened} onClose={newTicketModal.close} title="New ticket workspace" size="md">
      {/* Mounted only while open, so each opening starts with an empty form and no old error. */}
      {opened && <NewTicketForm onDone={newTicketModal.close} />}
    </Modal>
  );
}
