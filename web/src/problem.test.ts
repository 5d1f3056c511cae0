import { describe, expect, it } from 'vitest';
import { parseProblem, problemToFormErrors } from './problem';

describe('problemToFormErrors', () => {
  it('puts each message on its field and the detail at the top', () => {
    const problem = parseProblem(422, {
      type: 'https://tend.dev/problems/validation',
      title: 'Some fields are not valid',
      status: 422,
      detail: 'invalid fields: date_of_birth, email',
      errors: [
        { field: 'date_of_birth', message: 'must not be in the future' },
        { field: 'email', message: 'must be an e-mail address' },
      ],
    });
    expect(problemToFormErrors(problem)).toEqual({
      summary: 'Please correct the 2 marked fields.',
      fields: { date_of_birth: 'Must not be in the future', email: 'Must be an e-mail address' },
    });
  });

  it('joins several messages for one field', () => {
    const e = problemToFormErrors(
      parseProblem(422, {
        status: 422,
        detail: 'x',
        errors: [
          { field: 'phone', message: 'is too long' },
          { field: 'phone', message: 'must be a phone number' },
        ],
      }),
    );
    expect(e.fields.phone).toBe('Is too long; Must be a phone number');
    expect(e.summary).toBe('Please correct the marked field.');
  });

  it('sends errors for fields the form does not show to the summary', () => {
    const e = problemToFormErrors(
      parseProblem(409, {
        status: 409,
        detail: 'username clin2 is taken',
        errors: [
          { field: 'username', message: 'is already taken' },
          { field: 'version', message: 'is not the current version' },
          { field: '', message: 'something general' },
        ],
      }),
      ['username'],
    );
    expect(e.fields).toEqual({ username: 'Is already taken' });
    expect(e.summary).toBe('Username clin2 is taken. Version: is not the current version. Something general');
  });

  it('uses the detail when no field is named', () => {
    expect(problemToFormErrors(parseProblem(401, { status: 401, detail: 'username or password is not correct' })).summary).toBe(
      'Username or password is not correct.',
    );
  });

  it('has a plain message when the body is not problem+json', () => {
    expect(problemToFormErrors(parseProblem(502, '<html>'))).toEqual({
      summary: 'Something went wrong on the server. Try again in a moment.',
      fields: {},
    });
    expect(problemToFormErrors(parseProblem(0, undefined)).summary).toMatch(/could not be reached/);
  });

  it('ignores malformed error entries', () => {
    const p = parseProblem(422, { status: 422, errors: [null, 3, { field: 'a', message: 'b' }] });
    expect(p.errors).toEqual([{ field: 'a', message: 'b' }]);
  });
});
