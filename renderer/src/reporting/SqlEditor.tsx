import { sql, SQLite } from '@codemirror/lang-sql';
import { useComputedColorScheme } from '@mantine/core';
import CodeMirror, { EditorView } from '@uiw/react-codemirror';
import { useMemo, type KeyboardEvent } from 'react';

/** SQLite's dialect: the cache the reports run over is SQLite. */
const viewExtensions = [sql({ dialect: SQLite }), EditorView.contentAttributes.of({ 'aria-label': 'Report SQL' })];

interface Props {
  value: string;
  onChange: (value: string) => void;
  /** Table and column names offered for completion. */
  schema?: Record<string, string[]>;
  invalid?: boolean;
  label: string;
  /** Ctrl/Cmd+Enter: run what is written. */
  onRun?: () => void;
  /** Take the height the container gives (a pane of a split) instead of growing with the text. */
  fill?: boolean;
  /** The editor, once created: for putting text at the cursor from outside (the schema browser). */
  onReady?: (view: EditorView) => void;
}

/** The SQL of a report, with highlighting and completion (CodeMirror 6). */
export function SqlEditor({ value, onChange, schema, invalid, label, onRun, fill = false, onReady }: Props) {
  const scheme = useComputedColorScheme('light');
  const withSchema = useMemo(
    () => [sql({ dialect: SQLite, upperCaseKeywords: true, ...(schema ? { schema } : {}) }), EditorView.contentAttributes.of({ 'aria-label': label })],
    [schema, label],
  );
  // Caught on the way down, before CodeMirror would take the key as a new line.
  const runOnModEnter = (e: KeyboardEvent) => {
    if (!onRun || e.key !== 'Enter' || !(e.ctrlKey || e.metaKey)) return;
    e.preventDefault();
    e.stopPropagation();
    onRun();
  };
  return (
    <div className={fill ? 'bl-sql-editor bl-sql-fill' : 'bl-sql-editor'} data-error={invalid ? 'true' : 'false'} onKeyDownCapture={runOnModEnter}>
      <CodeMirror
        value={value}
        onChange={onChange}
        extensions={withSchema}
        theme={scheme}
        {...(fill ? { height: '100%' } : { minHeight: '180px', maxHeight: '420px' })}
        basicSetup={{ foldGutter: false, highlightActiveLine: true, autocompletion: true }}
        onCreateEditor={(view) => onReady?.(view)}
      />
    </div>
  );
}

/** A report's SQL, read-only, highlighted the same way. */
export function SqlView({ sql: text }: { sql: string }) {
  const scheme = useComputedColorScheme('light');
  return (
    <div className="bl-sql-editor bl-sql-view">
      <CodeMirror value={text} extensions={viewExtensions} theme={scheme} editable={false} readOnly maxHeight="260px" basicSetup={{ foldGutter: false, highlightActiveLine: false }} />
    </div>
  );
}
