import { describe, expect, it } from 'vitest';
import { tidyCode } from './Join';
import { blocks, inline } from './JoinTerms';
import { invitationStateWords, invitationWho, type Invitation } from './ChartPortalAccess';
import { firstName } from './Guardian';

describe('the invitation code as it is typed', () => {
  it('is upper-cased, grouped after four and cut at eight', () => {
    expect(tidyCode('k7qm')).toBe('K7QM');
    expect(tidyCode('k7qm3')).toBe('K7QM-3');
    expect(tidyCode('k7 qm-3x pa')).toBe('K7QM-3XPA');
    expect(tidyCode('K7QM-3XPA-EXTRA')).toBe('K7QM-3XPA');
    expect(tidyCode('')).toBe('');
  });
});

describe('the terms text', () => {
  it('becomes headings, paragraphs and lists, never HTML', () => {
    const b = blocks('Intro line\nstill intro.\n\n## Privacy\n\n- **You** see it\n  all\n- Others do not\n\nEnd <script>x</script>');
    expect(b).toEqual([
      { kind: 'p', text: 'Intro line still intro.' },
      { kind: 'h', text: 'Privacy' },
      { kind: 'ul', items: ['**You** see it all', 'Others do not'] },
      { kind: 'p', text: 'End <script>x</script>' },
    ]);
    const parts = inline('a **b** c');
    expect(parts[0]).toBe('a ');
    expect(parts[2]).toBe(' c');
    expect(inline('no bold')).toEqual(['no bold']);
    expect(inline('an ** unmatched')).toEqual(['an ', ' unmatched']);
  });
});

const base: Invitation = {
  id: 'iv_1',
  client_id: 'cl_1',
  kind: 'client',
  method: 'code',
  state: 'pending',
  email: null,
  guardian_name: null,
  relationship: null,
  created_by: { id: 'us_1', name: 'Chidi Okafor' },
  created_at: '2026-12-01T10:00:00.000Z',
  expires_at: '2026-12-02T10:00:00.000Z',
  sent_at: null,
  used_at: null,
  revoked_at: null,
};

describe('invitations on the chart', () => {
  it('say who they are for and where they stand', () => {
    expect(invitationWho(base)).toBe('The client');
    expect(invitationWho({ ...base, kind: 'guardian', guardian_name: 'Grace Okafor', relationship: 'mother' })).toBe('Grace Okafor (mother)');
    expect(invitationStateWords(base)).toMatch(/^Open until /);
    expect(invitationStateWords({ ...base, method: 'email' })).toMatch(/^Waiting to be e-mailed/);
    expect(invitationStateWords({ ...base, method: 'email', sent_at: base.created_at })).toMatch(/^E-mailed, open until/);
    expect(invitationStateWords({ ...base, state: 'used', used_at: base.created_at })).toMatch(/^Accepted /);
    expect(invitationStateWords({ ...base, state: 'expired' })).toMatch(/^Expired /);
    expect(invitationStateWords({ ...base, state: 'revoked', revoked_at: base.created_at })).toMatch(/^Withdrawn /);
    expect(firstName('Sam Okafor')).toBe('Sam');
  });
});
