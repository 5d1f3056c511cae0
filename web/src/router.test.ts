import { afterEach, describe, expect, it, vi } from 'vitest';
import { href, matchPath, navigate, resolve } from './router';
import { chartTab, routes } from './routes';

describe('matchPath', () => {
  it('matches literal paths exactly', () => {
    expect(matchPath('/', '/')).toEqual({});
    expect(matchPath('/clients', '/clients')).toEqual({});
    expect(matchPath('/clients', '/clients/')).toEqual({});
    expect(matchPath('/clients', '/client')).toBeNull();
    expect(matchPath('/clients', '/clients/x')).toBeNull();
    expect(matchPath('/clients/:id', '/clients')).toBeNull();
  });

  it('captures and decodes parameters', () => {
    expect(matchPath('/clients/:id', '/clients/cl_abc')).toEqual({ id: 'cl_abc' });
    expect(matchPath('/clients/:id/edit', '/clients/a%20b/edit')).toEqual({ id: 'a b' });
    expect(matchPath('/clients/:id', '/clients/%E0%A4%A')).toBeNull();
  });
});

describe('resolve', () => {
  const cases: [string, string | null, Record<string, string>?][] = [
    ['/', 'home'],
    ['/signin', 'signin'],
    ['/clients', 'clients'],
    ['/clients/new', 'client-new'],
    ['/clients/cl_1', 'chart', { id: 'cl_1' }],
    ['/clients/cl_1/edit', 'client-edit', { id: 'cl_1' }],
    ['/admin', 'admin'],
    ['/portal', 'portal'],
    ['/clients/cl_1/assess/phq-9', 'assess', { id: 'cl_1', instrument: 'phq-9' }],
    ['/portal/questionnaires/gad-7', 'portal-questionnaire', { instrument: 'gad-7' }],
    ['/a/tok_abc', 'assessment-link', { token: 'tok_abc' }],
    ['/a', null],
    ['/clients/cl_1/other', null],
    ['/nowhere', null],
  ];
  it.each(cases)('%s → %s', (path, name, params) => {
    const m = resolve(routes, path);
    if (name === null) expect(m).toBeNull();
    else expect(m).toEqual({ name, params: params ?? {} });
  });
});

describe('href', () => {
  it('fills and escapes parameters', () => {
    expect(href('/clients/:id/edit', { id: 'a/b' })).toBe('/clients/a%2Fb/edit');
    expect(href('/')).toBe('/');
  });
});

describe('chartTab', () => {
  it('falls back to the overview', () => {
    expect(chartTab('access-log')).toBe('access-log');
    expect(chartTab('measures')).toBe('measures');
    expect(chartTab(null)).toBe('overview');
    expect(chartTab('bogus')).toBe('overview');
  });
});

describe('navigate', () => {
  afterEach(() => window.history.replaceState(null, '', '/'));

  it('pushes a history entry and tells listeners', () => {
    const before = window.history.length;
    const seen = vi.fn();
    window.addEventListener('popstate', seen);
    navigate('/clients?q=ada');
    expect(window.location.pathname).toBe('/clients');
    expect(window.location.search).toBe('?q=ada');
    expect(window.history.length).toBe(before + 1);
    window.removeEventListener('popstate', seen);
  });

  it('replaces when asked', () => {
    navigate('/admin');
    const before = window.history.length;
    navigate('/signin', { replace: true });
    expect(window.location.pathname).toBe('/signin');
    expect(window.history.length).toBe(before);
  });
});
