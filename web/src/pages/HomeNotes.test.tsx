import { cleanup, render, screen } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { json } from '../fixtures';
import type { NoteToSign } from '../noteTypes';
import { NotesToSignSection } from './HomeNotes';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const item = (over: Partial<NoteToSign> = {}): NoteToSign => ({
  id: 'nt_1',
  client_id: 'cl_1',
  client_name: 'Ada Lovelace',
  kind: 'progress',
  template: 'soap',
  status: 'draft',
  author: { id: 'us_1', name: 'Chidi Okafor' },
  created_at: '2026-11-30T10:00:00Z',
  signed_at: null,
  version: 1,
  ...over,
});

describe('notes to sign on the home page', () => {
  it('lists drafts unsigned for a day and notes waiting for a co-signature, linking to the chart', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => json({ to_sign: [item()], to_cosign: [item({ id: 'nt_2', client_id: 'cl_2', client_name: 'Grace Hopper', status: 'awaiting_cosign', author: { id: 'us_3', name: 'Sam Trainee' }, signed_at: '2026-12-01T10:00:00Z' })] })),
    );
    render(<NotesToSignSection />);
    const ada = await screen.findByRole('link', { name: 'SOAP note for Ada Lovelace' });
    expect(ada.getAttribute('href')).toBe('/clients/cl_1?tab=sessions');
    expect(screen.getByText('Unsigned for more than a day')).toBeTruthy();
    expect(screen.getByText('Waiting for your co-signature')).toBeTruthy();
    expect(screen.getByText(/by Sam Trainee/)).toBeTruthy();
  });

  it('says when nothing waits, and shows nothing to staff who write no notes', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => json({ to_sign: [], to_cosign: [] })));
    render(<NotesToSignSection />);
    await screen.findByText('No notes are waiting for your signature.');
    cleanup();
    vi.stubGlobal('fetch', vi.fn(async () => json({ type: 'about:blank', title: 'Forbidden', status: 403, detail: 'notes are for clinical staff' }, 403)));
    const { container } = render(<NotesToSignSection />);
    await new Promise((r) => setTimeout(r, 20));
    expect(container.textContent).toBe('');
  });
});
