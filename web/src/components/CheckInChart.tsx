// A check-in rating over time in SVG (mood in the diary and in the chart), with, when given,
// self-harm urges as bars in a strip underneath and a clear mark on strong ones. It uses the
// measures chart's frame and time scale (measureChart.ts), so with the same width and the same
// `domain` its days line up with the measure graphs drawn above or below it. The SVG is a
// picture with a text summary; the page gives the same facts as a table or list.
import { useEffect, useRef, useState } from 'preact/hooks';
import { dayTime, isStrongUrge, urgeWord } from '../checkIns';
import { formatDate } from '../format';
import { formatScore, frameFor, linear, timeScale } from '../measureChart';

export interface DayValue {
  date: string;
  value: number;
  /** "2026-W49" when the value is a week's mean. */
  week?: string | null;
  count?: number;
}

interface Props {
  id: string;
  /** The <title>: "Mood over time". */
  title: string;
  /** The <desc>: the facts in words. */
  summary: string;
  points: DayValue[];
  scale: { min: number; max: number };
  /** Words beside the scale's ends in the right-hand gutter ("Best", "Worst"). */
  ends?: { low: string; high: string };
  /** The time axis (ms); by default the points' own first and last day. */
  domain?: [number, number];
  /** Self-harm urges (0–5) of the same days, drawn underneath. */
  urges?: DayValue[];
  valueWords?: (v: number) => string;
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

const stripHeight = 64;

/** Where each point goes: pure, for the tests and the drawing. */
export function layoutCheckInChart(width: number, p: Pick<Props, 'points' | 'scale' | 'domain' | 'urges'>) {
  const frame = frameFor(width);
  const times = [...p.points, ...(p.urges ?? [])].map((d) => dayTime(d.date));
  const x = p.domain ? timeScale(p.domain, frame) : timeScale(times.length ? times : [0], frame);
  const y = linear([p.scale.min, p.scale.max], [frame.height - frame.bottom, frame.top]);
  const stripTop = frame.height + 4;
  const urgeY = linear([0, 5], [stripTop + stripHeight - 22, stripTop + 6]);
  const points = p.points.map((d) => ({ ...d, x: x(dayTime(d.date)), y: y(d.value) }));
  const urges = (p.urges ?? []).map((d) => ({ ...d, x: x(dayTime(d.date)), y: urgeY(d.value), base: urgeY(0), strong: isStrongUrge(d.value) }));
  return { frame, y, points, urges, stripTop, height: frame.height + (p.urges ? stripHeight : 0) };
}

export function CheckInChart({ id, title, summary, points, scale, ends, domain, urges, valueWords }: Props) {
  const [width, ref] = useWidth(640);
  const { frame, y, points: pts, urges: bars, stripTop, height } = layoutCheckInChart(width, { points, scale, domain, urges });
  const plotRight = frame.width - frame.right;
  const plotBottom = frame.height - frame.bottom;
  const ticks = scale.max === 10 ? [0, 5, 10] : [scale.min, scale.max];
  const all = [...pts, ...bars].sort((a, b) => a.x - b.x);
  const first = domain ? formatDate(new Date(domain[0]).toISOString().slice(0, 10)) : all.length ? formatDate(all[0].date) : '';
  const last = domain ? formatDate(new Date(domain[1]).toISOString().slice(0, 10)) : all.length ? formatDate(all[all.length - 1].date) : '';
  const baseline = urges ? stripTop + stripHeight - 22 : plotBottom;

  return (
    <div class="checkin-chart" ref={ref}>
      <svg width={frame.width} height={height} viewBox={`0 0 ${frame.width} ${height}`} role="img" aria-labelledby={`${id}-title ${id}-desc`}>
        <title id={`${id}-title`}>{title}</title>
        <desc id={`${id}-desc`}>{summary}</desc>
        {ticks.map((t) => (
          <g key={t}>
            <line x1={frame.left} x2={plotRight} y1={y(t)} y2={y(t)} class="grid" />
            <text x={frame.left - 7} y={y(t) + 4} class="tick-label">
              {formatScore(t)}
            </text>
          </g>
        ))}
        {ends ? (
          <>
            <text x={plotRight + 8} y={y(scale.max) + 4} class="gutter-label">
              {ends.high}
            </text>
            <text x={plotRight + 8} y={y(scale.min) + 4} class="gutter-label">
              {ends.low}
            </text>
          </>
        ) : null}
        <line x1={frame.left} x2={frame.left} y1={frame.top} y2={plotBottom} class="axis" />
        <line x1={frame.left} x2={plotRight} y1={plotBottom} y2={plotBottom} class="axis" />
        {pts.length > 1 ? <polyline points={pts.map((p) => `${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ')} class="series" /> : null}
        {pts.map((p) => (
          <g key={`p-${p.date}`} class="point" data-date={p.date}>
            <title>
              {p.week ? `Week of ${formatDate(p.date)}` : formatDate(p.date)}: {formatScore(Math.round(p.value * 10) / 10)}
              {valueWords && !p.week ? ` (${valueWords(p.value)})` : ''}
              {p.count && p.count > 1 ? `, mean of ${p.count} days` : ''}
            </title>
            <circle cx={p.x} cy={p.y} r={pts.length > 60 ? 2.5 : 4} class="dot" />
          </g>
        ))}
        {urges ? (
          <g class="urges">
            <text x={plotRight + 8} y={stripTop + 20} class="gutter-label">
              Urges
            </text>
            <text x={plotRight + 8} y={stripTop + 34} class="gutter-label">
              (0–5)
            </text>
            <line x1={frame.left} x2={plotRight} y1={bars[0]?.base ?? stripTop + stripHeight - 22} y2={bars[0]?.base ?? stripTop + stripHeight - 22} class="axis" />
            {bars.map((b) => (
              <g key={`u-${b.date}`} class={b.strong ? 'urge urge--strong' : 'urge'} data-date={b.date} data-urge={b.value}>
                <title>
                  {formatDate(b.date)}: urges to self-harm {formatScore(b.value)} ({urgeWord(b.value)})
                </title>
                <rect x={b.x - 3} y={b.y} width={6} height={Math.max(1, b.base - b.y)} class={b.strong ? 'urge-bar urge-bar--strong' : 'urge-bar'} />
                {b.strong ? (
                  <>
                    <path d={`M${b.x.toFixed(1)} ${(b.y - 14).toFixed(1)}l-6 10h12z`} class="urge-mark" />
                    <line x1={b.x} x2={b.x} y1={frame.top} y2={plotBottom} class="grid urge-line" />
                  </>
                ) : null}
              </g>
            ))}
          </g>
        ) : null}
        {first ? (
          <text x={frame.left} y={baseline + 18} class="date-label">
            {first}
          </text>
        ) : null}
        {last && last !== first ? (
          <text x={plotRight} y={baseline + 18} class="date-label end">
            {last}
          </text>
        ) : null}
      </svg>
    </div>
  );
}
