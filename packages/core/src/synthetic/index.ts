export {
  generatePatient,
  generatedMrn,
  generatedPatientId,
  REFERENCE_INSTANT,
  type AdmissionOption,
  type GenerateOptions,
} from './generator.js';
export { demoPatientBundles, DEMO_SEED } from './demo.js';
export { generateIntoDatabase, type BulkGenerateOptions, type BulkGenerateSummary } from './bulk.js';
