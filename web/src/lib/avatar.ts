/**
 * The avatar URL the browser may load, checked again here with the API's rule
 * (src/ens/avatar.ts): an absolute https URL without credentials, or a base64 data URI of a
 * raster image. Anything else (http, SVG, javascript:, relative) is null and no image is shown.
 */
const RASTER_DATA = /^data:image\/(?:png|jpeg|gif|webp);base64,[A-Za-z0-9+/]+={0,2}$/;

export function safeAvatarUrl(value: string | null | undefined): string | null {
  if (!value) return null;
  if (value.startsWith('data:')) return RASTER_DATA.test(value) ? value : null;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' && !url.username && !url.password && url.hostname !== '' ? url.href : null;
  } catch {
    return null;
  }
}
