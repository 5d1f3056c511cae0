import { useState } from 'preact/hooks';

/** Copies `text` to the clipboard and says whether that worked. */
export function CopyButton({ text, label = 'Copy', what }: { text: string; label?: string; what: string }) {
  const [said, setSaid] = useState('');
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setSaid(`${what} copied.`);
    } catch {
      setSaid(`Could not copy. Select the ${what.toLowerCase()} and copy it yourself.`);
    }
  };
  return (
    <span class="copy">
      <button type="button" class="button button--secondary button--small" onClick={() => void copy()}>
        {label}
      </button>{' '}
      <span role="status" class="muted">
        {said}
      </span>
    </span>
  );
}
