import { DrizzleQueryError, is, type SQL, sql } from 'drizzle-orm';
import { NodePgSession } from 'drizzle-orm/node-postgres';
import type { Db } from './client.ts';

/**
 * The one way to write a hot query (a read the API answers many times a second): SQL text with
 * `$1…$n` placeholders, written once per process under a unique name, run with parameters.
 *
 * Why not the query builder: building a drizzle query costs more CPU per request than the
 * PostgreSQL round trip of a small read (a profile of the votes page put 36% of node's time in
 * drizzle building and mapping), and an unnamed statement is parsed and planned by the server on
 * every call. Here nothing is built per request, and the rows come back as the driver makes them
 * (the text names each column as the caller's row type spells it, `as "camelCase"`).
 *
 * node-postgres: `{ name, text, values }` makes a named prepared statement, parsed once on each
 * pooled connection and then only bound and executed (its plan is cached by the server). The
 * text never changes under a name (`prepared` refuses a second text), which node-postgres requires.
 * A statement must name its columns (no `select *`): a cached plan whose result columns change
 * (a migration adding one) fails with "cached plan must not change result type".
 *
 * PGlite: its `query(text, params)` has no named statements (each call sends Parse of the unnamed
 * statement, Describe, Bind and Execute to the embedded backend) and no API to bind a statement
 * parsed earlier, so the text is held once and run as a parameterised query. There is no network
 * round trip to save there, and the process runs one statement at a time.
 */
export interface PreparedStatement<Row> {
  readonly name: string;
  readonly text: string;
  /** Only carries the row type. */
  readonly row?: Row;
}

const texts = new Map<string, string>();

/**
 * A hot statement, held for the life of the process (call it at module level, never per
 * request). A name given twice must come with the same text.
 */
export function prepared<Row>(name: string, text: string): PreparedStatement<Row> {
  const held = texts.get(name);
  if (held !== undefined && held !== text) throw new Error(`prepared statement "${name}" defined with two texts`);
  texts.set(name, text);
  return Object.freeze({ name, text });
}

type Runner = (statement: PreparedStatement<unknown>, values: readonly unknown[]) => Promise<unknown[]>;

interface NodePgClient {
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
}
interface PgliteClient {
  query(text: string, params: unknown[]): Promise<{ rows: unknown[] }>;
}

/**
 * How a Db's driver runs a statement, once per drizzle session (a pool's, a reader's, or a
 * transaction's own connection): drizzle keeps the driver client on its session.
 */
const runners = new WeakMap<object, Runner>();

function runnerOf(db: Pick<Db, '_'>): Runner {
  const session = db._.session;
  let runner = runners.get(session);
  if (runner) return runner;
  const client = (session as unknown as { client: NodePgClient | PgliteClient }).client;
  runner = is(session, NodePgSession)
    ? async (s, values) =>
        (await (client as NodePgClient).query({ name: s.name, text: s.text, values: values as unknown[] })).rows
    : async (s, values) => (await (client as PgliteClient).query(s.text, values as unknown[])).rows;
  runners.set(session, runner);
  return runner;
}

/**
 * Runs a held statement with its parameters (in `$n` order) on `db`'s connection or pool. A
 * failure is the driver's error wrapped as drizzle wraps it (DrizzleQueryError: the text, the
 * parameters and the cause), so the error handler logs it like any query, without its parameters.
 */
export async function runPrepared<Row>(
  db: Pick<Db, '_'>,
  statement: PreparedStatement<Row>,
  values: readonly unknown[],
): Promise<Row[]> {
  try {
    return (await runnerOf(db)(statement, values)) as Row[];
  } catch (error) {
    throw new DrizzleQueryError(statement.text, values as unknown[], error as Error);
  }
}

/**
 * A held statement's text (or a part of one) as a fragment of a query that is still built with
 * drizzle's `sql` (the metric series of src/db/queries/enhanced.ts), each `$n` bound to
 * `values[n - 1]`, so that such a query and a held statement share one definition of the SQL. The
 * text must hold no `$` but its placeholders.
 */
export function heldFragment(text: string, values: readonly unknown[]): SQL {
  const parts = text.split(/\$(\d+)/);
  return sql.join(
    parts.map((part, i) => (i % 2 === 0 ? sql.raw(part) : sql`${values[Number(part) - 1]}`)),
    sql``,
  );
}
