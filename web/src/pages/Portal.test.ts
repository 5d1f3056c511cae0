import { describe, expect, it } from 'vitest';
import type { AccessEntry } from '../types';
import { groupAccess, plainAction, whoSaw } from './Portal';

const entry = (seq: number, at: string, actor: string, action: string, kind = 'client', reason = ''): AccessEntry => ({
  seq,
  at,
  actor_id: actor,
  actor_role: 'clinician',
  action,
  resource_kind: kind,
  resource_id: 'cl_1',
  reason,
  outcome: 'ok',
});

describe('who has seen my record', () => {
  it('says what happened in plain words', () => {
    expect(plainAction(entry(1, '', 'a', 'read'))).toBe('Looked at your record');
    expect(plainAction(entry(1, '', 'a', 'read', 'care_team'))).toBe('Looked at your record');
    expect(plainAction(entry(1, '', 'a', 'add_member', 'care_team'))).toBe('Added someone to your care team');
    expect(plainAction(entry(1, '', 'a', 'break_glass'))).toBe('Opened your record in an emergency');
    expect(plainAction({ ...entry(1, '', 'a', 'read'), outcome: 'denied' })).toBe('Tried to open your record but was not allowed');
  });

  it('joins the same person doing the same thing in the same minute', () => {
    const groups = groupAccess(
      [
        entry(6, '2026-11-23T15:01:10.000Z', 'a', 'read'),
        entry(5, '2026-11-23T15:01:02.000Z', 'a', 'read'),
        entry(4, '2026-11-23T15:00:59.000Z', 'a', 'read'),
        entry(3, '2026-11-23T15:00:58.000Z', 'b', 'break_glass', 'client', 'crisis call'),
        entry(2, '2026-11-23T15:00:58.000Z', 'b', 'break_glass', 'client', 'again'),
        entry(1, '2026-11-23T15:00:50.000Z', 'a', 'read'),
      ],
      (e) => e.actor_id,
    );
    expect(groups.map((g) => [g.who, g.count, g.reason])).toEqual([
      ['a', 2, ''],
      ['a', 1, ''],
      ['b', 1, 'crisis call'],
      ['b', 1, 'again'],
      ['a', 1, ''],
    ]);
    expect(groups[0].at).toBe('2026-11-23T15:01:10.000Z');
  });

  it('names who did it, falling back to their role for system actions', () => {
    const names = new Map([['b', 'Team Name']]);
    expect(whoSaw({ ...entry(1, '', 'a', 'read'), actor_name: 'Chidi Okafor' }, 'me', names)).toBe('Chidi Okafor');
    expect(whoSaw({ ...entry(1, '', 'me', 'read'), actor_name: 'Ada', actor_role: 'client' }, 'me', names)).toBe('You');
    expect(whoSaw({ ...entry(1, '', 'b', 'read'), actor_name: null }, 'me', names)).toBe('Team Name');
    expect(whoSaw({ ...entry(1, '', 'x', 'read'), actor_name: null }, 'me', names)).toBe('A clinician');
  });
});
