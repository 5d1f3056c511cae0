import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { json } from '../fixtures';
import { assignmentStatusWords, EducationSection, reasonWords, type EducationAssignment } from './ChartEducation';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const given = (over: Partial<EducationAssignment> = {}): EducationAssignment => ({
  id: 'ea_1',
  client_id: 'cl_1',
  slug: 'anxiety',
  title: 'Understanding anxiety',
  note: '',
  status: 'assigned',
  assigned_by: { id: 'u_1', name: 'Dr Rivera' },
  assigned_at: '2026-12-01T09:00:00.000Z',
  read_at: null,
  rating: null,
  rated_at: null,
  version: 1,
  ...over,
});

describe('education on the chart', () => {
  it('says what was read and how useful it was', () => {
    expect(assignmentStatusWords(given())).toBe('Not read yet');
    expect(assignmentStatusWords(given({ status: 'cancelled' }))).toBe('Taken back');
    expect(assignmentStatusWords(given({ status: 'read', read_at: '2026-12-02T09:00:00.000Z', rating: 4 }))).toContain('useful 4 of 5');
    expect(assignmentStatusWords(given({ status: 'read', read_at: '2026-12-02T09:00:00.000Z' }))).toContain('not rated');
  });

  it('searches the library and gives an article with a note', async () => {
    const posts: { url: string; body: unknown }[] = [];
    const searched: string[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string, init?: RequestInit) => {
        if (init?.method === 'POST') {
          posts.push({ url, body: JSON.parse(init.body as string) });
          return json(given({ slug: 'worry-time', title: 'Worry time' }), 201);
        }
        if (url.endsWith('/suggestions')) return json({ items: [] });
        if (url.startsWith('/api/v1/education/articles')) {
          searched.push(url);
          return json({ items: [{ slug: 'worry-time', title: 'Worry time', summary: 'Put worries off.', kind: 'exercise', minutes: 4 }] });
        }
        return json({ items: posts.length ? [given({ slug: 'worry-time', title: 'Worry time', status: 'read', read_at: '2026-12-02T09:00:00.000Z', rating: 5 })] : [] });
      }),
    );
    render(<EducationSection clientId="cl_1" />);
    await screen.findByText('No articles given yet.');
    fireEvent.input(screen.getByLabelText('Search the library'), { target: { value: 'worry' } });
    fireEvent.click(screen.getByRole('button', { name: 'Search' }));
    fireEvent.click(await screen.findByRole('button', { name: 'Give Worry time' }));
    fireEvent.input(screen.getByLabelText(/A note to the client/), { target: { value: 'After dinner' } });
    fireEvent.click(screen.getByRole('button', { name: 'Give to the client: Worry time' }));
    await waitFor(() => expect(posts).toHaveLength(1));
    expect(searched).toEqual(['/api/v1/education/articles?q=worry']);
    expect(posts[0]).toEqual({ url: '/api/v1/clients/cl_1/education', body: { slug: 'worry-time', note: 'After dinner' } });
    await screen.findByText('Gave “Worry time”.');
    await screen.findByText(/useful 5 of 5/);
  });

  it('takes back an unread article', async () => {
    const posts: { url: string; body: unknown }[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string, init?: RequestInit) => {
        if (init?.method === 'POST') {
          posts.push({ url, body: JSON.parse(init.body as string) });
          return json(given({ status: 'cancelled', version: 2 }));
        }
        if (url.endsWith('/suggestions')) return json({ items: [] });
        return json({ items: [posts.length ? given({ status: 'cancelled', version: 2 }) : given()] });
      }),
    );
    render(<EducationSection clientId="cl_1" />);
    fireEvent.click(await screen.findByRole('button', { name: 'Take back Understanding anxiety' }));
    await waitFor(() => expect(posts).toHaveLength(1));
    expect(posts[0]).toEqual({ url: '/api/v1/education-assignments/ea_1/cancel', body: { version: 1 } });
    await screen.findByText(/Taken back/);
  });

  it('suggests reading with its reasons, marks the service’s own, and gives it with one tap', async () => {
    const posts: { url: string; body: unknown }[] = [];
    const suggestion = { slug: 'panic-attacks', title: 'Panic attacks', summary: 's', kind: 'article', minutes: 5, from_service: false, reasons: ['diagnosis F41.0 (panic)'] };
    const ours = { slug: 'our-group', title: 'Our anxiety group', summary: 's', kind: 'article', minutes: 2, from_service: true, reasons: ['diagnosis F41.0 (panic)', 'recent gad-7 result in the band severe (anxiety)'] };
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string, init?: RequestInit) => {
        if (init?.method === 'POST') {
          posts.push({ url, body: JSON.parse(init.body as string) });
          return json(given({ slug: 'panic-attacks', title: 'Panic attacks' }), 201);
        }
        if (url.endsWith('/suggestions')) return json({ items: posts.length ? [ours] : [ours, suggestion] });
        return json({ items: posts.length ? [given({ slug: 'panic-attacks', title: 'Panic attacks' })] : [] });
      }),
    );
    render(<EducationSection clientId="cl_1" />);
    await screen.findByRole('heading', { name: 'Suggested for this client' });
    screen.getByText('Because of diagnosis F41.0 (panic); recent gad-7 result in the band severe (anxiety)');
    expect(screen.getAllByText('From your service')).toHaveLength(1);
    fireEvent.click(screen.getByRole('button', { name: 'Give now: Panic attacks' }));
    await waitFor(() => expect(posts).toHaveLength(1));
    expect(posts[0]).toEqual({ url: '/api/v1/clients/cl_1/education', body: { slug: 'panic-attacks' } });
    await screen.findByText('Gave “Panic attacks”.');
    await waitFor(() => expect(screen.queryByRole('button', { name: 'Give now: Panic attacks' })).toBeNull());
    expect(reasonWords([])).toBe('');
  });
});
