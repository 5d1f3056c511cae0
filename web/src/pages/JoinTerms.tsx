// The portal terms as the server sends them (plain Markdown: "## " headings, "- " lists,
// paragraphs, **bold**), rendered as elements — never as HTML — so nothing in the text runs.
import type { ComponentChildren } from 'preact';

export interface PortalTerms {
  version: string;
  title: string;
  text: string;
}

/** "a **b** c" → ["a ", <strong>b</strong>, " c"]. */
export function inline(text: string): ComponentChildren[] {
  const out: ComponentChildren[] = [];
  const parts = text.split('**');
  parts.forEach((part, i) => {
    if (!part) return;
    out.push(i % 2 === 1 && i < parts.length - 1 ? <strong key={i}>{part}</strong> : part);
  });
  return out;
}

type Block = { kind: 'h'; text: string } | { kind: 'p'; text: string } | { kind: 'ul'; items: string[] };

/** Splits the Markdown into headings, paragraphs and lists. */
export function blocks(markdown: string): Block[] {
  const out: Block[] = [];
  let para: string[] = [];
  let list: string[] | null = null;
  const flush = () => {
    if (para.length) out.push({ kind: 'p', text: para.join(' ') });
    para = [];
    if (list) out.push({ kind: 'ul', items: list });
    list = null;
  };
  for (const raw of markdown.split('\n')) {
    const line = raw.trim();
    if (!line) {
      flush();
    } else if (line.startsWith('#')) {
      flush();
      out.push({ kind: 'h', text: line.replace(/^#+\s*/, '') });
    } else if (line.startsWith('- ')) {
      if (para.length) {
        out.push({ kind: 'p', text: para.join(' ') });
        para = [];
      }
      list = list ?? [];
      list.push(line.slice(2));
    } else if (list && raw.startsWith('  ')) {
      list[list.length - 1] += ` ${line}`;
    } else {
      if (list) {
        out.push({ kind: 'ul', items: list });
        list = null;
      }
      para.push(line);
    }
  }
  flush();
  return out;
}

/** The terms' text, headings one level below `level`. */
export function TermsText({ text, level = 3 }: { text: string; level?: 3 | 4 }) {
  const H = level === 3 ? 'h3' : 'h4';
  return (
    <>
      {blocks(text).map((b, i) =>
        b.kind === 'h' ? (
          <H key={i}>{b.text}</H>
        ) : b.kind === 'p' ? (
          <p key={i}>{inline(b.text)}</p>
        ) : (
          <ul key={i}>
            {b.items.map((item, j) => (
              <li key={j}>{inline(item)}</li>
            ))}
          </ul>
        ),
      )}
    </>
  );
}
