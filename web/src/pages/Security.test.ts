import { describe, expect, it } from 'vitest';
import { groupsOfFour } from './Security';

describe('setup key', () => {
  it('is shown in groups of four', () => {
    expect(groupsOfFour('C6WJUI566GY5KY5HPB6TECQ5YBQUEAPP')).toBe('C6WJ UI56 6GY5 KY5H PB6T ECQ5 YBQU EAPP');
    expect(groupsOfFour('ABCDEF')).toBe('ABCD EF');
  });
});
