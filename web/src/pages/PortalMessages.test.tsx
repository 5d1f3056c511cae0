import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { emitForTest } from '../events';
import { json } from '../fixtures';
import { characters, checkMessage, clientReceiptWords, closedWords, staffReceiptWords, type MessageItem, type MessageThread, type OfficeHours } from '../messages';
import { MessagesTab } from './ChartMessages';
import { InboxPage } from './Inbox';
import { PortalNewMessagePage, PortalThreadPage } from './PortalMessages';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const closed: OfficeHours = {
  open: false,
  hours: 'Monday to Friday 09:00–17:00',
  time_zone: 'America/New_York',
  next_opening: '2026-12-03T14:00:00.000Z',
  next_opening_words: 'tomorrow at 09:00 EST',
};

const message = (over: Partial<MessageItem> = {}): MessageItem => ({
  id: 'msg_1',
  seq: 1,
  kind: 'message',
  body: 'I slept badly.',
  created_at: '2026-12-02T23:00:00.000Z',
  sender: { id: 'u_ada', name: 'Ada', role: 'client' },
  read_by_care_team_at: null,
  ...over,
});

const thread = (over: Partial<MessageThread> = {}): MessageThread => ({
  id: 'thr_1',
  client_id: 'cl_1',
  kind: 'client',
  subject: 'Sleep',
  created_by: { id: 'u_ada', name: 'Ada' },
  created_at: '2026-12-02T23:00:00.000Z',
  last_message_at: '2026-12-02T23:00:00.000Z',
  message_count: 1,
  unread: 0,
  ...over,
});

describe('messages', () => {
  it('checks a message as the server does, in characters', () => {
    expect(checkMessage({ subject: ' ', body: 'x' }).fields).toEqual({ subject: 'Write a subject.' });
    expect(checkMessage({ body: '\n ' }).fields).toEqual({ body: 'Write your message.' });
    expect(checkMessage({ subject: 'é'.repeat(120), body: 'x' }).summary).toBe('');
    expect(checkMessage({ subject: 'é'.repeat(121), body: 'x' }).fields.subject).toContain('120');
    expect(checkMessage({ body: 'a'.repeat(5001) }).fields.body).toContain('5000');
    expect(characters('a€😀')).toBe(3);
  });

  it('says who read what', () => {
    expect(clientReceiptWords(message())).toBe('Sent · not read yet');
    expect(clientReceiptWords(message({ read_by_care_team_at: '2026-12-03T14:05:00.000Z' }))).toMatch(/^Read by your care team at /);
    expect(clientReceiptWords(message({ sender: { id: 'u_c', name: 'Dr Rivera', role: 'staff' } }))).toBe('From Dr Rivera');
    expect(staffReceiptWords(message({ reads: [] }))).toBe('Not read yet');
    expect(staffReceiptWords(message({ reads: [{ user_id: 'u_ada', name: 'Ada', role: 'client', read_at: '2026-12-03T14:05:00.000Z' }] }))).toMatch(/^Read by the client at /);
    expect(closedWords(closed)).toContain('when it opens, tomorrow at 09:00 EST');
  });

  it('shows the office-hours note before a client writes while closed, and refuses an empty message', async () => {
    const posts: unknown[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (_url: string, init?: RequestInit) => {
        if (init?.method === 'POST') posts.push(JSON.parse(init.body as string));
        return json(closed);
      }),
    );
    render(<PortalNewMessagePage />);
    const note = await screen.findByRole('note', { name: 'Office hours' });
    expect(note.textContent).toContain('Messages are not watched outside office hours');
    screen.getByRole('link', { name: 'I need help now' });
    fireEvent.click(screen.getByRole('button', { name: 'Send to my care team' }));
    await screen.findByText('Write a subject.');
    expect(posts).toHaveLength(0);
  });

  it('opens a thread as read and shows the automatic reply with the crisis lines', async () => {
    const auto = message({
      id: 'msg_2',
      seq: 2,
      kind: 'auto_reply',
      sender: null,
      body: 'The office is closed now.',
      crisis_resources: { region: 'US', emergency: { number: '911' }, lines: [{ name: '988 Suicide & Crisis Lifeline', phone: '988' }] },
    });
    const urls: string[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string, init?: RequestInit) => {
        urls.push(`${init?.method ?? 'GET'} ${url}`);
        if (url === '/api/v1/office-hours') return json(closed);
        return json(thread({ messages: [message(), auto] }));
      }),
    );
    render(<PortalThreadPage id="thr_1" />);
    await screen.findByRole('heading', { name: 'Sleep', level: 1 });
    expect(urls).toContain('POST /api/v1/me/threads/thr_1/read');
    screen.getByRole('link', { name: 'Call 911' });
    screen.getByText('Automatic reply');
    // A new message arrives live: the thread is read again.
    const before = urls.filter((u) => u.endsWith('/read')).length;
    emitForTest('message.new', { thread_id: 'thr_1' });
    await waitFor(() => expect(urls.filter((u) => u.endsWith('/read')).length).toBe(before + 1));
  });

  it('lists unread threads in the inbox and marks staff-only threads', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => json({ items: [thread({ unread: 2, client_name: 'Ada Lovelace', kind: 'staff', staff_only: true })], unread: 2 })));
    render(<InboxPage />);
    await screen.findByRole('link', { name: 'Ada Lovelace: Sleep' });
    screen.getByText('2 unread');
    screen.getByText('Staff only');
  });

  it('starts a staff-only thread from the chart', async () => {
    const posts: unknown[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (_url: string, init?: RequestInit) => {
        if (init?.method === 'POST') {
          posts.push(JSON.parse(init.body as string));
          return json(thread({ kind: 'staff' }), 201);
        }
        return json({ items: [thread({ kind: 'staff', staff_only: true })] });
      }),
    );
    render(<MessagesTab clientId="cl_1" />);
    await screen.findByText('Staff only — the client cannot see this', { selector: '.tag' });
    fireEvent.change(screen.getByLabelText('Who can read it'), { target: { value: 'staff' } });
    fireEvent.input(screen.getByLabelText('Subject'), { target: { value: 'Medication review' } });
    fireEvent.input(screen.getByLabelText('Message'), { target: { value: 'Could you look at the dose?' } });
    fireEvent.click(screen.getByRole('button', { name: 'Send' }));
    await waitFor(() => expect(posts).toEqual([{ kind: 'staff', subject: 'Medication review', body: 'Could you look at the dose?' }]));
  });
});
