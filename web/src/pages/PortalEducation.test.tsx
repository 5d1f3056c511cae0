import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { json } from '../fixtures';
import type { EducationAssignment } from './ChartEducation';
import { ReadingCard, ReadingPage, readingWords, withoutTitle } from './PortalEducation';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const assignment = (over: Partial<EducationAssignment> = {}): EducationAssignment => ({
  id: 'ea_1',
  client_id: 'cl_1',
  slug: 'worry-time',
  title: 'Worry time',
  summary: 'Put worries off to a set time of day.',
  kind: 'exercise',
  minutes: 4,
  note: 'Try it after dinner',
  status: 'assigned',
  assigned_by: { id: 'u_1', name: 'Dr Rivera' },
  assigned_at: '2026-12-01T09:00:00.000Z',
  read_at: null,
  rating: null,
  rated_at: null,
  version: 1,
  ...over,
});

describe('reading in the portal', () => {
  it('says where a piece of reading stands, in plain words', () => {
    expect(readingWords(assignment())).toBe('New · about 4 minutes');
    expect(readingWords(assignment({ status: 'read' }))).toBe('Read');
    expect(readingWords(assignment({ status: 'read', rating: 4 }))).toContain('thank you');
  });

  it('drops the article’s own title, which the page heading shows', () => {
    expect(withoutTitle('<h1>Worry time</h1>\n<h2>How</h2>')).toBe('<h2>How</h2>');
    expect(withoutTitle('<p>No title</p>')).toBe('<p>No title</p>');
  });

  it('lists the articles given, with the note, linking to each', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => json({ items: [assignment()] })));
    render(<ReadingCard />);
    const link = await screen.findByRole('link', { name: 'Worry time' });
    expect(link.getAttribute('href')).toBe('/portal/reading/worry-time');
    screen.getByText('Dr Rivera: “Try it after dinner”');
    screen.getByRole('heading', { name: 'Reading for you' });
  });

  it('shows nothing when no reading was given', async () => {
    const fetcher = vi.fn(async () => json({ items: [] }));
    vi.stubGlobal('fetch', fetcher);
    const { container } = render(<ReadingCard />);
    await waitFor(() => expect(fetcher).toHaveBeenCalled());
    await waitFor(() => expect(container.querySelector('section')).toBeNull());
  });

  it('renders the article, marks it read and rates it', async () => {
    const posts: { url: string; body: unknown }[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string, init?: RequestInit) => {
        if (init?.method === 'POST') {
          const body = JSON.parse(init.body as string) as { rating?: number };
          posts.push({ url, body });
          return json(assignment({ status: 'read', read_at: '2026-12-02T09:00:00.000Z', rating: body.rating ?? null, version: posts.length + 1 }));
        }
        if (url === '/api/v1/me/education') return json({ items: [assignment()] });
        return json({ slug: 'worry-time', title: 'Worry time', summary: 's', minutes: 4, html: '<h1>Worry time</h1>\n<p>Pick a <strong>set time</strong> each day.</p>' });
      }),
    );
    render(<ReadingPage slug="worry-time" />);
    await screen.findByRole('heading', { name: 'Worry time', level: 1 });
    expect((await screen.findByText('set time')).tagName).toBe('STRONG');
    expect(screen.getAllByRole('heading', { name: 'Worry time' })).toHaveLength(1);
    fireEvent.click(await screen.findByRole('button', { name: 'Mark as read' }));
    await waitFor(() => expect(posts).toHaveLength(1));
    expect(posts[0]).toEqual({ url: '/api/v1/me/education/ea_1/read', body: {} });
    fireEvent.click(await screen.findByRole('radio', { name: '4 · Useful' }));
    await waitFor(() => expect(posts).toHaveLength(2));
    expect(posts[1]).toEqual({ url: '/api/v1/me/education/ea_1/rating', body: { rating: 4 } });
    await screen.findByText(/Your care team will see how useful you found it/);
  });
});
