/**
 * Real US cities with a ZIP prefix and area code that belong to them, so a generated
 * address and phone number look like one another; street names are common ones. Facility
 * names are invented.
 */

export interface City {
  readonly city: string;
  readonly state: string;
  /** First three digits of the city's ZIP codes. */
  readonly zip3: string;
  readonly areaCodes: readonly string[];
}

export const CITIES: readonly City[] = [
  { city: 'Springfield', state: 'MA', zip3: '011', areaCodes: ['413'] },
  { city: 'Worcester', state: 'MA', zip3: '016', areaCodes: ['508', '774'] },
  { city: 'Boston', state: 'MA', zip3: '021', areaCodes: ['617', '857'] },
  { city: 'Cambridge', state: 'MA', zip3: '021', areaCodes: ['617'] },
  { city: 'Lowell', state: 'MA', zip3: '018', areaCodes: ['978'] },
  { city: 'Northampton', state: 'MA', zip3: '010', areaCodes: ['413'] },
  { city: 'Providence', state: 'RI', zip3: '029', areaCodes: ['401'] },
  { city: 'Hartford', state: 'CT', zip3: '061', areaCodes: ['860'] },
  { city: 'New Haven', state: 'CT', zip3: '065', areaCodes: ['203'] },
  { city: 'Burlington', state: 'VT', zip3: '054', areaCodes: ['802'] },
  { city: 'Portland', state: 'ME', zip3: '041', areaCodes: ['207'] },
  { city: 'Manchester', state: 'NH', zip3: '031', areaCodes: ['603'] },
  { city: 'Albany', state: 'NY', zip3: '122', areaCodes: ['518'] },
  { city: 'Buffalo', state: 'NY', zip3: '142', areaCodes: ['716'] },
  { city: 'Rochester', state: 'NY', zip3: '146', areaCodes: ['585'] },
  { city: 'Brooklyn', state: 'NY', zip3: '112', areaCodes: ['718', '347'] },
  { city: 'Newark', state: 'NJ', zip3: '071', areaCodes: ['973'] },
  { city: 'Trenton', state: 'NJ', zip3: '086', areaCodes: ['609'] },
  { city: 'Philadelphia', state: 'PA', zip3: '191', areaCodes: ['215', '267'] },
  { city: 'Pittsburgh', state: 'PA', zip3: '152', areaCodes: ['412'] },
  { city: 'Baltimore', state: 'MD', zip3: '212', areaCodes: ['410', '443'] },
  { city: 'Richmond', state: 'VA', zip3: '232', areaCodes: ['804'] },
  { city: 'Raleigh', state: 'NC', zip3: '276', areaCodes: ['919', '984'] },
  { city: 'Charlotte', state: 'NC', zip3: '282', areaCodes: ['704', '980'] },
  { city: 'Columbia', state: 'SC', zip3: '292', areaCodes: ['803'] },
  { city: 'Atlanta', state: 'GA', zip3: '303', areaCodes: ['404', '470'] },
  { city: 'Savannah', state: 'GA', zip3: '314', areaCodes: ['912'] },
  { city: 'Jacksonville', state: 'FL', zip3: '322', areaCodes: ['904'] },
  { city: 'Tampa', state: 'FL', zip3: '336', areaCodes: ['813'] },
  { city: 'Orlando', state: 'FL', zip3: '328', areaCodes: ['407', '321'] },
  { city: 'Miami', state: 'FL', zip3: '331', areaCodes: ['305', '786'] },
  { city: 'Birmingham', state: 'AL', zip3: '352', areaCodes: ['205'] },
  { city: 'Nashville', state: 'TN', zip3: '372', areaCodes: ['615'] },
  { city: 'Memphis', state: 'TN', zip3: '381', areaCodes: ['901'] },
  { city: 'Louisville', state: 'KY', zip3: '402', areaCodes: ['502'] },
  { city: 'Columbus', state: 'OH', zip3: '432', areaCodes: ['614'] },
  { city: 'Cleveland', state: 'OH', zip3: '441', areaCodes: ['216'] },
  { city: 'Cincinnati', state: 'OH', zip3: '452', areaCodes: ['513'] },
  { city: 'Detroit', state: 'MI', zip3: '482', areaCodes: ['313'] },
  { city: 'Grand Rapids', state: 'MI', zip3: '495', areaCodes: ['616'] },
  { city: 'Indianapolis', state: 'IN', zip3: '462', areaCodes: ['317'] },
  { city: 'Chicago', state: 'IL', zip3: '606', areaCodes: ['312', '773'] },
  { city: 'Peoria', state: 'IL', zip3: '616', areaCodes: ['309'] },
  { city: 'Milwaukee', state: 'WI', zip3: '532', areaCodes: ['414'] },
  { city: 'Madison', state: 'WI', zip3: '537', areaCodes: ['608'] },
  { city: 'Minneapolis', state: 'MN', zip3: '554', areaCodes: ['612'] },
  { city: 'Des Moines', state: 'IA', zip3: '503', areaCodes: ['515'] },
  { city: 'St. Louis', state: 'MO', zip3: '631', areaCodes: ['314'] },
  { city: 'Kansas City', state: 'MO', zip3: '641', areaCodes: ['816'] },
  { city: 'Omaha', state: 'NE', zip3: '681', areaCodes: ['402'] },
  { city: 'Wichita', state: 'KS', zip3: '672', areaCodes: ['316'] },
  { city: 'Oklahoma City', state: 'OK', zip3: '731', areaCodes: ['405'] },
  { city: 'Dallas', state: 'TX', zip3: '752', areaCodes: ['214', '469'] },
  { city: 'Houston', state: 'TX', zip3: '770', areaCodes: ['713', '832'] },
  { city: 'San Antonio', state: 'TX', zip3: '782', areaCodes: ['210'] },
  { city: 'Austin', state: 'TX', zip3: '787', areaCodes: ['512', '737'] },
  { city: 'El Paso', state: 'TX', zip3: '799', areaCodes: ['915'] },
  { city: 'New Orleans', state: 'LA', zip3: '701', areaCodes: ['504'] },
  { city: 'Little Rock', state: 'AR', zip3: '722', areaCodes: ['501'] },
  { city: 'Jackson', state: 'MS', zip3: '392', areaCodes: ['601'] },
  { city: 'Denver', state: 'CO', zip3: '802', areaCodes: ['303', '720'] },
  { city: 'Colorado Springs', state: 'CO', zip3: '809', areaCodes: ['719'] },
  { city: 'Albuquerque', state: 'NM', zip3: '871', areaCodes: ['505'] },
  { city: 'Phoenix', state: 'AZ', zip3: '850', areaCodes: ['602', '480'] },
  { city: 'Tucson', state: 'AZ', zip3: '857', areaCodes: ['520'] },
  { city: 'Salt Lake City', state: 'UT', zip3: '841', areaCodes: ['801'] },
  { city: 'Boise', state: 'ID', zip3: '837', areaCodes: ['208'] },
  { city: 'Las Vegas', state: 'NV', zip3: '891', areaCodes: ['702'] },
  { city: 'Reno', state: 'NV', zip3: '895', areaCodes: ['775'] },
  { city: 'Los Angeles', state: 'CA', zip3: '900', areaCodes: ['213', '323'] },
  { city: 'San Diego', state: 'CA', zip3: '921', areaCodes: ['619', '858'] },
  { city: 'Sacramento', state: 'CA', zip3: '958', areaCodes: ['916'] },
  { city: 'Fresno', state: 'CA', zip3: '937', areaCodes: ['559'] },
  { city: 'Oakland', state: 'CA', zip3: '946', areaCodes: ['510'] },
  { city: 'Portland', state: 'OR', zip3: '972', areaCodes: ['503', '971'] },
  { city: 'Eugene', state: 'OR', zip3: '974', areaCodes: ['541'] },
  { city: 'Seattle', state: 'WA', zip3: '981', areaCodes: ['206'] },
  { city: 'Spokane', state: 'WA', zip3: '992', areaCodes: ['509'] },
  { city: 'Anchorage', state: 'AK', zip3: '995', areaCodes: ['907'] },
  { city: 'Honolulu', state: 'HI', zip3: '968', areaCodes: ['808'] },
];

