import { Alert, Button, Checkbox, Group, NumberInput, Paper, Select, Stack, Text, TextInput, Title } from '@mantine/core';
import { PortInput } from '../app/PortInput.js';
import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import type { Plan } from '../../../shared/domain/plan.js';
import { familyNames } from '../../../shared/domain/address.js';
import type { Server } from '../../../shared/domain/server.js';
import { invalidateTicket } from '../api/queries.js';
import { toWireError } from '../app/errors.js';
import { issuesToFields } from '../app/issueFields.js';
import {
  addressIssues,
  blockFieldFor,
  emptyBlockForm,
  isProtocol,
  literalAddress,
  pickedAddresses,
  protocols,
  refusedForOwnSession,
  sessionCutOf,
  targetProblem,
  toPreviewInput,
  type BlockAddress,
  type BlockFormValues,
} from './blockForm.js';
import { useFormAction } from '../app/useFormAction.js';
import { useLastHeadProbe } from '../php/queries.js';
import { prefillPicks, prefillResolved, prefillValues, type BlockPrefill } from './blockHandoff.js';
import { headAnswersByAddress } from './headAnswers.js';
import { HeadAnswerText } from './HeadAnswerText.js';

interface Props {
  ticketId: string;
  server: Server;
  /** The address the server sees this session come from, to mark it in the list. */
  sessionPeer: string | null;
  canApply: boolean;
  /** Another plan on this server applying or counting down: no second preview until it settles. */
  busyPlan: Pick<Plan, 'id' | 'status'> | null;
  onPreviewed: (plan: Plan) => void;
  /** "Block this head" from the PHP tab: the host, that head's address picked, the URL's port. */
  prefill?: BlockPrefill | null;
}

