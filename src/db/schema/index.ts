// Table definitions for the query builder, one file per area. Each table's DDL lives in a
// numbered SQL file in ../migrations; a change to a table here needs a new migration there.

export * from './ai.ts';
export * from './chain.ts';
export * from './core.ts';
