/**
 * The demo accounts (SPEC "Demo accounts"), data only: seed.ts creates them, and accounts.ts
 * refuses their passwords anywhere else, because the README publishes them.
 */
import type { Role } from '../domain.js';

export interface DemoAccount {
  readonly username: string;
  readonly password: string;
  readonly role: Role;
  readonly displayName: string;
  readonly careTeam?: readonly string[];
  readonly wards?: readonly string[];
  readonly patientId?: string;
  readonly active?: boolean;
}

export const DEMO_ACCOUNTS: readonly DemoAccount[] = [
  { username: 'yenji100', password: 'kingjulien100', role: 'doctor', displayName: 'Dr. Yen Ji', careTeam: ['P001', 'P002'] },
  { username: 'dr_grey', password: 'grey-demo-2026', role: 'doctor', displayName: 'Dr. Meredith Grey', careTeam: ['P003'] },
  { username: 'nurse_joy', password: 'joy-demo-2026', role: 'nurse', displayName: 'Nurse Joy Tanaka', wards: ['W1'] },
  { username: 'front_desk', password: 'desk-demo-2026', role: 'receptionist', displayName: 'Front Desk' },
  { username: 'p001', password: 'p001-demo-2026', role: 'patient', displayName: 'Patient P001', patientId: 'P001' },
  { username: 'auditor1', password: 'audit-demo-2026', role: 'auditor', displayName: 'Compliance Auditor' },
  { username: 'researcher1', password: 'research-demo-2026', role: 'researcher', displayName: 'Research Analyst' },
  { username: 'admin', password: 'admin-demo-2026', role: 'admin', displayName: 'System Administrator' },
  { username: 'former_staff', password: 'former-demo-2026', role: 'doctor', displayName: 'Dr. Former Staff', careTeam: ['P001'], active: false },
];

/** Every published demo password, in lower case: no account may be given one (accounts.ts checkNewPassword). */
export const PUBLISHED_PASSWORDS: ReadonlySet<string> = new Set(DEMO_ACCOUNTS.map((account) => account.password.toLowerCase()));
