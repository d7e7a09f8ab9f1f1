import { Link } from 'react-router-dom';
import { shortAddress } from '../lib/format.ts';

/** Whether a string is an account address the voter profile can show (0x + 40 or 64 hex digits). */
export const isAddress = (a: string) => /^0x(?:[0-9a-f]{40}|[0-9a-f]{64})$/i.test(a);

/**
 * Every address on the dashboard: shortened, the full address on hover, and a link to its voter
 * and delegate profile. Anything that is not an address is shown as it is, without a link.
 */
export function AddressLink({ address, className }: { address: string; className?: string }) {
  if (!isAddress(address)) return <span className={className}>{address}</span>;
  return (
    <Link
      to={`/voters/${address.toLowerCase()}`}
      title={address}
      className={`font-mono text-xs text-accent hover:underline ${className ?? ''}`}
      data-address={address.toLowerCase()}
    >
      {shortAddress(address)}
    </Link>
  );
}
