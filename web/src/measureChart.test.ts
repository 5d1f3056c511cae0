import { describe, expect, it } from 'vitest';
import { assessment, change, phq9 } from './fixtures';
import { formatDay } from './format';
import {
  bandStripes,
  changeWords,
  eventMarks,
  eventsNear,
  formatScore,
  frameFor,
  labelLines,
  linear,
  markerOf,
  markerPath,
  measureOutcomeText,
  outcomeWords,
  plotPoints,
  scoreScale,
  scoreTicks,
  shortChange,
  talkingTherapiesWords,
  timeScale,
} from './measureChart';
import type { Band, MeasureOutcome, TalkingTherapiesOutcome } from './types';

const frame = { width: 600, height: 300, top: 10, right: 100, bottom: 30, left: 40 };
// plot: y from 270 (score min) to 10 (score max); x from 54 to 486

describe('scales', () => {
  it('maps a domain onto a range, and a point domain to the middle', () => {
    const f = linear([0, 10], [100, 0]);
    expect(f(0)).toBe(100);
    expect(f(10)).toBe(0);
    expect(f(2.5)).toBe(75);
    expect(linear([5, 5], [0, 100])(5)).toBe(50);
  });

  it('puts the lowest score at the bottom and the highest at the top', () => {
    const y = scoreScale({ min: 0, max: 27 }, frame);
    expect(y(0)).toBe(270);
    expect(y(27)).toBe(10);
    expect(y(13.5)).toBe(140);
  });

  it('spreads times over the plot inside a small padding; one instant sits in the middle', () => {
    const x = timeScale([1000, 2000, 5000], frame);
    expect(x(1000)).toBe(54);
    expect(x(5000)).toBe(486);
    expect(x(3000)).toBe(270);
    expect(timeScale([7], frame)(7)).toBe(270);
  });

  it('leaves a narrower label gutter and a shorter chart on a phone', () => {
    expect(frameFor(340)).toMatchObject({ width: 340, right: 92, height: 220 });
    expect(frameFor(900)).toMatchObject({ width: 900, right: 132, height: 260 });
    expect(frameFor(100).width).toBe(280);
  });
});

describe('band stripes', () => {
  const y = scoreScale({ min: 0, max: 27 }, frame);
  const stripes = bandStripes(phq9().bands, { min: 0, max: 27 }, true, y);

  it('cover the whole scale with boundaries half-way between whole-score ranges', () => {
    expect(stripes.map((s) => [s.code, s.from, s.to])).toEqual([
      ['minimal', 0, 4.5],
      ['mild', 4.5, 9.5],
      ['moderate', 9.5, 14.5],
      ['moderately_severe', 14.5, 19.5],
      ['severe', 19.5, 27],
    ]);
  });

  it('are placed in pixels edge to edge, top of each at its upper score', () => {
    for (const s of stripes) {
      expect(s.y).toBeCloseTo(y(s.to));
      expect(s.y + s.height).toBeCloseTo(y(s.from));
    }
    expect(stripes[0].y + stripes[0].height).toBe(270);
    expect(stripes[4].y).toBe(10);
    // a score exactly at a band's minimum is inside that band's stripe, not on a line
    const ten = y(10);
    const moderate = stripes[2];
    expect(ten).toBeGreaterThan(moderate.y);
    expect(ten).toBeLessThan(moderate.y + moderate.height);
  });

  it('take calm-to-warm tones by severity, following the direction of the scale', () => {
    expect(stripes.map((s) => s.tone)).toEqual([0, 1, 2, 3, 4]);
    // WHO-5: higher is better, so the top band is the calm one
    const who5: Band[] = [
      { code: 'low', label: 'Low wellbeing', min: 0, max: 28, client_text: '' },
      { code: 'ok', label: 'Good wellbeing', min: 29, max: 100, client_text: '' },
    ];
    const w = bandStripes(who5, { min: 0, max: 100 }, false, scoreScale({ min: 0, max: 100 }, frame));
    expect(w.map((s) => [s.code, s.tone])).toEqual([
      ['low', 4],
      ['ok', 0],
    ]);
    expect(w[0].to).toBe(28.5);
  });

  it('meet at the next minimum when the ranges touch, and are none for condition bands', () => {
    const touching: Band[] = [
      { code: 'a', label: 'A', min: 0, max: 1.5, client_text: '' },
      { code: 'b', label: 'B', min: 1.5, max: 4, client_text: '' },
    ];
    expect(bandStripes(touching, { min: 0, max: 4 }, true, y).map((s) => [s.from, s.to])).toEqual([
      [0, 1.5],
      [1.5, 4],
    ]);
    const risk: Band[] = [
      { code: 'high', label: 'High risk', min: null, max: null, client_text: '' },
      { code: 'low', label: 'Low risk', min: null, max: null, client_text: '' },
    ];
    expect(bandStripes(risk, { min: 0, max: 6 }, true, y)).toEqual([]);
    expect(bandStripes([], { min: 0, max: 6 }, true, y)).toEqual([]);
  });

  it('sort bands that arrive out of order', () => {
    const shuffled = [...phq9().bands].reverse();
    expect(bandStripes(shuffled, { min: 0, max: 27 }, true, y).map((s) => s.code)).toEqual(['minimal', 'mild', 'moderate', 'moderately_severe', 'severe']);
  });

  it('label lines fit the gutter, a word never split', () => {
    expect(labelLines('Moderately severe', 12)).toEqual(['Moderately', 'severe']);
    expect(labelLines('Mild', 12)).toEqual(['Mild']);
    expect(labelLines('Good wellbeing here', 14)).toEqual(['Good wellbeing', 'here']);
  });

  it('ticks sit at the ends of the scale and where each band starts', () => {
    expect(scoreTicks({ min: 0, max: 27 }, phq9().bands)).toEqual([0, 5, 10, 15, 20, 27]);
  });
});

