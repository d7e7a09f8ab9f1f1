/**
 * An ENS `avatar` text record (ENSIP-12) as a URL the dashboard may put in an <img>: https URLs
 * as they are, IPFS/IPNS and Arweave URIs through their public HTTPS gateways, and base64 data
 * URIs of raster images. Everything else is null: http (mixed content), SVG data (markup that can
 * carry script), NFT references (`eip155:1/erc721:…`, which would need further RPC calls and a
 * metadata fetch from a URL the name's owner chose), and anything unparseable or oversized.
 */
export const IPFS_GATEWAY = 'https://ipfs.io';
export const ARWEAVE_GATEWAY = 'https://arweave.net';
/** Longest avatar kept: a URL, or a small inline image. */
export const MAX_AVATAR_LENGTH = 100_000;

const RASTER_DATA = /^data:image\/(?:png|jpeg|gif|webp);base64,[A-Za-z0-9+/]+={0,2}$/;
const CONTENT_ID = /^[A-Za-z0-9]{10,100}$/;
const PATH = /^(?:\/[A-Za-z0-9._~!$&'()*+,;=:@%-]*)*$/;

export function avatarUrl(record: string | null | undefined): string | null {
  const value = record?.trim();
  if (!value || value.length > MAX_AVATAR_LENGTH) return null;
  if (value.startsWith('data:')) return RASTER_DATA.test(value) ? value : null;
  const gateway = /^(ipfs|ipns):\/\/(?:ipfs\/|ipns\/)?([^/?#]+)([^?#]*)$/i.exec(value);
  if (gateway) {
    const [, kind, id, rest] = gateway;
    return CONTENT_ID.test(id!) && PATH.test(rest!) ? `${IPFS_GATEWAY}/${kind!.toLowerCase()}/${id}${rest}` : null;
  }
  const arweave = /^ar:\/\/([A-Za-z0-9_-]{43})$/.exec(value);
  if (arweave) return `${ARWEAVE_GATEWAY}/${arweave[1]}`;
  return isHttpsImageUrl(value) ? value : null;
}

/** An absolute https URL without credentials: what a browser may fetch as an image. */
export function isHttpsImageUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' && !url.username && !url.password && url.hostname !== '';
  } catch {
    return false;
  }
}