/** What to block: a name resolved on the server (every address listed, the engineer picks), or an address. */
export function BlockForm({ ticketId, server, sessionPeer, canApply, busyPlan, onPreviewed, prefill = null }: Props) {
  const [values, setValues] = useState<BlockFormValues>(() => (prefill ? prefillValues(prefill) : emptyBlockForm()));
  /** The addresses a name resolved to on the server, for the target text they were resolved for. */
  // Prefilled from a head probe: the addresses the server resolved the host to then, the head asked for picked.
  const [resolved, setResolved] = useState<{ target: string; addresses: BlockAddress[] } | null>(() => prefillResolved(prefill));
  const [picked, setPicked] = useState<string[]>(() => {
    const lit = prefill ? literalAddress(prefill.host) : null;
    if (lit) return [lit.address];
    return prefill ? prefillPicks(prefill, prefill.addresses) : [];
  });
  const [forceOffered, setForceOffered] = useState(false);
  /** The target's own problem (by the shared parser) shows once the engineer tried to use it, not while typing. */
  const [showTargetProblem, setShowTargetProblem] = useState(false);
  const queryClient = useQueryClient();
  // Both show their failures inline (field issues, the refusal to cut the session): no toast over the form.
  const resolve = useFormAction('firewall.resolve');
  const preview = useFormAction('firewall.preview');

  const target = values.target.trim();
  const literal = literalAddress(target);
  const addresses: BlockAddress[] = literal ? [literal] : resolved && resolved.target === target ? resolved.addresses : [];
  const pickedSet = new Set(picked);
  // What each head answered the last head probe of this host from this server (PHP tab): the bad one stands out here too.
  const lastHeads = useLastHeadProbe(server.id, !literal && resolved && resolved.target === target ? target : null);
  const heads = headAnswersByAddress(lastHeads.data?.probe ?? null);

  const previewWire = preview.error ? toWireError(preview.error) : null;
  const resolveWire = resolve.error ? toWireError(resolve.error) : null;
  const issues = issuesToFields(previewWire?.issues, blockFieldFor);
  const resolveIssues = issuesToFields(resolveWire?.issues, blockFieldFor);
  const perAddress = addressIssues(previewWire?.issues, { addresses: preview.variables?.addresses ?? [], keepReachable: preview.variables?.keepReachable });
  const localProblem = showTargetProblem ? targetProblem(target) : null;
  const targetError = localProblem ?? issues.fields.target ?? resolveIssues.fields.target ?? (resolveWire && !resolveWire.issues ? resolveWire.message : undefined);

  // Offered once the main side refused to cut the session, and kept while the target stays the same.
  const offerForce = forceOffered || refusedForOwnSession(previewWire);
  const update = (patch: Partial<BlockFormValues>) => setValues((v) => ({ ...v, ...patch }));

  const changeTarget = (text: string) => {
    update({ target: text, force: false });
    setForceOffered(false);
    setShowTargetProblem(false);
    const lit = literalAddress(text.trim());
    // An address is blocked as typed: picked from the start. A name waits for the server's answer.
    setPicked(lit ? [lit.address] : []);
    resolve.reset();
    preview.reset();
  };

  const runResolve = () => {
    if (!target) return;
    if (targetProblem(target) !== null) {
      setShowTargetProblem(true);
      return;
    }
    if (literal) {
      setPicked([literal.address]);
      return;
    }
    preview.reset();
    void resolve.run({ serverId: server.id, host: target }).then((output) => {
      if (!output) return;
      setResolved({ target, addresses: output.addresses });
      setPicked([]);
    });
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    void preview.run(toPreviewInput(ticketId, server.id, values, addresses, pickedSet)).then((plan) => {
      if (!plan) return;
      invalidateTicket(queryClient, ticketId);
      onPreviewed(plan);
    });
  };

  const cut = sessionCutOf(previewWire);

  return (
    <Paper withBorder p="xs" radius="sm">
      <form onSubmit={submit} noValidate aria-label="Block outbound traffic">
        <Stack gap="xs">
          <Title order={4}>Block outbound traffic from {server.label}</Title>
          {prefill && (
            <Text size="sm" role="status">
              From the PHP tab&apos;s head probe: block <Text span ff="monospace" fw={700}>{prefill.address}</Text> behind {prefill.host} ({prefill.reason}).
            </Text>
          )}
          <Group gap="xs" align="flex-end" wrap="wrap">
            <TextInput
              label="Target"
              placeholder="feeds.example.net, 203.0.113.7 or 203.0.113.0/24"
              classNames={{ input: 'bl-mono-input' }}
              flex={1}
              miw={280}
              autoComplete="off"
              spellCheck={false}
              value={values.target}
              onChange={(e) => changeTarget(e.currentTarget.value)}
              onKeyDown={(e) => {
                if (e.key === 'Enter' && !e.nativeEvent.isComposing && addresses.length === 0) {
                  e.preventDefault();
                  runResolve();
                }
              }}
              error={targetError}
            />
            <Button variant="light" onClick={runResolve} loading={resolve.isPending} disabled={!target}>
              Resolve on server
            </Button>
            <PortInput
              placeholder="every port"
              w={110}
              value={values.port}
              onChange={(port) => update({ port })}
              error={issues.fields.port}
            />
            <Select
              label="Protocol"
              w={96}
              data={protocols.map((p) => ({ value: p, label: p }))}
              value={values.protocol}
              allowDeselect={false}
              onChange={(protocol) => {
                if (isProtocol(protocol)) update({ protocol });
              }}
              error={issues.fields.protocol}
            />
          </Group>

          <Text size="xs" c="dimmed" mt={-4}>
            A host name is resolved on the customer&apos;s server, as it sees it; an address or CIDR block is blocked as typed. No port: every
            port.
          </Text>

          {addresses.length > 0 ? (
            <Checkbox.Group
              label={literal ? 'Address to block' : `${target} on ${server.label}: pick the addresses to block`}
              description={
                literal
                  ? 'Used as typed: nothing is resolved.'
                  : 'Unpicked addresses stay reachable, and are checked to still answer after the block.'
              }
              value={picked}
              onChange={setPicked}
              error={issues.fields.addresses}
            >
              <Stack gap={4} mt={6}>
                {addresses.map((a) => (
                  <Group key={a.address} gap="xs" wrap="nowrap">
                    <Checkbox value={a.address} label={a.address} size="sm" classNames={{ label: 'bl-mono-input' }} error={perAddress[a.address]} />
                    <Text size="xs" c="dimmed">
                      {familyNames[a.family]}
                      {!literal && !pickedSet.has(a.address) ? ' · stays reachable' : ''}
                    </Text>
                    <HeadAnswerText view={heads.get(a.address)} />
                    {(a.address === sessionPeer || a.address === cut?.peer) && (
                      <Text size="xs" c="red" fw={600}>
                        your SSH session&apos;s address
                      </Text>
                    )}
                  </Group>
                ))}
              </Stack>
            </Checkbox.Group>
          ) : resolved && resolved.target === target ? (
            <Text size="sm" c="dimmed">
              {server.label} resolves {target} to no address.
            </Text>
          ) : null}

          <Group gap="xs" align="flex-end" wrap="wrap">
            <NumberInput
              label="Expires after (minutes)"
              placeholder="never"
              size="xs"
              w={150}
              min={1}
              max={60 * 24 * 90}
              allowDecimal={false}
              allowNegative={false}
              value={values.expiresInMinutes}
              onChange={(expiresInMinutes) => update({ expiresInMinutes })}
              error={issues.fields.expires}
            />
            <NumberInput
              label="Confirm within (s)"
              size="xs"
              w={120}
              min={10}
              max={3600}
              allowDecimal={false}
              allowNegative={false}
              value={values.confirmWithinS}
              onChange={(confirmWithinS) => update({ confirmWithinS })}
              error={issues.fields.confirm}
            />
            <Checkbox label="Keep across reboot" size="xs" mb={6} checked={values.persist} onChange={(e) => update({ persist: e.currentTarget.checked })} />
            {offerForce && (
              <Checkbox
                label="Allow blocking my own SSH session's address"
                color="red"
                size="xs"
                mb={6}
                checked={values.force}
                onChange={(e) => {
                  setForceOffered(true);
                  update({ force: e.currentTarget.checked });
                }}
              />
            )}
          </Group>

          {previewWire && (
            <Alert color={refusedForOwnSession(previewWire) ? 'orange' : 'red'} title={previewWire.message} role="alert" p="xs">
              {[...issues.general, previewWire.hint].filter(Boolean).join(' — ')}
            </Alert>
          )}

          <Group justify="space-between" gap="xs">
            <Text size="xs" c={busyPlan ? 'orange' : 'dimmed'} role={busyPlan ? 'status' : undefined}>
              {busyPlan
                ? `Plan ${busyPlan.id} on ${server.label} is ${busyPlan.status === 'applying' ? 'being applied' : 'counting down to its rollback'}: confirm it or let it roll back before previewing another.`
                : 'Nothing changes on the server until you apply the plan.'}
            </Text>
            <Button type="submit" loading={preview.isPending} disabled={!canApply || busyPlan !== null || pickedAddresses(addresses, pickedSet).length === 0}>
              Preview plan
            </Button>
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}