describe('points and reliable-change markers', () => {
  const results = [
    assessment('as_3', '2026-03-01T10:00:00Z', 8, { change: { previous: change(-8, 'reliable_improvement'), first: change(-11, 'reliable_improvement') } }),
    assessment('as_1', '2026-01-01T10:00:00Z', 19),
    assessment('as_2', '2026-02-01T10:00:00Z', 16, { change: { previous: change(-3, 'no_reliable_change'), first: change(-3, 'no_reliable_change') } }),
    assessment('as_4', '2026-04-01T10:00:00Z', 15, { change: { previous: change(7, 'reliable_deterioration'), first: change(-4, 'no_reliable_change') } }),
    assessment('as_x', '2026-04-02T10:00:00Z', 0, { total: null }),
  ];
  const points = plotPoints(results, { min: 0, max: 27 }, frame);

  it('are oldest first, placed by time and score, leaving out results without a total', () => {
    expect(points.map((p) => p.id)).toEqual(['as_1', 'as_2', 'as_3', 'as_4']);
    expect(points[0].x).toBe(54);
    expect(points[3].x).toBe(486);
    expect(points[1].x).toBeGreaterThan(points[0].x);
    const y = scoreScale({ min: 0, max: 27 }, frame);
    expect(points.map((p) => p.y)).toEqual([y(19), y(16), y(8), y(15)]);
  });

  it('are marked only where the change since the previous result is reliable', () => {
    expect(points.map((p) => p.marker)).toEqual(['result', 'result', 'improvement', 'deterioration']);
    expect(markerOf({ change: { previous: { ...change(-7, 'reliable_improvement'), reliable: false }, first: null } })).toBe('result');
  });

  it('draw a diamond for an improvement and a triangle for a deterioration', () => {
    expect(markerPath('improvement', 10, 10, 5)).toBe('M10 5L15 10L10 15L5 10Z');
    expect(markerPath('deterioration', 10, 10, 5)).toBe('M10 5L15 14L5 14Z');
  });

  it('a single result sits in the middle', () => {
    const one = plotPoints([assessment('as_1', '2026-01-01T10:00:00Z', 12)], { min: 0, max: 27 }, frame);
    expect(one).toHaveLength(1);
    expect(one[0].x).toBe(270);
  });
});

