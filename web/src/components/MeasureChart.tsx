// One instrument's totals over time, drawn in SVG at the width it is given: severity bands as
// labelled stripes behind the line, and a distinct shape with a word where the change since the
// previous result is reliable. The SVG is a picture with a text summary; the results table
// beside it (pages/Measures.tsx) is the way to the same facts without seeing it, and to each
// result's answers with a keyboard.
import { useEffect, useRef, useState } from 'preact/hooks';
import { formatDate, formatDay } from '../format';
import type { TimeEvent } from '../diagnoses';
import { bandStripes, eventMarks, formatScore, frameFor, labelLines, markerPath, markerText, plotPoints, scoreScale, scoreTicks } from '../measureChart';
import type { Assessment, Band } from '../types';

interface Props {
  id: string;
  name: string;
  results: Assessment[];
  total: { min: number; max: number };
  bands: Band[];
  higherIsWorse: boolean;
  selectedId: string | null;
  onSelect: (id: string) => void;
  /** Medication changes, marked on the time axis when near the results. */
  events?: TimeEvent[];
  /** A time axis shared with the charts around it (ms); by default the results' own span. */
  domain?: [number, number];
}

function useWidth(fallback: number) {
  const ref = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(fallback);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const measure = () => setWidth(el.clientWidth || fallback);
    measure();
    if (typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  return [width, ref] as const;
}

export function MeasureChart({ id, name, results, total, bands, higherIsWorse, selectedId, onSelect, events = [], domain }: Props) {
  const [width, ref] = useWidth(640);
  const frame = frameFor(width);
  const y = scoreScale(total, frame);
  const stripes = bandStripes(bands, total, higherIsWorse, y);
  const points = plotPoints(results, total, frame, events, domain);
  const marks = eventMarks(events, results, frame, domain);
  const ticks = scoreTicks(total, bands);
  const plotRight = frame.width - frame.right;
  const plotBottom = frame.height - frame.bottom;
  const labelChars = Math.floor((frame.right - 12) / 7);
  const last = points[points.length - 1];
  const reliable = points.filter((p) => p.marker !== 'result').length;

  const summary = points.length
    ? `${points.length} result${points.length === 1 ? '' : 's'} from ${formatDay(points[0].completedAt)} to ${formatDay(last.completedAt)}; latest ${formatScore(last.total)} of ${formatScore(total.max)}. ${higherIsWorse ? 'Higher scores are worse.' : 'Higher scores are better.'}${reliable ? ` ${reliable} reliable change${reliable === 1 ? '' : 's'} marked.` : ''} ${marks.length ? ` Medication changes marked: ${marks.map((m) => `${formatDate(m.on)} ${m.labels.join(', ')}`).join('; ')}.` : ''} The table below lists every result.`
    : 'No scored results to draw.';

  return (
    <div class="measure-chart" ref={ref}>
      <svg width={frame.width} height={frame.height} viewBox={`0 0 ${frame.width} ${frame.height}`} role="img" aria-labelledby={`${id}-title ${id}-desc`} class="measure-svg">
        <title id={`${id}-title`}>{name} totals over time</title>
        <desc id={`${id}-desc`}>{summary}</desc>
        {stripes.map((s) => {
          const lines = s.height >= 14 ? labelLines(s.label, labelChars).slice(0, Math.max(1, Math.floor(s.height / 13))) : [];
          const startY = s.y + s.height / 2 - ((lines.length - 1) * 13) / 2 + 4;
          return (
            <g key={s.code} class={`band tone-${s.tone}`}>
              <rect x={frame.left} y={s.y} width={frame.width - frame.left} height={s.height} class="band-fill" />
              <text x={plotRight + 8} y={startY} class="band-label">
                {lines.map((line, i) => (
                  <tspan key={i} x={plotRight + 8} dy={i === 0 ? 0 : 13}>
                    {line}
                  </tspan>
                ))}
              </text>
            </g>
          );
        })}
        <line x1={plotRight} x2={plotRight} y1={frame.top} y2={plotBottom} class="band-divider" />
        {ticks.map((t) => (
          <g key={t} class="tick">
            <line x1={frame.left - 4} x2={frame.left} y1={y(t)} y2={y(t)} class="axis" />
            <text x={frame.left - 7} y={y(t) + 4} class="tick-label">
              {formatScore(t)}
            </text>
          </g>
        ))}
        <line x1={frame.left} x2={frame.left} y1={frame.top} y2={plotBottom} class="axis" />
        <line x1={frame.left} x2={plotRight} y1={plotBottom} y2={plotBottom} class="axis" />
        {points.length ? (
          <>
            <text x={points.length === 1 ? points[0].x : points[0].x - 8} y={plotBottom + 22} class={`date-label${points.length === 1 ? ' middle' : ''}`}>
              {formatDay(points[0].completedAt)}
            </text>
            {points.length > 1 ? (
              <text x={last.x + 8} y={plotBottom + 22} class="date-label end">
                {formatDay(last.completedAt)}
              </text>
            ) : null}
          </>
        ) : null}
        {marks.map((m) => (
          <g key={m.on} class="event-mark" data-on={m.on}>
            <title>
              {formatDate(m.on)}: {m.labels.join('; ')}
            </title>
            <line x1={m.x} x2={m.x} y1={frame.top} y2={plotBottom} class="event-line" />
            <path d={`M${m.x.toFixed(1)} ${plotBottom}l-5 8h10z`} class="event-tick" />
          </g>
        ))}
        {points.length > 1 ? <polyline points={points.map((p) => `${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ')} class="series" /> : null}
        {points.map((p) => {
          const chosen = p.id === selectedId;
          const above = p.y - frame.top > 30;
          return (
            <g key={p.id} class={`point point--${p.marker}${chosen ? ' point--selected' : ''}`} data-id={p.id} onClick={() => onSelect(p.id)}>
              <title>
                {formatDay(p.completedAt)}: {formatScore(p.total)}
                {p.marker !== 'result' ? ` — ${markerText[p.marker].long.toLowerCase()}` : ''}
              </title>
              <circle cx={p.x} cy={p.y} r={16} class="hit" />
              {chosen ? <circle cx={p.x} cy={p.y} r={11} class="ring" /> : null}
              {p.marker === 'result' ? <circle cx={p.x} cy={p.y} r={5} class="dot" /> : <path d={markerPath(p.marker, p.x, p.y, 8)} class="marker" />}
              {p.marker !== 'result' ? (
                <text x={p.x} y={above ? p.y - 13 : p.y + 22} class="marker-text">
                  {markerText[p.marker].short}
                </text>
              ) : null}
            </g>
          );
        })}
      </svg>
      <ul class="chart-legend" aria-hidden="true">
        <li>
          <svg width="18" height="18" viewBox="0 0 18 18" class="legend-glyph point--result">
            <circle cx="9" cy="9" r="5" class="dot" />
          </svg>
          Result
        </li>
        <li>
          <svg width="18" height="18" viewBox="0 0 18 18" class="legend-glyph point--improvement">
            <path d={markerPath('improvement', 9, 9, 7)} class="marker" />
          </svg>
          Reliable improvement (“Better”)
        </li>
        <li>
          <svg width="18" height="18" viewBox="0 0 18 18" class="legend-glyph point--deterioration">
            <path d={markerPath('deterioration', 9, 9, 7)} class="marker" />
          </svg>
          Reliable deterioration (“Worse”)
        </li>
        {marks.length ? (
          <li>
            <svg width="18" height="18" viewBox="0 0 18 18" class="legend-glyph event-mark">
              <line x1="9" x2="9" y1="1" y2="17" class="event-line" />
            </svg>
            Medication change
          </li>
        ) : null}
      </ul>
    </div>
  );
}
