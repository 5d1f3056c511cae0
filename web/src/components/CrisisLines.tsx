// Crisis lines for the client's region: the emergency number first, then each line with a
// tap-to-call (tel:) and tap-to-text (sms:) link. Without the region's list (never loaded on
// this phone, and no signal) it still says what to do.
import { smsHref, telHref } from '../crisis';
import type { CrisisLine, CrisisResources } from '../types';

/** sms: link of a line: its number, with the word to send when the line asks for one. */
export function lineSmsHref(line: Pick<CrisisLine, 'text' | 'text_body'>): string {
  const href = smsHref(line.text ?? '');
  return line.text_body ? `${href}?body=${encodeURIComponent(line.text_body)}` : href;
}

export function CrisisLines({ resources, headingLevel = 2, idPrefix = 'lines' }: { resources: CrisisResources | undefined; headingLevel?: 2 | 3; idPrefix?: string }) {
  const H = headingLevel === 2 ? 'h2' : 'h3';
  if (!resources) {
    return (
      <section class="crisis-lines" aria-labelledby={`${idPrefix}-heading`}>
        <H id={`${idPrefix}-heading`}>Talk to someone now</H>
        <p>
          If you are in danger now, call your local emergency number: <strong>911</strong> in the US and Canada, <strong>999</strong> in the UK,{' '}
          <strong>112</strong> in Ireland and the EU, <strong>000</strong> in Australia, <strong>111</strong> in New Zealand.
        </p>
        <p>
          In the US and Canada you can call or text <a href="tel:988">988</a> at any time.
        </p>
      </section>
    );
  }
  const emergency = resources.emergency;
  return (
    <section class="crisis-lines" aria-labelledby={`${idPrefix}-heading`}>
      <H id={`${idPrefix}-heading`}>Talk to someone now</H>
      {emergency?.number ? (
        <p class="emergency">
          <a class="button button--large emergency-call" href={telHref(emergency.number)}>
            Call {emergency.number}
          </a>
          <span>
            {emergency.label ?? 'Emergency services'}: if you are in danger now or might act on thoughts of hurting yourself.
          </span>
        </p>
      ) : null}
      <ul class="line-list">
        {resources.lines.map((line, n) => (
          <li key={n} class="crisis-line">
            <p class="line-name">{line.name}</p>
            {line.description ? <p class="line-description">{line.description}</p> : null}
            <p class="line-actions">
              {line.phone ? (
                <a class="button" href={telHref(line.phone)} aria-label={`Call ${line.phone}: ${line.name}`}>
                  Call {line.phone}
                </a>
              ) : null}
              {line.text ? (
                <a class="button button--secondary" href={lineSmsHref(line)} aria-label={`Text ${line.text}: ${line.name}`}>
                  Text {line.text}
                </a>
              ) : null}
              {line.url ? (
                <a class="button button--secondary" href={line.url} target="_blank" rel="noopener noreferrer" aria-label={`Website of ${line.name} (opens in a new tab)`}>
                  Website
                </a>
              ) : null}
            </p>
            {line.hours ? <p class="line-hours muted">Open {line.hours}</p> : null}
          </li>
        ))}
      </ul>
      {resources.name ? <p class="muted">Numbers for {resources.name}.</p> : null}
    </section>
  );
}
