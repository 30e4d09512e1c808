import { describe, expect, it } from 'vitest';
import { batchedSql } from './prepared.js';

describe('batchedSql', () => {
  it('points each argument placeholder at its array column and renumbers the constants after the arrays', () => {
    const plan = {
      sql: 'select x from t where t.a = $1 and t.kind = $2 and t.b > $3 and t.c = $1 limit $4',
      slots: [{ arg: 'accountId' }, { constant: 'active' }, { arg: 'nowIso' }, { constant: 5 }],
    };
    const batched = batchedSql(plan, { accountId: -7, nowIso: '\u0000now' });
    expect(batched.argNames).toEqual(['accountId', 'nowIso']);
    expect(batched.constants).toEqual(['active', 5]);
    expect(batched.text).toBe(
      'SELECT shai_batch_args.ord AS shai_batch_ord, shai_batch_row.* FROM unnest($1::bigint[], $2::text[]) ' +
        'WITH ORDINALITY AS shai_batch_args(a0, a1, ord) CROSS JOIN LATERAL ' +
        '(select x from t where t.a = shai_batch_args.a0 and t.kind = $3 and t.b > shai_batch_args.a1 and t.c = shai_batch_args.a0 limit $4) AS shai_batch_row',
    );
  });

  it('tells $1 from $12', () => {
    const slots = Array.from({ length: 12 }, (_, i) => (i === 0 ? { arg: 'a' } : { constant: i }));
    const sql = `select ${slots.map((_s, i) => `$${i + 1}`).join(', ')}`;
    expect(batchedSql({ sql, slots }, { a: 'x' }).text).toContain('(select shai_batch_args.a0, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)');
  });
});
