import { cleanup, fireEvent, render } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { assessment, change, phq9 } from '../fixtures';
import { MeasureChart } from './MeasureChart';

afterEach(cleanup);

const results = [
  assessment('as_3', '2026-03-01T10:00:00Z', 8, { change: { previous: change(-8, 'reliable_improvement'), first: change(-11, 'reliable_improvement') } }),
  assessment('as_2', '2026-02-01T10:00:00Z', 16, { change: { previous: change(-3, 'no_reliable_change'), first: change(-3, 'no_reliable_change') } }),
  assessment('as_1', '2026-01-01T10:00:00Z', 19),
];

describe('the measures chart', () => {
  it('draws labelled band stripes, the line, and a marked, worded reliable change', () => {
    const onSelect = vi.fn();
    const { container } = render(
      <MeasureChart id="c" name="PHQ-9" results={results} total={{ min: 0, max: 27 }} bands={phq9().bands} higherIsWorse selectedId={null} onSelect={onSelect} />,
    );
    const svg = container.querySelector('svg.measure-svg')!;
    expect(svg.getAttribute('role')).toBe('img');
    expect(container.querySelector('#c-title')!.textContent).toBe('PHQ-9 totals over time');
    expect(container.querySelector('#c-desc')!.textContent).toMatch(/3 results .* latest 8 of 27\. Higher scores are worse\. 1 reliable change marked/);

    const bands = [...container.querySelectorAll('g.band')];
    expect(bands.map((b) => b.getAttribute('class'))).toEqual(['band tone-0', 'band tone-1', 'band tone-2', 'band tone-3', 'band tone-4']);
    expect(bands.map((b) => b.querySelector('text')!.textContent)).toEqual(['Minimal', 'Mild', 'Moderate', 'Moderately severe', 'Severe']);
    expect(container.querySelector('polyline.series')!.getAttribute('points')!.split(' ')).toHaveLength(3);

    const points = [...container.querySelectorAll('g.point')];
    expect(points.map((p) => p.getAttribute('data-id'))).toEqual(['as_1', 'as_2', 'as_3']);
    expect(points[0].querySelector('circle.dot')).toBeTruthy();
    const marked = points[2];
    expect(marked.getAttribute('class')).toContain('point--improvement');
    expect(marked.querySelector('path.marker')).toBeTruthy();
    expect(marked.querySelector('circle.dot')).toBeNull();
    expect(marked.querySelector('.marker-text')!.textContent).toBe('Better');
    expect(marked.querySelector('title')!.textContent).toContain('reliable improvement since the previous result');

    fireEvent.click(points[1]);
    expect(onSelect).toHaveBeenCalledWith('as_2');
  });

  it('rings the selected result', () => {
    const { container } = render(
      <MeasureChart id="c" name="PHQ-9" results={results} total={{ min: 0, max: 27 }} bands={phq9().bands} higherIsWorse selectedId="as_2" onSelect={() => {}} />,
    );
    const selected = container.querySelector('g.point--selected')!;
    expect(selected.getAttribute('data-id')).toBe('as_2');
    expect(selected.querySelector('circle.ring')).toBeTruthy();
  });
});
