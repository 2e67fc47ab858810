/**
 * The run store's migrations, as code, in order. A custom knex migration source, so migrations
 * need no knexfile, no directory scan and work from any cwd (and from a bundled build).
 *
 * APPEND-ONLY: never edit, rename or reorder an existing migration — databases in the field have
 * recorded their names in `knex_migrations`. A schema change is a new file added at the end.
 */
import type { Knex } from 'knex';
import * as m0001 from './0001_initial.ts';
import * as m0002 from './0002_leases.ts';

interface NamedMigration {
  name: string;
  migration: Knex.Migration;
}

/** Every migration, oldest first. Append new ones at the end only. */
export const MIGRATIONS: readonly NamedMigration[] = [
  { name: '0001_initial', migration: m0001 },
  { name: '0002_leases', migration: m0002 },
];

/** Serves {@link MIGRATIONS} to knex's migrator. */
export class RunStoreMigrationSource implements Knex.MigrationSource<NamedMigration> {
  async getMigrations(): Promise<NamedMigration[]> {
    return [...MIGRATIONS];
  }
  getMigrationName(m: NamedMigration): string {
    return m.name;
  }
  async getMigration(m: NamedMigration): Promise<Knex.Migration> {
    return m.migration;
  }
}
