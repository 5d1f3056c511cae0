import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from './api';
import {
  afterAnswer,
  dropExpired,
  enqueue,
  flush,
  forgetPortalUser,
  isExpired,
  keep,
  keepFactors,
  keepRecent,
  keptRecent,
  keptFactors,
  outcomeOf,
  parseQueue,
  pendingFor,
  queued,
  queueStorageKey,
  rememberedPortalUser,
  rememberPortalUser,
  resetQueueForTest,
  startSync,
  wasAlerted,
  type QueuedCheckIn,
  type QueueState,
} from './checkInQueue';
import type { CheckInSaved } from './checkIns';
import { checkIn, json } from './fixtures';

const entry = (key: string, date: string, owner = 'us_ada', mood = 6): QueuedCheckIn => ({ key, owner, body: { date, mood }, queued_at: '2026-12-02T08:00:00.000Z', attempts: 0 });

const saved = (date: string, extra: Partial<CheckInSaved> = {}): CheckInSaved => checkIn(date, extra);

beforeEach(() => {
  localStorage.clear();
  resetQueueForTest();
});
afterEach(() => {
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

describe('what an answer means for a kept check-in', () => {
  it.each([
    [200, 'sent'],
    [201, 'sent'],
    [0, 'retry'],
    [500, 'retry'],
    [503, 'retry'],
    [401, 'retry'],
    [403, 'retry'],
    [408, 'retry'],
    [429, 'retry'],
    [400, 'refused'],
    [404, 'refused'],
    [409, 'refused'],
    [422, 'refused'],
  ] as const)('%i → %s', (status, want) => {
    expect(outcomeOf(status)).toBe(want);
  });
});

describe('the queue as values', () => {
  it('keeps one entry per person and day: the newer replaces the older, at the end', () => {
    let q = enqueue([], entry('k1', '2026-12-01'));
    q = enqueue(q, entry('k2', '2026-12-02'));
    q = enqueue(q, entry('k3', '2026-12-01', 'us_ada', 3));
    expect(q.map((i) => i.key)).toEqual(['k2', 'k3']);
    // another person's same day is theirs
    q = enqueue(q, entry('k4', '2026-12-01', 'us_bo'));
    expect(q.map((i) => i.key)).toEqual(['k2', 'k3', 'k4']);
    expect(pendingFor(q, 'us_bo').map((i) => i.key)).toEqual(['k4']);
    expect(pendingFor(q, 'us_ada').map((i) => i.key)).toEqual(['k2', 'k3']);
  });

  it('drops an entry after 2xx, keeps it (one more attempt) after a retry, and keeps the reason of a refusal', () => {
    const start: QueueState = { items: [entry('k1', '2026-12-01'), entry('k2', '2026-12-02')], refused: [] };
    const retried = afterAnswer(start, 'k1', 'retry');
    expect(retried.items.map((i) => [i.key, i.attempts])).toEqual([
      ['k1', 1],
      ['k2', 0],
    ]);
    const sent = afterAnswer(retried, 'k1', 'sent');
    expect(sent.items.map((i) => i.key)).toEqual(['k2']);
    expect(sent.refused).toEqual([]);
    const refused = afterAnswer(sent, 'k2', 'refused', 'Mood must be 0 to 10.');
    expect(refused.items).toEqual([]);
    expect(refused.refused).toEqual([{ key: 'k2', owner: 'us_ada', date: '2026-12-02', reason: 'Mood must be 0 to 10.' }]);
    // an answer for an entry no longer there changes nothing
    expect(afterAnswer(refused, 'k9', 'sent')).toBe(refused);
  });

  it('gives up on days further back than the server accepts (7 days), saying why', () => {
    expect(isExpired(entry('k', '2026-11-25'), '2026-12-02')).toBe(false);
    expect(isExpired(entry('k', '2026-11-24'), '2026-12-02')).toBe(true);
    const s = dropExpired({ items: [entry('old', '2026-11-20'), entry('new', '2026-12-01')], refused: [] }, '2026-12-02');
    expect(s.items.map((i) => i.key)).toEqual(['new']);
    expect(s.refused[0]).toMatchObject({ key: 'old', date: '2026-11-20' });
    expect(s.refused[0].reason).toMatch(/last 7 days/);
  });

  it('reads back what it stored, and treats anything else as empty', () => {
    expect(parseQueue(null)).toEqual({ items: [], refused: [] });
    expect(parseQueue('not json')).toEqual({ items: [], refused: [] });
    expect(parseQueue('{"items":[{"key":1}],"refused":"x"}')).toEqual({ items: [], refused: [] });
    const q: QueueState = { items: [entry('k1', '2026-12-01')], refused: [] };
    expect(parseQueue(JSON.stringify(q))).toEqual(q);
  });
});

describe('sending what was kept', () => {
  it('keeps a check-in in localStorage with its key, so a reload still has it', () => {
    keep('us_ada', 'key-1', { date: '2026-12-02', mood: 4, note: 'walked' });
    resetQueueForTest();
    expect(queued('us_ada')).toMatchObject([{ key: 'key-1', owner: 'us_ada', body: { date: '2026-12-02', mood: 4, note: 'walked' } }]);
    expect(queued('us_bo')).toEqual([]);
    expect(JSON.parse(localStorage.getItem(queueStorageKey)!).items).toHaveLength(1);
  });

  it('sends each entry with the key it was given, and only for its owner', async () => {
    keep('us_ada', 'key-a', { date: '2026-12-01', mood: 4 });
    keep('us_bo', 'key-b', { date: '2026-12-01', mood: 7 });
    keep('us_ada', 'key-c', { date: '2026-12-02', mood: 5 });
    const calls: [string, string | null, unknown][] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string, init: RequestInit) => {
        const headers = init.headers as Record<string, string>;
        const body = JSON.parse(init.body as string) as { date: string };
        calls.push([url, headers['Idempotency-Key'], body]);
        return json(saved(body.date), 201);
      }),
    );
    const r = await flush('us_ada', undefined, '2026-12-02');
    expect(calls).toEqual([
      ['/api/v1/me/check-ins', 'key-a', { date: '2026-12-01', mood: 4 }],
      ['/api/v1/me/check-ins', 'key-c', { date: '2026-12-02', mood: 5 }],
    ]);
    expect(r.sent.map((s) => s.date)).toEqual(['2026-12-01', '2026-12-02']);
    expect(r.waiting).toBe(0);
    expect(queued('us_ada')).toEqual([]);
    expect(queued('us_bo')).toHaveLength(1);
  });

  it('stops at a network failure and tries again later with the same key', async () => {
    keep('us_ada', 'key-a', { date: '2026-12-01', mood: 4 });
    keep('us_ada', 'key-c', { date: '2026-12-02', mood: 5 });
    const keys: string[] = [];
    let online = false;
    vi.stubGlobal(
      'fetch',
      vi.fn(async (_url: string, init: RequestInit) => {
        keys.push((init.headers as Record<string, string>)['Idempotency-Key']);
        if (!online) throw new TypeError('Failed to fetch');
        return json(saved(JSON.parse(init.body as string).date), 201);
      }),
    );
    const first = await flush('us_ada', undefined, '2026-12-02');
    expect(first).toEqual({ sent: [], refused: [], waiting: 2 });
    expect(keys).toEqual(['key-a']);
    expect(queued('us_ada').map((i) => i.attempts)).toEqual([1, 0]);
    online = true;
    const second = await flush('us_ada', undefined, '2026-12-02');
    expect(second.waiting).toBe(0);
    expect(keys).toEqual(['key-a', 'key-a', 'key-c']);
  });

  it('drops a check-in Tend refused (4xx) and keeps the reason to show; a 5xx or 401 keeps it', async () => {
    keep('us_ada', 'key-a', { date: '2026-12-01', mood: 4 });
    const answers = [json({ status: 503, title: 'Unavailable' }, 503), json({ status: 401 }, 401), json({ status: 422, title: 'Invalid', detail: 'The date is in the future.' }, 422)];
    vi.stubGlobal('fetch', vi.fn(async () => answers.shift()!));
    await flush('us_ada', undefined, '2026-12-02');
    expect(queued('us_ada')).toHaveLength(1);
    await flush('us_ada', undefined, '2026-12-02');
    expect(queued('us_ada')).toHaveLength(1);
    const r = await flush('us_ada', undefined, '2026-12-02');
    expect(queued('us_ada')).toEqual([]);
    expect(r.refused).toEqual([{ key: 'key-a', owner: 'us_ada', date: '2026-12-01', reason: 'The date is in the future.' }]);
    resetQueueForTest();
    expect(parseQueue(localStorage.getItem(queueStorageKey)).refused).toHaveLength(1);
  });

  it('one flush at a time: a second call while one runs gets the same result, no second POST', async () => {
    keep('us_ada', 'key-a', { date: '2026-12-01', mood: 4 });
    let release: (r: Response) => void = () => {};
    const fetcher = vi.fn(() => new Promise<Response>((r) => (release = r)));
    vi.stubGlobal('fetch', fetcher);
    const a = flush('us_ada', undefined, '2026-12-02');
    const b = flush('us_ada', undefined, '2026-12-02');
    release(json(saved('2026-12-01'), 201));
    expect(await a).toBe(await b);
    expect(fetcher).toHaveBeenCalledTimes(1);
  });

  it('remembers which sent check-ins told the care team', async () => {
    keep('us_ada', 'key-a', { date: '2026-12-01', mood: 1, self_harm_urge: 4 });
    const send = vi.fn(async () => saved('2026-12-01', { self_harm_urge: 4, alert_raised: true }));
    await flush('us_ada', send, '2026-12-02');
    expect(wasAlerted('key-a')).toBe(true);
    expect(wasAlerted('key-b')).toBe(false);
  });

  it('sends when the browser says it is back online, and every minute while anything waits', async () => {
    vi.useFakeTimers();
    keep('us_ada', 'key-a', { date: new Date().toISOString().slice(0, 10), mood: 4 });
    let online = false;
    const send = vi.fn(async () => {
      if (!online) throw new ApiError({ status: 0 });
      return saved('2026-12-01');
    });
    const stop = startSync('us_ada', send);
    await vi.waitFor(() => expect(send).toHaveBeenCalledTimes(1)); // at once
    await vi.advanceTimersByTimeAsync(60_000);
    expect(send).toHaveBeenCalledTimes(2); // the minute's retry
    online = true;
    window.dispatchEvent(new Event('online'));
    await vi.waitFor(() => expect(queued('us_ada')).toEqual([]));
    expect(send).toHaveBeenCalledTimes(3);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(send).toHaveBeenCalledTimes(3); // nothing left to send
    stop();
    keep('us_ada', 'key-b', { date: new Date().toISOString().slice(0, 10), mood: 4 });
    window.dispatchEvent(new Event('online'));
    await vi.advanceTimersByTimeAsync(60_000);
    expect(send).toHaveBeenCalledTimes(3); // stopped
  });
});

describe('who the phone’s portal is for', () => {
  it('is remembered while signed in and forgotten with the kept chips on sign-out', () => {
    rememberPortalUser({ id: 'us_ada', display_name: 'Ada' });
    keepFactors('us_ada', [{ id: 'walk', label: 'A walk', kind: 'activity', own: true }]);
    keepRecent('us_ada', [saved('2026-12-01', { note: 'mine' })]);
    expect(keptRecent('us_ada')).toHaveLength(1);
    expect(keptRecent('us_bo')).toEqual([]);
    expect(rememberedPortalUser()).toEqual({ id: 'us_ada', display_name: 'Ada' });
    expect(keptFactors('us_ada')).toHaveLength(1);
    expect(keptFactors('us_bo')).toBeNull();
    forgetPortalUser();
    expect(rememberedPortalUser()).toBeNull();
    expect(keptFactors('us_ada')).toBeNull();
    expect(keptRecent('us_ada')).toEqual([]);
  });
});
