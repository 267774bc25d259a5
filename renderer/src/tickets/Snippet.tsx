import { splitSnippet } from '../../../shared/domain/search.js';

/** Search snippets carry match markers; render matched runs as <mark>, everything as text (never HTML). */
export function Snippet({ snippet }: { snippet: string }) {
  return (
    <span className="bl-snippet">
      {splitSnippet(snippet).map((run, i) => (run.match ? <mark key={i}>{run.text}</mark> : <span key={i}>{run.text}</span>))}
    </span>
  );
}