describe('change in words', () => {
  it('says the direction, size and whether it is reliable', () => {
    expect(changeWords(change(-7, 'reliable_improvement'), 'first')).toBe('Down 7 since first — reliable improvement');
    expect(changeWords(change(2, 'no_reliable_change'), 'previous')).toBe('Up 2 since previous — no reliable change');
    expect(changeWords(change(6, 'reliable_deterioration'), 'previous')).toBe('Up 6 since previous — reliable deterioration');
    expect(changeWords(change(0, 'no_reliable_change'), 'first')).toBe('No change since first');
    expect(changeWords(null, 'first')).toBe('');
  });

  it('is short in a table cell', () => {
    expect(shortChange(change(-7, 'reliable_improvement'))).toBe('−7, reliable improvement');
    expect(shortChange(change(3, 'no_reliable_change'))).toBe('+3');
    expect(shortChange(change(0, 'no_reliable_change'))).toBe('No change');
    expect(shortChange(null)).toBe('');
  });

  it('names outcomes from the first result', () => {
    expect(outcomeWords(change(-12, 'reliable_improvement', { recovered: true, reliable_recovery: true, response: true, remission: true }))).toEqual([
      'reliable recovery',
      'response (score halved)',
      'remission',
    ]);
    expect(outcomeWords(change(-3, 'no_reliable_change', { recovered: true }))).toEqual(['recovered (below the clinical cut-off)']);
  });

  it('shows prorated scores with one decimal', () => {
    expect(formatScore(12)).toBe('12');
    expect(formatScore(12.25)).toBe('12.3');
  });
});

describe('the NHS Talking Therapies outcome in words', () => {
  const tt = (phq9: [number, number], gad7: [number, number], flags: Partial<TalkingTherapiesOutcome>): TalkingTherapiesOutcome => ({
    phq9_first: phq9[0],
    phq9_last: phq9[1],
    gad7_first: gad7[0],
    gad7_last: gad7[1],
    case_at_start: true,
    recovered: false,
    reliable_improvement: false,
    reliable_deterioration: false,
    reliable_recovery: false,
    ...flags,
  });

  it('says nothing before there is a pair of each', () => {
    expect(talkingTherapiesWords(null)).toBe('');
    expect(talkingTherapiesWords(undefined)).toBe('');
  });

  it('recovered and reliably improved', () => {
    expect(talkingTherapiesWords(tt([14, 6], [11, 7], { recovered: true, reliable_improvement: true, reliable_recovery: true }))).toBe(
      'Recovered and reliably improved (NHS Talking Therapies definitions: PHQ-9 14 → 6, GAD-7 11 → 7)',
    );
  });

  it('recovered without reliable improvement', () => {
    expect(talkingTherapiesWords(tt([10, 8], [8, 6], { recovered: true }))).toBe(
      'Recovered (both scores below the clinical cut-offs), without reliable improvement (NHS Talking Therapies definitions: PHQ-9 10 → 8, GAD-7 8 → 6)',
    );
  });

  it('reliably improved but still in the clinical range', () => {
    expect(talkingTherapiesWords(tt([19, 12], [11, 7], { reliable_improvement: true }))).toBe(
      'Reliably improved, not recovered: still in the clinical range (NHS Talking Therapies definitions: PHQ-9 19 → 12, GAD-7 11 → 7)',
    );
  });

  it('no reliable change', () => {
    expect(talkingTherapiesWords(tt([15, 13], [12, 11], {}))).toBe('No reliable change, and still in the clinical range (NHS Talking Therapies definitions: PHQ-9 15 → 13, GAD-7 12 → 11)');
  });

  it('reliable deterioration, said first and plainly', () => {
    expect(talkingTherapiesWords(tt([12, 20], [9, 10], { reliable_deterioration: true }))).toBe('Reliable deterioration (NHS Talking Therapies definitions: PHQ-9 12 → 20, GAD-7 9 → 10)');
    // worse on one measure though both are now below the cut-offs: still a deterioration
    expect(talkingTherapiesWords(tt([2, 8], [9, 7], { recovered: true, reliable_deterioration: true }))).toBe(
      'Reliable deterioration, although both scores are now below the clinical cut-offs (NHS Talking Therapies definitions: PHQ-9 2 → 8, GAD-7 9 → 7)',
    );
  });

  it('not in the clinical range at the start: recovery does not apply', () => {
    const low = { case_at_start: false };
    expect(talkingTherapiesWords(tt([8, 7], [6, 5], low))).toBe(
      'Not in the clinical range at the start: recovery does not apply; no reliable change (NHS Talking Therapies definitions: PHQ-9 8 → 7, GAD-7 6 → 5)',
    );
    expect(talkingTherapiesWords(tt([9, 2], [7, 1], { ...low, reliable_improvement: true }))).toBe(
      'Not in the clinical range at the start: recovery does not apply; reliably improved (NHS Talking Therapies definitions: PHQ-9 9 → 2, GAD-7 7 → 1)',
    );
    expect(talkingTherapiesWords(tt([3, 12], [2, 3], { ...low, reliable_deterioration: true }))).toBe(
      'Reliable deterioration. Not in the clinical range at the start: recovery does not apply (NHS Talking Therapies definitions: PHQ-9 3 → 12, GAD-7 2 → 3)',
    );
  });
});

