import type { CanonicalRecord } from '../records.ts';

/**
 * The converter contract: a generator over canonical records (src/import/records.ts), emitted in
 * dependency order (DAOs, then proposals, then votes, then treasury balances and holders), so
 * every record only refers to records that came before it.
 */
export interface ConvertOptions {
  /** Called for data oddities the converter resolved on its own (duplicates dropped, fallbacks). */
  onWarning?: (message: string) => void;
}

export type Converter = (dir: string, options?: ConvertOptions) => Generator<CanonicalRecord>;
