/**
 * 0002: leases — a named, expiring claim one process holds at a time (e.g. the extract step across
 * every worker of a deployment). Append-only: never edit this file once released.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('leases', (t) => {
    t.text('name').primary();
    t.text('holder').notNullable();
    t.bigInteger('acquired_at').notNullable();
    t.bigInteger('expires_at').notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('leases');
}