describe('a measure from first to latest', () => {
  const m = (count: number, first: number | null, last: number | null, extra: Partial<MeasureOutcome> = {}): MeasureOutcome => ({
    instrument: 'phq-9',
    name: 'PHQ-9',
    count,
    first: { id: 'as_1', total: first, completed_at: '2026-10-01T10:00:00Z' },
    last: { id: 'as_3', total: last, completed_at: '2026-11-20T10:00:00Z' },
    change: null,
    ...extra,
  });

  it('gives the scores, the span and the change with its outcome', () => {
    const t = measureOutcomeText(m(3, 19, 8, { change: change(-11, 'reliable_improvement', { recovered: true, reliable_recovery: true, remission: false }) }));
    expect(t.scores).toBe('19 → 8');
    expect(t.when).toBe(`${formatDay('2026-10-01T10:00:00Z')} to ${formatDay('2026-11-20T10:00:00Z')}, 3 results`);
    expect(t.change).toBe('Down 11 since first — reliable improvement; reliable recovery');
  });

  it('with one result, no change yet', () => {
    const t = measureOutcomeText(m(1, 19, 19));
    expect(t).toEqual({ scores: '19', when: `one result, ${formatDay('2026-11-20T10:00:00Z')}`, change: '' });
  });

  it('without a total (C-SSRS), only the span', () => {
    const t = measureOutcomeText(m(2, null, null));
    expect(t.scores).toBe('');
    expect(t.change).toBe('');
  });
});

describe('medication changes on the time axis', () => {
  const frame = { width: 600, height: 260, top: 12, right: 132, bottom: 36, left: 40 };
  // Plot from x = 54 to x = 454 (14 px padding inside the margins).
  const results = [assessment('a1', '2026-10-01T12:00:00Z', 18), assessment('a2', '2026-10-31T12:00:00Z', 9)];

  it('marks an event inside the span where its day falls, one mark per day', () => {
    const marks = eventMarks(
      [
        { on: '2026-10-16', label: 'Sertraline 50 mg → 100 mg' },
        { on: '2026-10-16', label: 'Started Mirtazapine 15 mg' },
      ],
      results,
      frame,
    );
    expect(marks).toEqual([{ x: 254, on: '2026-10-16', labels: ['Sertraline 50 mg → 100 mg', 'Started Mirtazapine 15 mg'] }]);
    // The results stay where they were.
    expect(plotPoints(results, { min: 0, max: 27 }, frame, [{ on: '2026-10-16', label: 'x' }]).map((p) => p.x)).toEqual([54, 454]);
  });

  it('an event before the first result widens the axis; one far away is left out', () => {
    const events = [
      { on: '2026-09-01', label: 'Started Sertraline 50 mg' },
      { on: '2026-01-01', label: 'Stopped Fluoxetine' },
    ];
    expect(eventsNear(events, results.map((a) => Date.parse(a.completed_at)))).toEqual([events[0]]);
    const marks = eventMarks(events, results, frame);
    expect(marks.map((m) => [m.on, m.x])).toEqual([['2026-09-01', 54]]);
    // 2026-09-01 → 2026-10-31 is 60 days over 400 px: the first result, 30 days in, sits half-way.
    expect(plotPoints(results, { min: 0, max: 27 }, frame, events).map((p) => p.x)).toEqual([254, 454]);
    expect(eventMarks(events, [], frame)).toEqual([]);
  });
});
