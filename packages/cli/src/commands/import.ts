/**
 * `import <file-or-folder>…`: imports FHIR R4 bundles (Synthea output, or any transaction
 * or collection bundle). Folders are searched for *.json. Each bundle is one transaction;
 * a bundle already imported is skipped, a broken one refused with the line or resource at
 * fault. Exits non-zero when any bundle was refused.
 */
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { openDatabase } from '@secure-hospital-ai/core/db/database';
import { migrateToLatest } from '@secure-hospital-ai/core/db/migrate';
import { importBundleFile, type ImportResult } from '@secure-hospital-ai/core/fhir/index';
import { loadRuntimeConfig } from '../runtime.js';

export const USAGE = 'usage: import <file-or-folder>…   (FHIR R4 bundles as JSON; folders are searched for *.json)';

export async function run(argv: string[]): Promise<number> {
  if (argv.length === 0 || argv.includes('--help')) {
    process.stderr.write(`${USAGE}\n`);
    return argv.length === 0 ? 2 : 0;
  }
  let files: string[];
  try {
    files = argv.flatMap(bundleFiles);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    return 2;
  }
  if (files.length === 0) {
    process.stderr.write('no .json files found\n');
    return 2;
  }

  const config = loadRuntimeConfig();
  const database = openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    await migrateToLatest(database);
    const report = new Report(files.length);
    for (const file of files) {
      const result = await importBundleFile(database.db, file);
      report.add(file, result);
    }
    report.finish(database.location);
    return report.refused.length > 0 ? 1 : 0;
  } finally {
    await database.close();
  }
}

/** A file as given, or every *.json below a folder, sorted for a stable order. */
function bundleFiles(path: string): string[] {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    throw new Error(`not found: ${path}`);
  }
  if (stat.isFile()) return [path];
  if (!stat.isDirectory()) throw new Error(`not a file or folder: ${path}`);
  const found: string[] = [];
  jsonFilesBelow(path, found);
  return found.sort((a, b) => (relative(path, a) < relative(path, b) ? -1 : 1));
}

/**
 * Every *.json file below a folder. Links to files are followed, links to folders are not: a
 * link to a parent folder made the walk endless, and the import stopped on the paths it grew.
 */
function jsonFilesBelow(folder: string, found: string[]): void {
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) jsonFilesBelow(path, found);
    else if (entry.name.toLowerCase().endsWith('.json') && (entry.isFile() || (entry.isSymbolicLink() && isFile(path)))) found.push(path);
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    // A dangling link names nothing to import.
    return false;
  }
}

class Report {
  readonly refused: { file: string; reason: string }[] = [];
  private patientsImported = 0;
  private patientsSkipped = 0;
  private bundlesImported = 0;
  private bundlesSkipped = 0;
  private rows = 0;
  /** Record ids of the patients seen, for the summary when there are few (care teams are assigned by id). */
  private readonly patientIds: string[] = [];
  /** Resources of types the record does not keep, by type: said, so nobody thinks they were stored. */
  private readonly ignored = new Map<string, number>();
  private done = 0;
  private readonly began = performance.now();
  private readonly tty = process.stderr.isTTY === true;

  constructor(private readonly total: number) {}

  add(file: string, result: ImportResult): void {
    this.done += 1;
    this.patientsImported += result.patientsImported;
    this.patientsSkipped += result.patientsSkipped;
    if (this.patientIds.length <= MAX_IDS_LISTED) this.patientIds.push(...result.patientIds);
    const rows = Object.values(result.rows).reduce((a, b) => a + b, 0);
    this.rows += rows;
    if (result.status === 'imported') {
      for (const [type, count] of Object.entries(result.ignored)) this.ignored.set(type, (this.ignored.get(type) ?? 0) + count);
    }
    if (result.status === 'imported') this.bundlesImported += 1;
    else if (result.status === 'skipped') this.bundlesSkipped += 1;
    else this.refused.push({ file, reason: result.reason ?? 'refused' });

    if (this.tty) {
      // Refusals are printed as they happen; the bar is redrawn below them.
      if (result.status === 'refused') process.stderr.write(`\r\x1b[Krefused  ${file}: ${result.reason}\n`);
      process.stderr.write(`\r${this.bar()}\x1b[K`);
      return;
    }
    const line =
      result.status === 'imported'
        ? `imported ${file} (${plural(result.patientsImported, 'patient')} ${idList(result.patientIds)}, ${rows.toLocaleString('en-US')} rows)`
        : result.status === 'skipped'
          ? `skipped  ${file} (already imported as ${idList(result.patientIds)})`
          : `refused  ${file}: ${result.reason}`;
    process.stdout.write(`${line}\n`);
  }

  finish(location: string): void {
    if (this.tty) process.stderr.write('\n');
    const seconds = (performance.now() - this.began) / 1000;
    process.stdout.write(
      `imported ${plural(this.patientsImported, 'patient')} (${this.rows.toLocaleString('en-US')} rows) from ${plural(this.bundlesImported, 'bundle')}; ` +
        `skipped ${plural(this.patientsSkipped, 'patient')} already present; refused ${plural(this.refused.length, 'bundle')}; ` +
        `${seconds.toFixed(1)} s, ${this.rate(seconds)} patients/s; ${location}\n`,
    );
    if (this.ignored.size > 0) {
      const types = [...this.ignored].sort((a, b) => b[1] - a[1]).map(([type, count]) => `${type} ${count.toLocaleString('en-US')}`);
      process.stdout.write(`not stored (resource types this record does not keep): ${types.join(', ')}\n`);
    }
    if (this.patientIds.length > 0 && this.patientIds.length <= MAX_IDS_LISTED) process.stdout.write(`patient ids: ${this.patientIds.join(' ')}\n`);
    for (const { file, reason } of this.refused) process.stdout.write(`  refused ${file}: ${reason}\n`);
  }

  private rate(seconds: number): string {
    return ((this.patientsImported + this.patientsSkipped) / Math.max(seconds, 0.001)).toFixed(1);
  }

  private bar(): string {
    const width = 30;
    const filled = Math.round((this.done / this.total) * width);
    const seconds = (performance.now() - this.began) / 1000;
    return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${this.done}/${this.total} bundles, ${this.rate(seconds)} patients/s` +
      (this.refused.length > 0 ? `, ${this.refused.length} refused` : '');
  }
}

/** A summary lists the ids only of an import small enough to read them off. */
const MAX_IDS_LISTED = 20;

function idList(ids: readonly string[]): string {
  return ids.length <= 3 ? ids.join(', ') : `${ids.slice(0, 3).join(', ')} and ${ids.length - 3} more`;
}

function plural(n: number, word: string): string {
  return `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;
}
