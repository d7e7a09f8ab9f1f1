import { Link } from 'react-router-dom';
import type { EnsName } from '../api/types.ts';
import { shortAddress } from '../lib/format.ts';

/** Whether a string is an account address the voter profile can show (0x + 40 or 64 hex digits). */
export const isAddress = (a: string) => /^0x(?:[0-9a-f]{40}|[0-9a-f]{64})$/i.test(a);

/**
 * Every address on the dashboard: its ENS name when the API knows it, else shortened; the full
 * address on hover, and a link to its voter and delegate profile. Anything that is not an address
 * is shown as it is, without a link.
 */
export function AddressLink({
  address,
  ens,
  className,
}: {
  address: string;
  ens?: EnsName | null | undefined;
  className?: string;
}) {
  if (!isAddress(address)) return <span className={className}>{address}</span>;
  const name = ens?.name;
  return (
    <Link
      to={`/voters/${address.toLowerCase()}`}
      title={address}
      className={`${name ? 'text-sm' : 'font-mono text-xs'} text-accent hover:underline ${className ?? ''}`}
      data-address={address.toLowerCase()}
    >
      {name ?? shortAddress(address)}
    </Link>
  );
}