export const STREET_NAMES = [
  'Main', 'Oak', 'Maple', 'Cedar', 'Pine', 'Elm', 'Washington', 'Lake', 'Hill', 'Park', 'Walnut',
  'Spring', 'North', 'Ridge', 'Church', 'Willow', 'Mill', 'Sunset', 'Highland', 'Jackson',
  'Franklin', 'Lincoln', 'Jefferson', 'Madison', 'Chestnut', 'Cherry', 'River', 'Meadow',
  'Forest', 'Prospect', 'Pleasant', 'Summit', 'Union', 'Center', 'Broad', 'Water', 'Market',
  'School', 'Liberty', 'Hickory', 'Birch', 'Dogwood', 'Magnolia', 'Laurel', 'Orchard',
  'Valley', 'Fairview', 'Lakeview', 'Woodland', 'Green', 'Harbor', 'Bay', 'Kings', 'Grove',
] as const;

export const STREET_SUFFIXES = [
  'Street', 'St', 'Avenue', 'Ave', 'Road', 'Rd', 'Drive', 'Dr', 'Lane', 'Ln', 'Court', 'Ct',
  'Boulevard', 'Blvd', 'Way', 'Place', 'Terrace', 'Circle',
] as const;

export const UNIT_FORMATS = ['Apt', 'Apt.', 'Unit', '#', 'Suite'] as const;

export const EMAIL_DOMAINS = ['example.com', 'example.org', 'example.net', 'mail.example.com'] as const;

/** Invented facilities: outpatient clinics and one hospital with its departments. */
export const CLINICS = [
  'Riverside Family Medicine',
  'Cedar Hill Health Center',
  'Northgate Primary Care',
  'Lakeside Internal Medicine Associates',
  'Maple Grove Pediatrics',
  'Eastside Community Clinic',
] as const;

export const HOSPITAL = 'Riverside General Hospital';
export const EMERGENCY_DEPARTMENT = `${HOSPITAL}, Emergency Department`;
export const INPATIENT_WARDS = [
  `${HOSPITAL}, Ward 1 (Internal Medicine)`,
  `${HOSPITAL}, Ward 2 (Cardiology)`,
  `${HOSPITAL}, Ward 3 (Surgery)`,
] as const;
