/** The add-DAO form's rules, kept apart from the page so they are testable. */
export function slugify(name: string) {
  return name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^\w\s-]/g, '')
    .trim()
    .replace(/[\s_]+/g, '-')
    .replace(/-+/g, '-')
    .slice(0, 60);
}

/** The body POST /daos takes, or a message per field the user has to fix. */
export function daoForm(values: {
  name: string;
  slug: string;
  chain: string;
  kind: string;
  source: string;
  token_symbol: string;
  treasury: string;
}) {
  const errors: Record<string, string> = {};
  if (!values.name.trim()) errors.name = 'Give the DAO a name';
  const slug = values.slug.trim() || slugify(values.name);
  if (!/^[a-z0-9][a-z0-9-]*$/.test(slug)) errors.slug = 'Lowercase letters, digits and dashes';
  const source = values.source.trim();
  if (!source)
    errors.source =
      values.kind === 'snapshot' ? 'Enter the Snapshot space, e.g. ens.eth' : 'Enter the Governor contract address';
  else if (values.kind === 'governor' && !/^0x[0-9a-fA-F]{40}$/.test(source))
    errors.source = 'A Governor address is 0x and 40 hex digits';
  const treasury = values.treasury.split(/[\s,]+/).filter(Boolean);
  if (treasury.some((a) => !/^0x[0-9a-fA-F]{40}$/.test(a)))
    errors.treasury = 'Addresses are 0x and 40 hex digits, separated by commas';
  const body: Record<string, unknown> = { name: values.name.trim(), slug, chain: values.chain };
  body[values.kind === 'snapshot' ? 'snapshot_space' : 'governor_address'] = source;
  if (values.token_symbol.trim()) body.token_symbol = values.token_symbol.trim().toUpperCase();
  if (treasury.length) body.treasury_addresses = treasury;
  return { body, errors };
}
