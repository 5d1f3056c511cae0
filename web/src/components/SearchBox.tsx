import { useState } from 'preact/hooks';
import { navigate } from '../router';

/** Name search that opens /clients?q=… (also used on the home page as the quick search). */
export function SearchBox({ initial = '', id = 'client-search' }: { initial?: string; id?: string }) {
  const [q, setQ] = useState(initial);
  return (
    <form
      role="search"
      class="search"
      onSubmit={(e) => {
        e.preventDefault();
        const term = q.trim();
        navigate(term ? `/clients?q=${encodeURIComponent(term)}` : '/clients');
      }}
    >
      <label for={id}>Find a client by name</label>
      <div class="search-row">
        <input id={id} name="q" type="search" value={q} autoComplete="off" spellcheck={false} onInput={(e) => setQ((e.currentTarget as HTMLInputElement).value)} />
        <button type="submit" class="button">
          Search
        </button>
      </div>
    </form>
  );
}
