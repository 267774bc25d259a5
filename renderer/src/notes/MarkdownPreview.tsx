import { Text } from '@mantine/core';
import Markdown, { type Components } from 'react-markdown';
import remarkGfm from 'remark-gfm';

// Links open outside the app window; the shell decides what to do with them.
const components: Components = {
  a: ({ href, children }) => (
    <a href={href} target="_blank" rel="noreferrer noopener">
      {children}
    </a>
  ),
};

/** GitHub-flavoured Markdown; raw HTML in a note is shown as text, never rendered. */
export function MarkdownPreview({ markdown }: { markdown: string }) {
  if (!markdown.trim()) {
    return (
      <Text c="dimmed" size="sm">
        Nothing to preview yet.
      </Text>
    );
  }
  return (
    <div className="bl-markdown">
      <Markdown remarkPlugins={[remarkGfm]} skipHtml components={components}>
        {markdown}
      </Markdown>
    </div>
  );
}
