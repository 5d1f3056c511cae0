// The installable portal: the manifest index.html links, and the files the service worker keeps.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const web = join(__dirname, '..');

describe('the web app manifest', () => {
  const manifest = JSON.parse(readFileSync(join(web, 'public/manifest.webmanifest'), 'utf8')) as Record<string, unknown> & { icons: { src: string }[]; shortcuts: { url: string }[] };

  it('installs as Tend, opening the portal, standalone, in the brand colour', () => {
    expect(manifest).toMatchObject({ name: 'Tend', short_name: 'Tend', start_url: '/portal', display: 'standalone', theme_color: '#1f5f4a' });
  });

  it('names icons and shortcuts that exist', () => {
    for (const icon of manifest.icons) expect(existsSync(join(web, 'public', icon.src))).toBe(true);
    expect(manifest.shortcuts.map((s) => s.url)).toEqual(['/portal/check-in', '/portal/help']);
  });

  it('is linked from the page, and kept by the portal’s service worker for use offline', () => {
    expect(readFileSync(join(web, 'index.html'), 'utf8')).toContain('<link rel="manifest" href="/manifest.webmanifest" />');
    const sw = readFileSync(join(web, 'public/portal-sw.js'), 'utf8');
    expect(sw).toContain("const APP_FILES = ['/manifest.webmanifest', '/icon.svg'];");
  });
});
