/**
 * Property: whatever clinical text surrounds them, SSNs, phone numbers, e-mail addresses
 * and MRNs are always removed, and the clinical text around them is left as it was.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scrubText } from './scrubber.js';

const CLINICAL = [
  'BP 120/80', 'HR 76', 'SpO2 97%', 'HbA1c 7.2%', 'metformin 500 mg BID', 'creatinine 1.3 mg/dL',
  "Parkinson's disease", "Crohn's flare", 'Hodgkin lymphoma', "Bell's palsy", 'Apgar 9', 'lisinopril 10 mg daily',
  'no acute distress', 'lungs clear to auscultation', 'follow up in 2 weeks', 'diagnosed in 2019', 'pain 6/10',
];

const digits = (n: number) => fc.array(fc.integer({ min: 0, max: 9 }), { minLength: n, maxLength: n }).map((d) => d.join(''));
const ssn = fc
  .tuple(fc.integer({ min: 100, max: 899 }), digits(2), digits(4), fc.constantFrom('-', ' ', ''))
  .map(([a, b, c, sep]) => ({ value: `${a}${sep}${b}${sep}${c}`, digits: `${a}${b}${c}` }));
const phone = fc
  .tuple(fc.integer({ min: 201, max: 989 }), fc.integer({ min: 200, max: 999 }), digits(4), fc.integer({ min: 0, max: 5 }))
  .map(([a, b, c, style]) => {
    const forms = [`(${a}) ${b}-${c}`, `${a}-${b}-${c}`, `${a}.${b}.${c}`, `+1 ${a} ${b} ${c}`, `${a}${b}${c}`, `1-${a}-${b}-${c}`];
    return { value: forms[style]!, digits: `${a}${b}${c}` };
  });
const email = fc
  .tuple(fc.stringMatching(/^[a-z][a-z0-9._]{1,12}[a-z0-9]$/), fc.stringMatching(/^[a-z]{2,10}$/), fc.constantFrom('com', 'org', 'net', 'edu'))
  .map(([user, host, tld]) => ({ value: `${user}@${host}.${tld}`, digits: '' }));
const mrn = fc
  .tuple(fc.constantFrom('MRN', 'MRN:', 'MR#', 'medical record number'), digits(8))
  .map(([cue, d]) => ({ value: d, cue, digits: d }));

const clinicalText = fc.array(fc.constantFrom(...CLINICAL), { minLength: 1, maxLength: 4 }).map((parts) => parts.join(', '));

describe('scrubText property', () => {
  it('always removes SSNs, phones, e-mails and MRNs embedded in clinical text, keeping the clinical text', () => {
    fc.assert(
      fc.property(clinicalText, fc.oneof(ssn, phone, email), mrn, clinicalText, (before, secret, record, after) => {
        const text = `${before}. Contact ${secret.value}; ${record.cue} ${record.value}. ${after}.`;
        const out = scrubText(text).text;
        expect(out).not.toContain(secret.value);
        // However the number was punctuated, its digits must not survive in any form.
        if (secret.digits) expect(out.replace(/\D/g, '')).not.toContain(secret.digits);
        expect(out).not.toContain(record.value);
        expect(out.startsWith(`${before}. Contact [`)).toBe(true);
        expect(out.endsWith(` ${after}.`)).toBe(true);
      }),
      { numRuns: 500, seed: 20_260_101 },
    );
  });
});
