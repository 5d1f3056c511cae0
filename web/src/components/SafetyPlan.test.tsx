import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../api';
import { safetyPlan } from '../fixtures';
import type { SafetyPlan, SafetyPlanSections } from '../types';
import { SafetyPlanEditor } from './SafetyPlan';

afterEach(cleanup);

const conflict = () => new ApiError({ status: 409, title: 'Conflict', detail: 'safety plan version 2 is not the latest (3)' });

describe('the safety plan editor', () => {
  it('adds, reorders and removes lines, and saves the version it edited', async () => {
    const save = vi.fn(async (version: number, sections: SafetyPlanSections): Promise<SafetyPlan> => ({ ...safetyPlan(version + 1), sections }));
    const onSaved = vi.fn();
    render(<SafetyPlanEditor plan={safetyPlan(2)} wording="staff" save={save} latest={vi.fn()} onSaved={onSaved} />);
    fireEvent.click(screen.getByRole('button', { name: 'Add a line to Warning signs' }));
    fireEvent.input(screen.getByLabelText('Warning signs, line 2'), { target: { value: 'Staying in bed' } });
    fireEvent.click(screen.getByRole('button', { name: 'Move up: Warning signs, line 2' }));
    expect((screen.getByLabelText('Warning signs, line 1') as HTMLInputElement).value).toBe('Staying in bed');
    fireEvent.click(screen.getByRole('button', { name: 'Add a line to Reasons for living' }));
    fireEvent.click(screen.getByRole('button', { name: 'Add a contact' }));
    fireEvent.input(screen.getAllByLabelText('Name or service')[1], { target: { value: 'Crisis team' } });
    fireEvent.input(screen.getAllByLabelText(/^Phone/)[1], { target: { value: '555 0199' } });
    fireEvent.click(screen.getByRole('button', { name: 'Remove: People to ask for help, line 1' }));
    fireEvent.click(screen.getByRole('button', { name: 'Save the plan' }));
    await waitFor(() => expect(onSaved).toHaveBeenCalled());
    const [version, sections] = save.mock.calls[0];
    expect(version).toBe(2);
    expect(sections.warning_signs).toEqual(['Staying in bed', 'Not sleeping']);
    expect(sections.people_to_ask).toEqual([]);
    expect(sections.reasons_for_living).toEqual(['My children']); // the empty line added is not saved
    expect(sections.professionals).toEqual([{ name: 'Dr Okafor', phone: '+1 555 0100' }, { name: 'Crisis team', phone: '555 0199' }]);
  });

  it('starts a first plan at version 0', async () => {
    const save = vi.fn(async (version: number, sections: SafetyPlanSections): Promise<SafetyPlan> => ({ ...safetyPlan(1), sections, version: version + 1 }));
    render(<SafetyPlanEditor plan={null} wording="client" save={save} latest={vi.fn()} onSaved={() => {}} />);
    fireEvent.click(screen.getByRole('button', { name: 'Add a line to My warning signs' }));
    fireEvent.input(screen.getByLabelText('My warning signs, line 1'), { target: { value: 'Not eating' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save my plan' }));
    await waitFor(() => expect(save).toHaveBeenCalled());
    expect(save.mock.calls[0][0]).toBe(0);
  });

  it('on 409 keeps the text typed, shows their version on request, and saves on top of it', async () => {
    const save = vi
      .fn<(version: number, sections: SafetyPlanSections) => Promise<SafetyPlan>>()
      .mockRejectedValueOnce(conflict())
      .mockImplementation(async (version, sections) => ({ ...safetyPlan(version + 1), sections }));
    const latest = vi.fn(async () => safetyPlan(3, ['Their new warning sign']));
    const onSaved = vi.fn();
    render(<SafetyPlanEditor plan={safetyPlan(2)} wording="staff" save={save} latest={latest} onSaved={onSaved} />);
    fireEvent.input(screen.getByLabelText('Warning signs, line 1'), { target: { value: 'My careful wording, typed for ten minutes' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save the plan' }));

    expect((await screen.findByRole('alert')).textContent).toContain('changed by someone else since you opened it');
    expect((screen.getByLabelText('Warning signs, line 1') as HTMLInputElement).value).toBe('My careful wording, typed for ten minutes');
    expect(onSaved).not.toHaveBeenCalled();

    fireEvent.click(screen.getByRole('button', { name: 'Reload their version' }));
    await screen.findByRole('heading', { name: 'The latest saved version' });
    expect(document.querySelector('.plan-theirs')!.textContent).toContain('Their new warning sign');
    expect((screen.getByLabelText('Warning signs, line 1') as HTMLInputElement).value).toBe('My careful wording, typed for ten minutes');

    fireEvent.click(screen.getByRole('button', { name: 'Save the plan' }));
    await waitFor(() => expect(onSaved).toHaveBeenCalled());
    expect(save.mock.calls.map((c) => c[0])).toEqual([2, 3]);
    expect(save.mock.calls[1][1].warning_signs).toEqual(['My careful wording, typed for ten minutes']);
  });
});
