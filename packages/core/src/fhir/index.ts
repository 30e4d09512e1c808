export {
  FhirImportError,
  importBundle,
  importBundleFile,
  type ImportOptions,
  type ImportResult,
  type ImportStatus,
} from './importer.js';
export { patientRowId } from './mapper.js';
export { BundleSplitter, BundleSyntaxError, locateJsonError, splitBundle, type BundleItem } from './splitter.js';
