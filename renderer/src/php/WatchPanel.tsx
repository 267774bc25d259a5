import '@mantine/charts/styles.css';
import { LineChart } from '@mantine/charts';
import { Button, Group, NumberInput, Select, Text } from '@mantine/core';
import { useEffect, useState } from 'react';
import { WATCH_INTERVALS_S } from '../../../shared/contract/php-input.js';
import type { WatchEnd, WatchInfo } from '../../../shared/contract/php.js';
import { roundSize } from '../../../shared/domain/php-findings.js';
import type { WatchSample } from '../../../shared/domain/php-scan.js';
import type { Server } from '../../../shared/domain/server.js';
import { useClient } from '../app/ClientContext.js';
import { useFormAction } from '../app/useFormAction.js';
import { usePhpResult, usePhpWatches } from './queries.js';
import { Failure, Section, Statements } from './Section.js';
import { referenceLines, watchPoints } from './watchChart.js';

/** Samples drawn: the last hour at 5 s (the note keeps them all). */
const CHART_SAMPLES = 720;

/** A live chart of the PHP workers' memory: one long-running command on the server streams the samples. */
export function WatchPanel({ ticketId, server }: { ticketId: string; server: Server }) {
  const client = useClient();
  const watches = usePhpWatches(ticketId);
  const [picture] = usePhpResult('memory', server.id);
  const start = useFormAction('php.watch.start');
  const stop = useFormAction('php.watch.stop');
  const [intervalS, setIntervalS] = useState('2');
  const [maxMinutes, setMaxMinutes] = useState<number | string>(60);
  const [started, setStarted] = useState<WatchInfo | null>(null);
  const [live, setLive] = useState<WatchSample[] | null>(null);
  const [ended, setEnded] = useState<WatchEnd | null>(null);

  // A watch already running on this server (started before this tab opened) is picked up with its samples so far.
  const running = ended ? null : (watches.data?.find((w) => w.watch.serverId === server.id) ?? null);
  const watch = started ?? running?.watch ?? null;
  const samples = live ?? running?.samples ?? [];

  useEffect(() => {
    if (!watch) return;
    const offSample = client.on('php.watch.sample', (event) => {
      if (event.watchId !== watch.watchId) return;
      setLive((s) => [...(s ?? running?.samples ?? []).slice(-(CHART_SAMPLES - 1)), event.sample]);
    });
    const offEnded = client.on('php.watch.ended', (event) => {
      if (event.watchId !== watch.watchId) return;
      setEnded(event);
      setStarted(null);
      void watches.refetch();
    });
    return () => {
      offSample();
      offEnded();
    };
  }, [client, watch, watches, running]);

  const begin = () => {
    setEnded(null);
    void start.run({ serverId: server.id, intervalS: Number(intervalS), maxMinutes: typeof maxMinutes === 'number' ? maxMinutes : Number(maxMinutes) || 60 }).then((info) => {
      if (!info) return;
      setLive([]);
      setStarted(info);
    });
  };
  const end = () => {
    if (!watch) return;
    void stop.run({ watchId: watch.watchId }).then((out) => {
      if (!out) return;
      setEnded(out);
      setStarted(null);
    });
  };

  const points = watchPoints(samples);
  const { lines, offScale } = referenceLines(samples, picture ?? null);
  const top = Math.max(0, ...points.map((p) => p.php), ...lines.map((l) => l.y)) * 1.05;
  const last = samples.at(-1);

  return (
    <Section
      title="Memory watch"
      action={
        <Group gap="xs" align="flex-end">
          <Select
            label="Every"
            size="xs"
            w={90}
            data={WATCH_INTERVALS_S.map((s) => ({ value: String(s), label: `${s} s` }))}
            value={intervalS}
            onChange={(v) => v && setIntervalS(v)}
            allowDeselect={false}
            disabled={watch !== null}
          />
          <NumberInput label="For at most (min)" size="xs" w={120} min={1} max={1440} allowDecimal={false} value={maxMinutes} onChange={setMaxMinutes} disabled={watch !== null} />
          {watch ? (
            <Button size="xs" color="red" onClick={end} loading={stop.isPending}>
              Stop watch
            </Button>
          ) : (
            <Button size="xs" onClick={begin} loading={start.isPending}>
              Start watch
            </Button>
          )}
        </Group>
      }
    >
      <Failure error={start.error} what="Starting the watch" />
      <Failure error={stop.error} what="Stopping the watch" />
      {watch && (
        <Text size="sm" role="status">
          Watching {server.label} every {watch.intervalS} s since {watch.startedAt.slice(11, 19)} (stops by itself at {watch.endsAt.slice(11, 16)}): {samples.length} samples
          {last ? `; now ${last.workerCount} PHP processes, RSS ${roundSize(last.rssBytes)}` : ''}.
        </Text>
      )}
      {points.length > 0 ? (
        <figure className="bl-chart" aria-label="Chart: PHP memory over time" style={{ margin: 0 }}>
          <LineChart
            h={260}
            data={points}
            dataKey="time"
            series={[
              { name: 'php', label: 'PHP processes, RSS (MiB)', color: 'blue.6' },
              { name: 'largest', label: 'Largest process (MiB)', color: 'teal.6' },
            ]}
            referenceLines={lines.map((l) => ({ y: l.y, label: l.label, color: l.color }))}
            yAxisProps={{ domain: [0, Math.ceil(top)] }}
            withLegend
            withDots={points.length <= 60}
            curveType="linear"
            yAxisLabel="MiB"
            tooltipAnimationDuration={0}
          />
          {offScale.length > 0 && (
            <Text size="xs" c="dimmed">
              Off this scale: {offScale.join(', ')}.
            </Text>
          )}
        </figure>
      ) : (
        !watch && (
          <Text size="sm" c="dimmed">
            A live chart of the PHP processes&apos; memory, against memory_limit (read the memory picture first) and the machine&apos;s memory. The samples
            are saved to the ticket as a note when the watch stops.
          </Text>
        )
      )}
      {ended && (
        <Text size="sm" mt={4} role="status">
          The watch ended ({ended.stopped}) after {ended.samples} samples{ended.noteId !== null ? '; the samples are saved as a note in the Notes tab.' : '.'}
        </Text>
      )}
      {ended && <Statements items={ended.statements} />}
    </Section>
  );
}
